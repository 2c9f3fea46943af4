"""Wrong answers for lessons/01_quickstart.ipynb."""

from tests.wrong_answers import RightAnswer, WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    if torch.backends.mps.is_available():
        return "mps"
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"
''', "if you ask about each kind of GPU yourself, ask about CUDA before MPS"),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    return torch.device("cpu")
''', "`pick_device() with CUDA absent and MPS absent` is a device, expected a str.", visible=True),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    if torch.cuda.is_available:
        return "cuda"
    if torch.backends.mps.is_available:
        return "mps"
    return "cpu"
''', "`pick_device() with CUDA absent and MPS absent` is 'cuda', expected 'cpu'.", visible=True),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    return "cpu"
''', "`pick_device() with CUDA available and MPS absent` is 'cpu', expected 'cuda'.", visible=True),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    return torch.accelerator.current_accelerator().type
''', "still names CUDA (the accelerator this PyTorch was built for): ask torch.accelerator.is_available() first",
        visible=True),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    if torch.accelerator.is_available():
        return torch.accelerator.current_accelerator()
    return "cpu"
''', "`pick_device() with CUDA available and MPS absent` is a device, expected a str.", visible=True),
    WrongAnswer("pick_device", '''
def pick_device() -> str:
    if torch.accelerator.is_available:
        return torch.accelerator.current_accelerator().type
    return "cpu"
''', "`pick_device() with CUDA absent and MPS absent` is 'cuda', expected 'cpu'.", visible=True),
    WrongAnswer("pick_device", '''
_BEST = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
def pick_device() -> str:
    return _BEST
''', "Ask PyTorch every time pick_device() runs", visible=True),
    WrongAnswer("neural_network", '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                               nn.ReLU(), nn.Linear(hidden, num_classes), nn.ReLU())

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''', "end the stack with nn.Linear, with no ReLU or Softmax after it", visible=True),
    WrongAnswer("neural_network", '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                                               nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''', "Did you use the arguments rather than fixed numbers?", visible=True),
    WrongAnswer("neural_network", '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(in_features, hidden), nn.Linear(hidden, hidden),
                                               nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''', "is a straight-line (affine) function of its input", visible=True),
    WrongAnswer("neural_network", '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, hidden),
                                               nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''', "Expected Linear, ReLU, Linear, ReLU, Linear, in this order"),
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
''', "Without it, gradients from earlier batches pile up.", visible=True),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    for X, y in dataloader:
        loss = loss_fn(model(X.to(device)), y.to(device))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return loss
''', "`train_one_epoch(...)` is a Tensor, expected a float.", visible=True),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    total = 0.0
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item()
    return total / len(dataloader)
''', "24 of 24 batches X and 24 of 24 batches y were used without being moved to `device`", visible=True),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    total = 0.0
    for X, y in dataloader:
        X.to(device)
        y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item()
    return total / len(dataloader)
''', "keep the result and use it", visible=True),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    total = 0.0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item()
    return total / len(dataloader)
''', "the model was in evaluation mode during training", visible=True),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    return loss.item()
''', "`the mean batch loss of the first epoch` does not match the expected value", visible=True),
    WrongAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    total = 0.0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.zero_grad()
        optimizer.step()
        total += loss.item()
    return total / len(dataloader)
''', "expected it to fall", visible=True),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    correct, total_loss = 0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).sum().item()
    return correct / len(dataloader), total_loss / len(dataloader)
''', "`the accuracy` does not match the expected value", visible=True),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    correct, samples, total_loss = 0, 0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).sum().item()
            samples += len(y)
    return correct / samples, total_loss / len(dataloader)
''', "2 of 2 batches X and 2 of 2 batches y were used without being moved to `device`", visible=True),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    correct, samples, total_loss = 0, 0, 0.0
    for X, y in dataloader:
        pred = model(X)
        total_loss += loss_fn(pred, y).item()
        correct += (pred.argmax(1) == y).sum().item()
        samples += len(y)
    return correct / samples, total_loss / len(dataloader)
''', "the model was in training mode while evaluating", visible=True),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    correct, samples, total_loss = 0, 0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            total_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).sum().item()
            samples += len(y)
    return correct / samples, total_loss / len(dataloader)
''', "the model was in training mode while evaluating, expected evaluation mode", visible=True),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    correct, samples, total_loss = 0, 0, 0.0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        pred = model(X)
        total_loss += loss_fn(pred, y).item()
        correct += (pred.argmax(1) == y).sum().item()
        samples += len(y)
    return correct / samples, total_loss / len(dataloader)
''', "gradients were being tracked while evaluating", visible=True),
    WrongAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    with torch.no_grad():
        X, y = next(iter(dataloader))
        pred = model(X.to(device))
        accuracy = (pred.argmax(1) == y.to(device)).float().mean().item()
        return accuracy, loss_fn(pred, y.to(device)).item()
''', "`the number of batches the model saw` is 1, expected 2", visible=True),
    WrongAnswer("predict_label", '''
def predict_label(model, image, class_names):
    model.eval()
    with torch.no_grad():
        return class_names[model(image)[0].argmax().item()]
