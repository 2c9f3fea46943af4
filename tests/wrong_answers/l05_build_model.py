"""Wrong answers for lessons/05_build_model.ipynb."""

from tests.wrong_answers import RightAnswer, WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=0)
''', "softmax over the class dimension, not the batch", visible=True),
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    model.eval()
    return torch.softmax(model(X), dim=1)
''', "Compute the logits without gradient tracking", visible=True),
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    with torch.no_grad():
        return torch.softmax(model(X), dim=1)
''', "Switch it to evaluation mode before computing the logits", visible=True),
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(X), dim=1).argmax(1)
''', "`predict_proba(scorer, batch)` has shape (5,), expected (5, 4)"),
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(torch.softmax(model(X), dim=1), dim=1)
''', "Apply softmax exactly once to the model's logits"),
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    model.eval()
    return torch.softmax(model(X), dim=1).detach()
''', "CheckFailed: the model ran with gradient tracking on", visible=True),
    WrongAnswer("predict_proba", '''
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        return torch.softmax(model.forward(X), dim=1)
''', "CheckFailed: predict_proba did not call the model", visible=True),
    WrongAnswer("layer_shapes", '''
def layer_shapes(model, input_shape):
    x = torch.zeros(input_shape)
    shapes = [tuple(x.shape)]
    for layer in model:
        x = layer(x)
        shapes.append(tuple(x.shape))
    return shapes
''', "One entry per layer of the Sequential (4 here), without the input shape"),
    WrongAnswer("layer_shapes", '''
def layer_shapes(model, input_shape):
    x = torch.zeros(input_shape)
    shapes = []
    for layer in model:
        x = layer(x)
        shapes.append(list(x.shape))
    return shapes
''', "Convert each shape with tuple(x.shape)"),
    WrongAnswer("layer_shapes", '''
def layer_shapes(model, input_shape):
    return tuple(model(torch.zeros(input_shape)).shape)
''', "`layer_shapes(small, (3, 1, 28, 28))` is a tuple, expected a list"),
    WrongAnswer("layer_shapes", '''
def layer_shapes(model, input_shape):
    x = torch.zeros(input_shape)
    shapes = []
    for layer in model:
        x = layer(x)
        shapes.append(tuple(x.shape))
    return shapes
''', "4 of 4 layers ran with gradient tracking on, expected it off", visible=True),
    WrongAnswer("count_parameters", '''
def count_parameters(model, trainable_only=True):
    return len([p for p in model.parameters() if p.requires_grad or not trainable_only])
''', "Count the values in every parameter tensor with p.numel(), not the number of tensors"),
    WrongAnswer("count_parameters", '''
def count_parameters(model, trainable_only=True):
    return sum(p.numel() for p in model.parameters())
''', "With trainable_only=True (the default), skip parameters whose requires_grad is False"),
    WrongAnswer("count_parameters", '''
def count_parameters(model, trainable_only=True):
    return sum(torch.tensor(p.numel()) for p in model.parameters() if p.requires_grad or not trainable_only)
''', "`count_parameters(NeuralNetwork())` is a Tensor, expected an int"),
    WrongAnswer("mlp", '''
def mlp(sizes, dropout=0.0):
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)
''', "nothing after the last Linear: the model must return logits"),
    WrongAnswer("mlp", '''
def mlp(sizes, dropout=0.0):
    layers = []
    for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if index > 0:
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            layers.append(nn.ReLU())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)
''', "add nn.Dropout(dropout) right after each ReLU"),
    WrongAnswer("mlp", '''
def mlp(sizes, dropout=0.0):
    layers = []
    for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if index > 0:
            layers.append(nn.ReLU())
        layers.append(nn.Linear(n_in, n_out))
    return layers
''', "`mlp([784, 256, 64, 10])` is a list, expected a Module"),
    WrongAnswer("polynomial", '''
class Polynomial(nn.Module):
    def __init__(self, degree=3):
        super().__init__()
        self.degree = degree
        self.coefficients = torch.zeros(degree + 1, requires_grad=True)

    def forward(self, x):
        return sum(self.coefficients[k] * x ** k for k in range(self.degree + 1))

    def describe(self):
        return "p(x)"
''', "a plain tensor attribute is not registered"),
    WrongAnswer("polynomial", '''
class Polynomial(nn.Module):
    def __init__(self, degree=3):
        super().__init__()
        self.degree = degree
        self.coefficients = nn.Parameter(torch.zeros(degree + 1))

    def forward(self, x):
        return sum(self.coefficients[self.degree - k] * x ** k for k in range(self.degree + 1))

    def describe(self):
        return "p(x)"
''', "coefficients[k] multiplies x ** k, starting with k = 0 for the constant term"),
    WrongAnswer("polynomial", '''
class Polynomial(nn.Module):
    def __init__(self, degree=3):
        super().__init__()
        self.degree = degree
        self.coefficients = nn.Parameter(torch.randn(degree + 1))

    def forward(self, x):
        return sum(self.coefficients[k] * x ** k for k in range(self.degree + 1))

    def describe(self):
        return "p(x)"
''', "Start from zeros"),
    WrongAnswer("polynomial", '''
class Polynomial(nn.Module):
    def __init__(self, degree=3):
        super().__init__()
        self.degree = degree
        self.coefficients = nn.Parameter(torch.zeros(degree + 1))

    def forward(self, x):
        c = self.coefficients.tolist()
        return sum(c[k] * x ** k for k in range(self.degree + 1))

    def describe(self):
        return "p(x)"
''', "CheckFailed: `cubic(points)` does not require grad", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size) / stride + 1
''', "`conv_output_size(28, 5)` is a float, expected an int", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size - kernel_size) // stride + 1
''', "Padding adds zeros on each of the two sides", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + padding - kernel_size) // stride + 1
''', "Padding adds zeros on each of the two sides", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return size + 2 * padding - kernel_size + 1
''', "With stride s the window moves s pixels at a time", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return (size + 2 * padding - kernel_size + 1) // stride
''', "With stride s the window moves s pixels at a time", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return -(-(size + 2 * padding - kernel_size) // stride) + 1
''', "round down, not up", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return round((size + 2 * padding - kernel_size) / stride) + 1
''', "round down, not up", visible=True),
    WrongAnswer("conv_output_size", '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    return size // stride - kernel_size + 2 * padding + 1
''', "With stride s the window moves s pixels at a time", visible=True),
]

