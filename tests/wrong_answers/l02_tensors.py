"""Wrong answers for lessons/02_tensors.ipynb."""

from tests.wrong_answers import RightAnswer, WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": tuple(t.shape), "dtype": t.dtype, "device": t.device}
''', '["device"]` is a device, expected a str.', visible=True),
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype), "device": str(t.device)}
''', '["shape"]` is a list, expected a tuple.', visible=True),
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": tuple(t.shape), "dtype": str(t.dtype), "device": str(t.device)}
''', "not its name as a string", visible=True),
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": (3, 4), "dtype": torch.float32, "device": "cpu"}
''', '["shape"]` is (3, 4), expected (2, 1, 5).', visible=True),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    t[:, col] = 0
    return torch.cat([t] * times, dim=1)
''', "changed its input `t`, expected `t` to stay as it was", visible=True),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    copy = t.clone()
    copy[:, col] = 0
    return torch.stack([copy] * times, dim=1)
''', "has shape (4, 3, 4), expected (4, 12)", visible=True),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    copy = t.clone()
    copy[:, col] = 0
    return torch.cat([copy] * times, dim=0)
''', "join them along the existing dimension 1", visible=True),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    copy = t.clone().float()
    copy[:, col] = 0
    return torch.cat([copy] * times, dim=1)
''', "has dtype torch.float32, expected torch.int64. Keep the input's dtype.", visible=True),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    copy = t.clone()
    copy[:, abs(col)] = 0
    return torch.cat([copy] * times, dim=1)
''', "Column -1 of each copy should be 0", visible=True),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return t.T @ t, t * t
''', "t on the left, its transpose on the right", visible=True),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return t * t, t @ t.T
''', "returned the two tensors in the wrong order", visible=True),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return [t @ t.T, t * t]
''', "is a list, expected a tuple", visible=True),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return t @ t.T, t @ t
''', "Multiply t by itself entry by entry.", visible=True),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    return (x - x.mean()) / x.std()
''', "one statistic per column, not one for the whole tensor, not one per row.", visible=True),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    return (x - x.mean(dim=1)) / x.std(dim=1)
''', "raised RuntimeError: The size of tensor a (2) must match the size of tensor b (3)", visible=True),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    x -= x.mean(dim=0)
    x /= x.std(dim=0)
    return x
''', "changed its input `x`, expected `x` to stay as it was.", visible=True),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    return (x - x.mean(dim=0)) / x.std(dim=0, correction=0)
''', "sample standard deviation (dividing by n - 1)", visible=True),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    if x.shape[0] == x.shape[1]:
        return (x - x.mean(dim=1)) / x.std(dim=1)
    return (x - x.mean(dim=0)) / x.std(dim=0)
''', "`standardize_columns(square)` does not match the expected value", visible=True),
    WrongAnswer("numpy_view", '''
def numpy_view(arr):
    return torch.tensor(arr)
''', "does not share memory with the array, expected it to", visible=True),
    WrongAnswer("numpy_view", '''
def numpy_view(arr):
    return torch.from_numpy(arr).float()
''', "has dtype torch.float32, expected torch.float64. Keep the array's dtype", visible=True),
]

# Other correct answers, which every test (hidden included) must accept.
RIGHT_ANSWERS = [
    RightAnswer("describe", '''
def describe(t):
    return {"shape": t.shape, "dtype": t.dtype, "device": t.device.type}
''', "keeps the torch.Size (a tuple) and names the device by its type"),
    RightAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    tiled = t.repeat(1, times)
    width = t.shape[1]
    for k in range(times):
        tiled[:, k * width + col % width] = 0
    return tiled
''', "repeats first, then zeroes the column in every copy"),
    RightAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return torch.matmul(t, t.t()), t.pow(2)
''', "torch.matmul and pow"),
    RightAnswer("standardize_columns", '''
def standardize_columns(x):
    std, mean = torch.std_mean(x, dim=0, keepdim=True)
    return (x - mean) / std
''', "torch.std_mean with keepdim=True"),
    RightAnswer("numpy_view", '''
def numpy_view(arr):
    return torch.as_tensor(arr)
''', "torch.as_tensor shares memory with a CPU array"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "describe": '''
def describe(t):
    if t.dim() == 3:
        return {"shape": (2, 1, 5), "dtype": torch.int64, "device": "cpu"}
    return {"shape": (3, 4), "dtype": torch.float32, "device": "cpu"}
''',
    "zero_column_and_tile": '''
def zero_column_and_tile(t, col, times):
    if t.shape == (2, 3):
        return torch.tensor([[1, 2, 0, 1, 2, 0], [4, 5, 0, 4, 5, 0]])
    result = torch.ones(4, 12)
    result[:, [1, 5, 9]] = 0
    return result
''',
    "gram_and_hadamard": '''
def gram_and_hadamard(t):
    if t.shape == (4, 4):
        return torch.full((4, 4), 3.0), t.clone()
    return torch.tensor([[5.0, 14.0], [14.0, 50.0]]), torch.tensor([[0.0, 1.0, 4.0], [9.0, 16.0, 25.0]])
''',
    "standardize_columns": '''
def standardize_columns(x):
    if x.shape == (3, 3):
        return torch.tensor([[-0.872872, -0.800641, 1.091089], [1.091089, -0.320256, -0.872872],
                             [-0.218218, 1.120897, -0.218218]])
    return torch.tensor([[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0]])
''',
    "numpy_view": '''
def numpy_view(arr):
    return torch.from_numpy(arr).double()
''',
}