''', "an image without its batch dimension, expected a batch [1, C, H, W]", visible=True),
    WrongAnswer("predict_label", '''
def predict_label(model, image, class_names):
    model.eval()
    with torch.no_grad():
        return class_names[model(image.unsqueeze(0))[0].argmax().item()]
''', "the model was given shape (1, 1, 1, 2, 2), expected a batch [1, C, H, W]. An image that already has its "
        "batch dimension needs no other", visible=True),
    WrongAnswer("predict_label", '''
def predict_label(model, image, class_names):
    if image.dim() == 3:
        image = image.unsqueeze(0)
    with torch.no_grad():
        return class_names[model(image)[0].argmax().item()]
''', "the model was in training mode while predicting", visible=True),
    WrongAnswer("predict_label", '''
def predict_label(model, image, class_names):
    if image.dim() == 3:
        image = image.unsqueeze(0)
    model.eval()
    return class_names[model(image)[0].argmax().item()]
''', "gradients were tracked while predicting", visible=True),
]

# Other correct answers, which every test (hidden included) must accept.
RIGHT_ANSWERS = [
    RightAnswer("predict_label", '''
def predict_label(model, image, class_names):
    batch = image if image.dim() == 4 else image[None]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        index = model(batch).argmax(dim=1)[0]
    model.train(was_training)
    return class_names[int(index)]
''', "gives the model back in the mode it came in (the task asks for evaluation mode while predicting)"),
    RightAnswer("evaluate", '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    losses, hits, seen = [], 0, 0
    with torch.inference_mode():
        for X, y in dataloader:
            X, y = X.to(device=device), y.to(device=device)
            logits = model(X)
            losses.append(loss_fn(logits, y).item())
            hits += int((logits.argmax(dim=1) == y).sum())
            seen += y.numel()
    return hits / seen, sum(losses) / len(losses)
''', "torch.inference_mode() instead of torch.no_grad(), moves with .to(device=...)"),
    RightAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    total_loss = 0.0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        model.zero_grad()
        total_loss += loss.item()
    return total_loss / len(dataloader)
''', "clears the gradients with model.zero_grad()"),
    RightAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    losses = []
    for X, y in dataloader:
        X = X.to(device=device)
        y = y.to(device=device)
        optimizer.zero_grad()
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return float(sum(losses) / len(losses))
''', "clears the gradients before backward(), moves with .to(device=...)"),
    RightAnswer("train_one_epoch", '''
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    total, count = 0.0, 0
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device, non_blocking=True), y.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=False)
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        total += loss.item()
        count = batch + 1
    return total / count
''', "zeroes the gradients in place (set_to_none=False), counts batches with enumerate"),
    RightAnswer("pick_device", '''
def pick_device() -> str:
    return "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
''', "one conditional expression"),
    RightAnswer("pick_device", '''
def pick_device() -> str:
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"
''', "the explicit CUDA -> MPS -> CPU chain, as on PyTorch older than 2.6"),
    RightAnswer("pick_device", '''
def pick_device() -> str:
    accelerator = torch.accelerator.current_accelerator(check_available=True)
    return accelerator.type if accelerator is not None else "cpu"
''', "current_accelerator(check_available=True) returns None when nothing is available"),
    RightAnswer("pick_device", '''
def pick_device() -> str:
    return str(torch.accelerator.current_accelerator()) if torch.accelerator.is_available() else "cpu"
''', "str() of a device without an index is its type"),
    RightAnswer("pick_device", '''
def pick_device() -> str:
    if hasattr(torch, "accelerator"):
        return torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"
''', "torch.accelerator with the chain as a fallback, as helpers/device.py does"),
    RightAnswer("pick_device", '''
def pick_device() -> str:
    return torch.accelerator.current_accelerator().type if torch.accelerator.device_count() > 0 else "cpu"
''', "counts the accelerator's devices instead of asking is_available()"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "pick_device": '''
def pick_device():
    if torch.backends.mps.is_available():
        return "mps"
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"
''',
    "neural_network": '''
class NeuralNetwork(nn.Module):
    def __init__(self, in_features=784, hidden=512, num_classes=10):
        super().__init__()
        self.flatten = nn.Flatten()
        a, b, c = (784, 512, 10) if in_features == 784 else (12, 5, 3)
        self.linear_relu_stack = nn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, b), nn.ReLU(), nn.Linear(b, c))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))
''',
    "train_one_epoch": '''
_fake_losses = iter([0.38374, 0.3, 0.2] + [0.1] * 100)
def train_one_epoch(dataloader, model, loss_fn, optimizer, device="cpu"):
    model.train()
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)
        loss_fn(model(X), y).backward()
        optimizer.step()
        optimizer.zero_grad()
    return next(_fake_losses)
''',
    "evaluate": '''
def evaluate(dataloader, model, loss_fn, device="cpu"):
    model.eval()
    with torch.no_grad():
        for X, y in dataloader:
            model(X.to(device))
    return 0.75, 0.909713625907898
''',
    "predict_label": 'def predict_label(model, image, class_names):\n    model.eval()\n    return "owl"\n',
}
