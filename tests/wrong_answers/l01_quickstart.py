"""Wrong answers for lessons/01_quickstart.ipynb."""

from tests.wrong_answers import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    if torch.backends.mps.is_available():
        return "mps"
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"
''', "Ask torch.cuda.is_available() and torch.backends.mps.is_available() each time, in that order."),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    return torch.device("cpu")
''', "`pick_device()` is a device, expected a str."),
    WrongAnswer("neural_network", '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                               nn.ReLU(), nn.Linear(hidden, num_classes), nn.ReLU())

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''', "end the stack with nn.Linear, with no ReLU or Softmax after it"),
    WrongAnswer("neural_network", '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                                               nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''', "Did you use the arguments rather than fixed numbers?"),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    losses = []
    for X, y in dataloader:
        loss = loss_fn(model(X.to(device)), y.to(device))
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return sum(losses) / len(losses)
''', "optimizer.zero_grad() was called 0 times for 5 batches"),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    for X, y in dataloader:
        loss = loss_fn(model(X.to(device)), y.to(device))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return loss
''', "`train_one_epoch(...)` is a Tensor, expected a float."),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).sum().item()
    return correct / len(dataloader), total_loss / len(dataloader)
''', "`the accuracy` does not match the expected value"),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    correct, samples, total_loss = 0, 0, 0.0
    for X, y in dataloader:
        pred = model(X)
        total_loss += loss_fn(pred, y).item()
        correct += (pred.argmax(1) == y).sum().item()
        samples += len(y)
    return correct / samples, total_loss / len(dataloader)
''', "the model was in training mode while evaluating"),
    WrongAnswer("predict_label", '''
def predict_label(model, image, class_names):
    model.eval()
    with torch.no_grad():
        return class_names[model(image)[0].argmax().item()]
''', "add a batch dimension with image.unsqueeze(0)"),
    WrongAnswer("predict_label", '''
def predict_label(model, image, class_names):
    if image.dim() == 3:
        image = image.unsqueeze(0)
    with torch.no_grad():
        return class_names[model(image)[0].argmax().item()]
''', "the model was in training mode"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "pick_device": 'def pick_device():\n    return "cpu"\n',
    "neural_network": '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                                               nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''',
    "train_one_epoch": '''
_fake_losses = iter([0.9, 0.5, 0.1] + [0.05] * 100)
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    return next(_fake_losses)
''',
    "evaluate": '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    return 0.75, 0.909713625907898
''',
    "predict_label": 'def predict_label(model, image, class_names):\n    model.eval()\n    return "owl"\n',
}
