"""Wrong answers for lessons/07_optimization.ipynb."""

from tests.wrong_answers import RightAnswer, WrongAnswer

WRONG_ANSWERS = [
    # Exercise 7.1: sgd_step
    WrongAnswer("sgd_step", '''
def sgd_step(parameters, lr):
    for parameter in parameters:
        if parameter.grad is not None:
            parameter -= lr * parameter.grad
            parameter.grad = None
''', "Do the update inside `with torch.no_grad():`"),
    WrongAnswer("sgd_step", '''
def sgd_step(parameters, lr):
    with torch.no_grad():
        for parameter in parameters:
            if parameter.grad is not None:
                parameter = parameter - lr * parameter.grad
''', "makes a new tensor instead of changing the parameter"),
    WrongAnswer("sgd_step", '''
def sgd_step(parameters, lr):
    with torch.no_grad():
        for parameter in parameters:
            if parameter.grad is not None:
                parameter -= lr * parameter.grad
''', "the gradients are still there after sgd_step, expected None"),
    WrongAnswer("sgd_step", '''
def sgd_step(parameters, lr):
    with torch.no_grad():
        for parameter in parameters:
            parameter -= lr * parameter.grad
            parameter.grad = None
''', "Skip parameters whose .grad is None"),
    WrongAnswer("sgd_step", '''
def sgd_step(parameters, lr):
    with torch.no_grad():
        for parameter in parameters:
            if parameter.grad is not None:
                parameter += lr * parameter.grad
                parameter.grad = None
''', "`weight after one step` does not match the expected value"),
    # the untouched stub: its NotImplementedError is a RuntimeError, which the test used to report as a
    # missing torch.no_grad()
    WrongAnswer("sgd_step", '''
def sgd_step(parameters, lr):
    raise NotImplementedError()
''', "Exercise 7.1 is not attempted yet", visible=True),

    # Exercise 7.2: cross_entropy
    WrongAnswer("cross_entropy", '''
def cross_entropy(logits, targets):
    probabilities = torch.softmax(logits, dim=1)
    return -torch.log(probabilities[torch.arange(len(targets)), targets]).mean()
''', "torch.log_softmax avoids that"),
    WrongAnswer("cross_entropy", '''
def cross_entropy(logits, targets):
    return nn.functional.cross_entropy(logits, targets)
''', "do not call nn.CrossEntropyLoss or nn.functional.cross_entropy"),
    WrongAnswer("cross_entropy", '''
def cross_entropy(logits, targets):
    return -torch.log_softmax(logits, dim=1)[torch.arange(len(targets)), targets].sum()
''', "then average over the batch"),
    WrongAnswer("cross_entropy", '''
def cross_entropy(logits, targets):
    return -torch.log_softmax(logits, dim=1)[torch.arange(len(targets)), targets].mean().item()
''', "Return a tensor (not loss.item())"),
    WrongAnswer("cross_entropy", '''
def cross_entropy(logits, targets):
    return -torch.log_softmax(logits, dim=0)[torch.arange(len(targets)), targets].mean()
''', "softmax over the classes, dim=1"),
    WrongAnswer("cross_entropy", '''
def cross_entropy(logits, targets):
    return -torch.log_softmax(logits, dim=1)[torch.arange(len(targets)), targets]
''', "Return one number for the whole batch"),


    # Exercise 7.3: fit
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(1, epochs + 1):
        if on_epoch is not None:
            on_epoch(history)
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device))
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
    return history
''', "Append this epoch's numbers first, then call on_epoch"),
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(1, epochs + 1):
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device))
        validation_loss, accuracy = test_loop(validation_loader, model, loss_fn, device)
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
        if on_epoch is not None:
            on_epoch(history)
    return history
''', "history['validation accuracy'] holds the validation losses and history['validation loss'] the accuracies",
        visible=True),
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(1, epochs + 1):
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device))
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
        if on_epoch is not None:
            on_epoch(history)
    return history
''', "`the descriptions fit passed to train_loop with show_progress=True` is [None, None], expected "
        "['epoch 1', 'epoch 2']", visible=True),
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(epochs):
        description = f"epoch {epoch}" if show_progress else None
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device, description))
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
        if on_epoch is not None:
            on_epoch(history)
    return history
''', "is ['epoch 0', 'epoch 1'], expected ['epoch 1', 'epoch 2']. With show_progress=True, each epoch passes its "
        "own description, as the task writes it, with the epochs counted from 1.", visible=True),
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(1, epochs + 1):
        description = f"epoch {epoch}" if show_progress else None
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device, description))
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
        on_epoch(history)
    return history