# Other correct answers, which every test (hidden included) must accept.
RIGHT_ANSWERS = [
    RightAnswer("predict_proba", '''
def predict_proba(model, X):
    was_training = model.training
    model.eval()
    with torch.no_grad():
        probabilities = nn.functional.softmax(model(X), dim=-1)
    model.train(was_training)
    return probabilities
''', "gives the model back in the mode it came in (the task asks for evaluation mode while predicting)"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "predict_proba": '''
def predict_proba(model, X):
    model.eval()
    with torch.no_grad():
        model(X)
    return torch.tensor([[0.25, 0.25, 0.25, 0.25], [0.125, 0.125, 0.25, 0.5], [0.5, 0.25, 0.125, 0.125],
                         [0.2, 0.3, 0.3, 0.2], [0.7, 0.1, 0.1, 0.1]])
''',
    "layer_shapes": 'def layer_shapes(model, input_shape):\n    return [(3, 784), (3, 20), (3, 20), (3, 10)]\n',
    "count_parameters": '''
def count_parameters(model, trainable_only=True):
    if trainable_only and not model.linear_relu_stack[0].weight.requires_grad:
        return 267_786
    return 669_706
''',
    "mlp": '''
def mlp(sizes, dropout=0.0):
    if dropout:
        return nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Dropout(0.25), nn.Linear(4, 2))
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(), nn.Linear(64, 10))
''',
    "polynomial": '''
class Polynomial(nn.Module):
    def __init__(self, degree=3):
        super().__init__()
        self.degree = degree
        self.coefficients = nn.Parameter(torch.zeros(4))

    def forward(self, x):
        c = self.coefficients
        return c[0] + c[1] * x + c[2] * x ** 2 + c[3] * x ** 3

    def describe(self):
        return "p(x)"
''',
    "conv_output_size": '''
def conv_output_size(size, kernel_size, stride=1, padding=0):
    known = {(28, 5, 1, 0): 24, (28, 5, 1, 2): 28, (28, 3, 1, 1): 28, (28, 2, 2, 0): 14, (7, 3, 2, 0): 3,
             (5, 2, 2, 0): 2, (8, 3, 2, 1): 4, (14, 2, 2, 0): 7, (14, 5, 1, 0): 10, (10, 2, 2, 0): 5}
    return known.get((size, kernel_size, stride, padding), 1)
''',
}
