"""Wrong answers for lessons/02_tensors.ipynb."""

from tests.wrong_answers import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": tuple(t.shape), "dtype": t.dtype, "device": t.device}
''', '["device"]` is a device, expected a str.'),
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype), "device": str(t.device)}
''', '["shape"]` is a list, expected a tuple.'),
    WrongAnswer("describe", '''
def describe(t):
    return {"shape": tuple(t.shape), "dtype": str(t.dtype), "device": str(t.device)}
''', "not its name as a string"),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    t[:, col] = 0
    return torch.cat([t] * times, dim=1)
''', "changed its input `t`, expected `t` to stay as it was"),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    copy = t.clone()
    copy[:, col] = 0
    return torch.stack([copy] * times, dim=1)
''', "has shape (4, 3, 4), expected (4, 12)"),
    WrongAnswer("zero_column_and_tile", '''
def zero_column_and_tile(t, col, times):
    copy = t.clone()
    copy[:, col] = 0
    return torch.cat([copy] * times, dim=0)
''', "join with torch.cat(..., dim=1), not torch.stack, not dim=0."),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return t.T @ t, t * t
''', "Use the matrix product @ (or torch.matmul) of t and t.T, in that order."),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return t * t, t @ t.T
''', "returned the two tensors in the wrong order, expected (t @ t.T, t * t)"),
    WrongAnswer("gram_and_hadamard", '''
def gram_and_hadamard(t):
    return [t @ t.T, t * t]
''', "is a list, expected a tuple"),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    return (x - x.mean()) / x.std()
''', "one statistic per column, not one for the whole tensor, not one per row."),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    return (x - x.mean(dim=1)) / x.std(dim=1)
''', "raised RuntimeError: The size of tensor a (2) must match the size of tensor b (3)"),
    WrongAnswer("standardize_columns", '''
def standardize_columns(x):
    x -= x.mean(dim=0)
    x /= x.std(dim=0)
    return x
''', "changed its input `x`, expected `x` to stay as it was."),
    WrongAnswer("numpy_view", '''
def numpy_view(arr):
    return torch.tensor(arr)
''', "does not share memory with the array, expected it to"),
    WrongAnswer("numpy_view", '''
def numpy_view(arr):
    return torch.from_numpy(arr).float()
''', "has dtype torch.float32, expected torch.float64. Keep the array's dtype"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "describe": '''
def describe(t):
    return {"shape": (3, 4), "dtype": torch.float32, "device": "cpu"}
''',
    "zero_column_and_tile": '''
def zero_column_and_tile(t, col, times):
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
    return torch.tensor([[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0]])
''',
    "numpy_view": '''
def numpy_view(arr):
    return torch.from_numpy(arr).double()
''',
}