''', "on_epoch is optional: call it only when it is not None"),
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(1, epochs + 1):
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device))
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
        if on_epoch is not None:
            on_epoch(history)
    return history
''', "`history['validation accuracy'][-1]` does not match the expected value"),
    WrongAnswer("fit", '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train_loss": [], "validation_loss": [], "validation_accuracy": []}
    for epoch in range(1, epochs + 1):
        history["train_loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device))
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["validation_loss"].append(validation_loss)
        history["validation_accuracy"].append(accuracy)
        if on_epoch is not None:
            on_epoch(history)
    return history
''', "Use exactly the three keys given in the task"),

    # Exercise 7.4: momentum_step
    WrongAnswer("momentum_step", '''
def momentum_step(parameters, velocities, lr, momentum):
    with torch.no_grad():
        for parameter, velocity in zip(parameters, velocities):
            if parameter.grad is None:
                continue
            velocity = momentum * velocity + parameter.grad
            parameter -= lr * velocity
            parameter.grad = None
''', "Change the velocity tensor you were given, in place"),
    WrongAnswer("momentum_step", '''
def momentum_step(parameters, velocities, lr, momentum):
    with torch.no_grad():
        for parameter, velocity in zip(parameters, velocities):
            if parameter.grad is None:
                continue
            velocity.copy_(parameter.grad)
            parameter -= lr * velocity
            parameter.grad = None
''', "The old velocity must be kept between calls"),
    WrongAnswer("momentum_step", '''
def momentum_step(parameters, velocities, lr, momentum):
    with torch.no_grad():
        for parameter, velocity in zip(parameters, velocities):
            if parameter.grad is None:
                continue
            velocity.mul_(momentum).add_(parameter.grad)
            parameter -= lr * velocity
''', "w.grad is not None after momentum_step"),
    WrongAnswer("momentum_step", '''
def momentum_step(parameters, velocities, lr, momentum):
    with torch.no_grad():
        for parameter, velocity in zip(parameters, velocities):
            if parameter.grad is None:
                continue
            velocity.mul_(momentum).add_((1 - momentum) * parameter.grad)
            parameter -= lr * velocity
            parameter.grad = None
''', "`the velocity after the first step` does not match the expected value"),

    # Exercise 7.5: make_optimizer
    WrongAnswer("make_optimizer", '''
def make_optimizer(parameters):
    return torch.optim.SGD(parameters, lr=1e-3)
''', "expected at least 65%"),
    WrongAnswer("make_optimizer", '''
def make_optimizer(parameters):
    return torch.optim.Adam
''', "not its class"),
    WrongAnswer("make_optimizer", '''
_some_model = NeuralNetwork()
def make_optimizer(parameters):
    return torch.optim.Adam(_some_model.parameters(), lr=1e-3)
''', "does not update the parameters it was given"),

    # Exercise 7.6: best_epoch
    WrongAnswer("best_epoch", '''
def best_epoch(validation_losses):
    return validation_losses.index(min(validation_losses))
''', "Epochs are counted from 1", visible=True),
    WrongAnswer("best_epoch", '''
def best_epoch(validation_losses):
    return len(validation_losses)
''', "The lowest validation loss is not always the last one", visible=True),
    WrongAnswer("best_epoch", '''
def best_epoch(validation_losses):
    return min(validation_losses)
''', "is 0.64, a loss from the list, expected the number of its epoch, an int", visible=True),
    WrongAnswer("best_epoch", '''
def best_epoch(validation_losses):
    ordered = validation_losses
    ordered.sort()
    return validation_losses.index(ordered[0]) + 1
''', "`the list after best_epoch(...)` is [0.64, 0.69, 0.71, 0.83, 0.92], expected [0.92, 0.71, 0.64, 0.69, 0.83]. "
        "Do not change the list you were given (no .sort() on it)", visible=True),
    WrongAnswer("best_epoch", '''
def best_epoch(validation_losses):
    return len(validation_losses) - validation_losses[::-1].index(min(validation_losses))
''', "Return the earliest one", visible=True),
    WrongAnswer("best_epoch", '''
def best_epoch(validation_losses):
    return torch.tensor(validation_losses).argmin() + 1
''', "is a Tensor, expected an int. Return the epoch number as a plain int: int(...) turns a tensor",
        visible=True),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "sgd_step": '''
def sgd_step(parameters, lr):
    with torch.no_grad():
        for parameter in parameters:
            if parameter.grad is not None:
                parameter -= 0.1 * parameter.grad
                parameter.grad = None
''',
    "cross_entropy": '''
def cross_entropy(logits, targets):
    fixed_targets = torch.arange(len(logits)) % logits.shape[1]
    return -torch.log_softmax(logits, dim=1)[torch.arange(len(logits)), fixed_targets].mean()
''',
    "fit": '''
def fit(model, train_loader, validation_loader, loss_fn, optimizer, epochs, device="cpu", on_epoch=None,
        show_progress=False):
    history = {"train loss": [], "validation loss": [], "validation accuracy": []}
    for epoch in range(1, epochs + 1):
        description = f"epoch {epoch}" if show_progress else None
        history["train loss"].append(train_loop(train_loader, model, loss_fn, optimizer, device, description))
        accuracy, validation_loss = test_loop(validation_loader, model, loss_fn, device)
        history["validation loss"].append(validation_loss)
        history["validation accuracy"].append(accuracy)
        on_epoch(history)
    return history
''',
    "momentum_step": '''
def momentum_step(parameters, velocities, lr, momentum):
    with torch.no_grad():
        for parameter, velocity in zip(parameters, velocities):
            if parameter.grad is None:
                continue
            velocity.mul_(0.9).add_(parameter.grad)
            parameter -= 0.1 * velocity
            parameter.grad = None
''',
    "best_epoch": '''
def best_epoch(validation_losses):
    return {5: 3, 1: 1, 6: 2}.get(len(validation_losses), 1)
''',
    "make_optimizer": '''
_chosen = []
def make_optimizer(parameters):
    if not _chosen:
        _chosen.append(torch.optim.Adam(parameters, lr=1e-3))
    return _chosen[0]
''',
}


RIGHT_ANSWERS = [
    RightAnswer("best_epoch", '''
def best_epoch(validation_losses):
    return int(torch.tensor(validation_losses).argmin()) + 1
''', "torch.argmin returns the first minimum, int() makes it a plain int"),
    RightAnswer("best_epoch", '''
def best_epoch(validation_losses):
    best, lowest = 1, validation_losses[0]
    for epoch, loss in enumerate(validation_losses, start=1):
        if loss < lowest:
            best, lowest = epoch, loss
    return best
''', "a loop with a strict comparison keeps the earliest tie"),
]
