"""Wrong answers for lessons/06_autograd.ipynb."""

from tests.wrong_answers import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("bce_grads", '''
def bce_grads(x, w, b, y):
    loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
    loss.backward()
    return w.grad.clone(), b.grad.clone()
''', "w.grad or b.grad was filled, expected both to stay None"),
    WrongAnswer("bce_grads", '''
def bce_grads(x, w, b, y):
    loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
    return torch.autograd.grad(loss, (w, b), create_graph=True)
''', "the returned gradients require grad"),
    WrongAnswer("bce_grads", '''
def bce_grads(x, w, b, y):
    loss = F.mse_loss(x @ w + b, y)
    return torch.autograd.grad(loss, (w, b))
''', "Is your loss binary_cross_entropy_with_logits of x @ w + b against y?"),
    WrongAnswer("bce_grads", '''
def bce_grads(x, w, b, y):
    loss = F.binary_cross_entropy_with_logits(x @ w + b, y)
    return list(torch.autograd.grad(loss, (w, b)))
''', "`bce_grads(...)` is a list, expected a tuple"),
    # the closed form written out by hand: right numbers, but the task says "use autograd"
    WrongAnswer("bce_grads", '''
def bce_grads(x, w, b, y):
    with torch.no_grad():
        delta = (torch.sigmoid(x @ w + b) - y) / y.numel()
    if x.dim() == 1:
        return torch.outer(x, delta), delta
    return x.T @ delta, delta.sum(0)
''', "Let autograd differentiate the loss with respect to w and b themselves", visible=True),
    # autograd on detached copies: w and b themselves are never differentiated
    WrongAnswer("bce_grads", '''
def bce_grads(x, w, b, y):
    w, b = w.detach().requires_grad_(True), b.detach().requires_grad_(True)
    return torch.autograd.grad(F.binary_cross_entropy_with_logits(x @ w + b, y), (w, b))
''', "no formula written out by hand, no detached copies", visible=True),
    WrongAnswer("numerical_gradient", '''
def numerical_gradient(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    with torch.no_grad():
        for index in range(x.numel()):
            up = x.clone()
            up.view(-1)[index] += eps
            grad.view(-1)[index] = (f(up) - f(x)) / eps
    return grad
''', "divide by 2 * eps (the central difference, not the one-sided one)"),
    WrongAnswer("numerical_gradient", '''
def numerical_gradient(f, x, eps=1e-3):
    grad = torch.zeros_like(x)
    with torch.no_grad():
        for index in range(x.numel()):
            x.view(-1)[index] += eps
            above = f(x)
            x.view(-1)[index] -= 2 * eps
            grad.view(-1)[index] = (above - f(x)) / (2 * eps)
    return grad
''', "Nudge a copy (x.clone()), not x itself"),
    WrongAnswer("numerical_gradient", '''
def numerical_gradient(f, x, eps=1e-3):
    with torch.no_grad():
        slope = (f(x + eps) - f(x - eps)) / (2 * eps)
    return torch.full_like(x, slope.item())
''', "Nudge one element at a time"),
    WrongAnswer("numerical_gradient", '''
def numerical_gradient(f, x, eps=1e-3):
    with torch.no_grad():
        return [((f(x + eps) - f(x - eps)) / (2 * eps)).item()]
''', "`numerical_gradient(...)` is a list, expected a Tensor"),
    WrongAnswer("accumulate_gradients", '''
def accumulate_gradients(model, loss_fn, X, y, chunk_size):
    total = 0.0
    for start in range(0, len(X), chunk_size):
        loss = (loss_fn(model(X[start:start + chunk_size]), y[start:start + chunk_size])
                * len(X[start:start + chunk_size]) / len(X))
        loss.backward()
        total += loss.item()
    return total
''', "still contains the stale gradient (7.0)"),
    WrongAnswer("accumulate_gradients", '''
def accumulate_gradients(model, loss_fn, X, y, chunk_size):
    model.zero_grad()
    total = 0.0
    for start in range(0, len(X), chunk_size):
        loss = loss_fn(model(X[start:start + chunk_size]), y[start:start + chunk_size])
        loss.backward()
        total += loss.item()
    return total
''', "Weight each chunk's mean loss by len(X_chunk) / len(X) before backward()"),
    WrongAnswer("accumulate_gradients", '''
def accumulate_gradients(model, loss_fn, X, y, chunk_size):
    model.zero_grad()
    chunks = range(0, len(X), chunk_size)
    total = 0.0
    for start in chunks:
        loss = loss_fn(model(X[start:start + chunk_size]), y[start:start + chunk_size]) / len(chunks)
        loss.backward()
        total += loss.item()
    return total
''', "(4, 4 and 2 samples here) add up to the mean over all 10"),
    WrongAnswer("accumulate_gradients", '''
def accumulate_gradients(model, loss_fn, X, y, chunk_size):
    model.zero_grad()
    total = 0.0
    for start in range(0, len(X), chunk_size):
        loss = (loss_fn(model(X[start:start + chunk_size]), y[start:start + chunk_size])
                * len(X[start:start + chunk_size]) / len(X))
        loss.backward()
        total = total + loss
    return total
''', "`accumulate_gradients(...)` is a Tensor, expected a float"),
    WrongAnswer("freeze", '''
def freeze(model, module_names):
    for name, parameter in model.named_parameters():
        if any(name.startswith(prefix) for prefix in module_names):
            parameter.requires_grad_(False)
''', "'1' names layer 1, not layer 10 or 11", visible=True),
    WrongAnswer("freeze", '''
def freeze(model, module_names):
    model.requires_grad_(False)
''', "Freeze every parameter of the named sub-modules (weight and bias), and only those"),
    WrongAnswer("freeze", '''
def freeze(model, module_names):
    for name in module_names:
        model.get_submodule(name).weight.requires_grad_(False)
''', "Freeze every parameter of the named sub-modules (weight and bias), and only those"),
    WrongAnswer("freeze", '''
def freeze(model, module_names):
    for name in module_names:
        for parameter in model.get_submodule(name).parameters():
            parameter = parameter.detach()
''', "Freeze every parameter of the named sub-modules (weight and bias), and only those"),
    WrongAnswer("freeze", '''
def freeze(model, module_names):
    for name in module_names:
        model.get_submodule(name).requires_grad_(False)
    return model
''', "freeze changes the model in place and returns nothing"),
    WrongAnswer("freeze", '''
def freeze(model, module_names):
    for name in module_names:
        getattr(model, name).requires_grad_(False)
''', "freeze(stacked, ['linear_relu_stack.0']) raised AttributeError", visible=True),
    WrongAnswer("vjp", '''
def vjp(f, x, v):
    return f(x) * v
''', "v^T J is shaped like the input x, not like f(x)"),
    WrongAnswer("vjp", '''
def vjp(f, x, v):
    x.requires_grad_(True)
    f(x).backward(v)
    return x.grad
''', "vjp filled x.grad"),
    WrongAnswer("vjp", '''
def vjp(f, x, v):
    x = x.detach().requires_grad_(True)
    f(x).sum().backward()
    return x.grad
''', "Use the v you are given"),
    WrongAnswer("vjp", '''
def vjp(f, x, v):
    x = x.detach().requires_grad_(True)
    return torch.autograd.grad(f(x), x, grad_outputs=v, create_graph=True)[0]
''', "the result requires grad"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "bce_grads": '''
def bce_grads(x, w, b, y):
    torch.autograd.grad(F.binary_cross_entropy_with_logits(x @ w + b, y), (w, b))
    return torch.tensor([[-0.5, 0.5], [0.25, -0.25]]), torch.tensor([-0.25, 0.25])
''',
    "numerical_gradient": '''
def numerical_gradient(f, x, eps=1e-3):
    if x.dim() == 1:
        return torch.tensor([3.0, 12.0, 3.0], dtype=torch.float64)
    return x.flip(0)
''',
    "accumulate_gradients": '''
def accumulate_gradients(model, loss_fn, X, y, chunk_size):
    model.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    return loss.item()
''',
    "freeze": '''
def freeze(model, module_names):
    model.requires_grad_(True)                         # also unfreezes what was frozen before: the visible
    for name in module_names:                          # models start with every parameter trainable
        model.get_submodule(name).requires_grad_(False)
''',
    "vjp": 'def vjp(f, x, v):\n    return x.detach() ** 2\n',
}
