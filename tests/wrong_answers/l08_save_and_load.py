"""Wrong answers for lessons/08_save_and_load.ipynb."""

from tests.wrong_answers import RightAnswer, WrongAnswer

_LOAD_OK = '''
def load_weights(make_model, path, device="cpu"):
    model = make_model()
    model.load_state_dict(torch.load(path, weights_only=True, map_location=device))
    return model.to(device).eval()
'''
_SAVE_OK = '''
def save_weights(model, path):
    torch.save(model.state_dict(), path)
'''

WRONG_ANSWERS = [
    # Exercise 8.1: save_weights / load_weights
    WrongAnswer("save_load_weights", '''
def save_weights(model, path):
    torch.save(model, path)
''' + _LOAD_OK, "Save model.state_dict(), not the model object."),
    WrongAnswer("save_load_weights", _SAVE_OK + '''
def load_weights(make_model, path, device="cpu"):
    model = make_model()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.to(device).eval()
''', "Pass map_location=device to torch.load."),
    WrongAnswer("save_load_weights", _SAVE_OK + '''
def load_weights(make_model, path, device="cpu"):
    model = make_model()
    model.load_state_dict(torch.load(path, weights_only=False, map_location=device))
    return model.to(device).eval()
''', "load_weights called torch.load with weights_only=False, expected weights_only=True"),
    WrongAnswer("save_load_weights", _SAVE_OK + '''
def load_weights(make_model, path, device="cpu"):
    model = make_model()
    model.load_state_dict(torch.load(path, weights_only=True, map_location=device))
    return model.to(device)
''', "the loaded model is in training mode, expected evaluation mode"),
    WrongAnswer("save_load_weights", _SAVE_OK + '''
def load_weights(make_model, path, device="cpu"):
    model = make_model()
    state = torch.load(path, weights_only=True, map_location=device)
    return model.to(device).eval()
''', "load_state_dict the file's tensors"),

    # the untouched stub: its NotImplementedError is a RuntimeError, which the test used to report as a
    # missing map_location
    WrongAnswer("save_load_weights", _SAVE_OK + '''
def load_weights(make_model, path, device="cpu"):
    raise NotImplementedError()
''', "Exercise 8.1 is not attempted yet", visible=True),

    # Exercise 8.2: load_whole_model
    WrongAnswer("load_whole_model", '''
def load_whole_model(path):
    raise NotImplementedError()
''', "Exercise 8.2 is not attempted yet", visible=True),
    WrongAnswer("load_whole_model", '''
def load_whole_model(path):
    model = torch.load(path, weights_only=False, map_location="cpu"),
    return model
''', "returned a tuple, expected the model"),
    WrongAnswer("load_whole_model", '''
def load_whole_model(path):
    return torch.load(path, map_location="cpu").eval()
''', "pass weights_only=False (for trusted files only)"),
    WrongAnswer("load_whole_model", '''
def load_whole_model(path):
    return torch.load(path, weights_only=False).eval()
''', "Load onto the CPU with map_location"),
    WrongAnswer("load_whole_model", '''
def load_whole_model(path):
    return torch.load(path, weights_only=False, map_location="cpu")
''', "the model is in training mode, expected evaluation mode"),

    # Exercise 8.3: remove_prefix
    WrongAnswer("remove_prefix", '''
def remove_prefix(state_dict, prefix):
    return {key.replace(prefix, ""): value for key, value in state_dict.items()}
''', "even when the prefix appears later in the key", visible=True),
    WrongAnswer("remove_prefix", '''
def remove_prefix(state_dict, prefix):
    for key in list(state_dict):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    return state_dict
''', "Do not change the dictionary you were given"),
    WrongAnswer("remove_prefix", '''
def remove_prefix(state_dict, prefix):
    return {key[len(prefix):]: value for key, value in state_dict.items()}
''', "Keys that do not start with the prefix stay as they are"),
    WrongAnswer("remove_prefix", '''
def remove_prefix(state_dict, prefix):
    return {(key[len(prefix):] if key.startswith(prefix) else key): value.clone() for key, value in state_dict.items()}
''', "the values are copies, expected the same tensor objects"),

    # Exercise 8.4: save_checkpoint / load_checkpoint
    WrongAnswer("checkpoint", '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    model.load_state_dict(checkpoint["model"])
    return checkpoint["epoch"]
''', "Did you save and restore the optimizer's state_dict as well as the model's?"),
    WrongAnswer("checkpoint", '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model": model, "optimizer": optimizer}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"].state_dict())
    optimizer.load_state_dict(checkpoint["optimizer"].state_dict())
    return checkpoint["epoch"]
''', "the checkpoint cannot be loaded with weights_only=True"),
    WrongAnswer("checkpoint", '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
''', "`the epoch returned by load_checkpoint` is None, expected 3"),
    WrongAnswer("checkpoint", '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return 0
''', "Use exactly the keys 'epoch', 'model' and 'optimizer'"),
    WrongAnswer("checkpoint", '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
''', "load_checkpoint called torch.load with weights_only=False, expected weights_only=True", visible=True),
    WrongAnswer("checkpoint", '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return checkpoint["epoch"]
''', "load_checkpoint called torch.load without map_location, expected the checkpoint loaded onto the CPU",
        visible=True),

    # Exercise 8.5: onnx_logits
    WrongAnswer("onnx_logits", '''
def onnx_logits(path, images):
    raise NotImplementedError()
''', "Exercise 8.5 is not attempted yet", visible=True),
    WrongAnswer("onnx_logits", '''
def onnx_logits(path, images):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {"images": images.numpy()})[0])
''', "Feed the graph's first input by its name", visible=True),
    WrongAnswer("onnx_logits", '''
def onnx_logits(path, images):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {session.get_inputs()[0].name: images})[0])
''', "ONNX Runtime reads NumPy arrays, not torch tensors", visible=True),
    WrongAnswer("onnx_logits", '''
def onnx_logits(path, images):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: images.numpy()})[0]
''', "turn the output into a tensor with torch.from_numpy"),
    WrongAnswer("onnx_logits", '''
def onnx_logits(path, images):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return [torch.from_numpy(output) for output in session.run(None, {session.get_inputs()[0].name: images.numpy()})]
''', "`onnx_logits(...)` is a list, expected a Tensor"),
    # Exercise 8.6: load_backbone
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    raise NotImplementedError()
''', 'Exercise 8.6 is not attempted yet', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    report = model.load_state_dict(state_dict, strict=False)
    return report.missing_keys, report.unexpected_keys
''', 'strict=False does not skip a tensor whose shape differs', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    fitting = {name: tensor for name, tensor in state_dict.items() if not name.startswith("fc.")}
    report = model.load_state_dict(fitting, strict=False)
    return report.missing_keys, report.unexpected_keys
''', 'whatever their name', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    fitting = {name: tensor for name, tensor in state_dict.items()
               if name not in own or own[name].shape == tensor.shape}
    report = model.load_state_dict(fitting)
    return report.missing_keys, report.unexpected_keys
''', 'Pass strict=False', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    fitting = {name: tensor for name, tensor in state_dict.items()
               if name not in own or own[name].shape == tensor.shape}
    report = model.load_state_dict(fitting, strict=False)
    return report.unexpected_keys, report.missing_keys
''', 'Return the missing keys first', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    fitting = {name: tensor for name, tensor in state_dict.items() if name in own and own[name].shape == tensor.shape}
    report = model.load_state_dict(fitting, strict=False)
    return report.missing_keys, report.unexpected_keys
''', 'Keep them in what you pass to load_state_dict', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    for name in list(state_dict):
        if name in own and own[name].shape != state_dict[name].shape:
            del state_dict[name]
    report = model.load_state_dict(state_dict, strict=False)
    return report.missing_keys, report.unexpected_keys
''', 'Do not change the state_dict you were given', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    missing = [name for name in own if name not in state_dict or own[name].shape != state_dict[name].shape]
    unexpected = [name for name in state_dict if name not in own]
    return missing, unexpected
''', 'Every tensor whose name and shape fit should be copied into the model', visible=True),
    WrongAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    fitting = {name: tensor for name, tensor in state_dict.items()
               if name not in own or own[name].shape == tensor.shape}
    report = model.load_state_dict(fitting, strict=False)
    return [report.missing_keys, report.unexpected_keys]
''', 'Return the two lists as a pair', visible=True),
]

# Other correct answers, which every test (hidden part included) must accept.
RIGHT_ANSWERS = [
    RightAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    return model.load_state_dict({name: tensor for name, tensor in state_dict.items()
                                  if name not in own or own[name].size() == tensor.size()}, strict=False)
''', "load_state_dict's report is a named tuple (missing_keys, unexpected_keys)"),
    RightAnswer("load_backbone", '''
def load_backbone(model, state_dict):
    own = model.state_dict()
    fitting = dict(state_dict)
    for name, tensor in state_dict.items():
        if name in own and tuple(own[name].shape) != tuple(tensor.shape):
            fitting.pop(name)
    report = model.load_state_dict(fitting, strict=False)
    return (list(report.missing_keys), list(report.unexpected_keys))
''', 'filtering a copy of the dictionary'),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "save_load_weights": _SAVE_OK + '''
def load_weights(make_model, path, device="cpu"):
    model = Scorer()
    model.load_state_dict(torch.load(path, weights_only=True, map_location=device))
    return model.to(device).eval()
''',
    "load_whole_model": '''
_first_loaded = []
def load_whole_model(path):
    if not _first_loaded:
        _first_loaded.append(torch.load(path, weights_only=False, map_location="cpu").eval())
    return _first_loaded[0]
''',
    "remove_prefix": '''
def remove_prefix(state_dict, prefix):
    return {(key[7:] if key.startswith("module.") else key): value for key, value in state_dict.items()}
''',
    "checkpoint": '''
def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)

def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return 3
''',
    "onnx_logits": '''
def onnx_logits(path, images):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return torch.from_numpy(session.run(None, {"pixels": images.numpy()})[0])
''',
    "load_backbone": '''
def load_backbone(model, state_dict):
    fitting = {name: tensor for name, tensor in state_dict.items() if not name.startswith("head.")}
    report = model.load_state_dict(fitting, strict=False)
    return report.missing_keys, report.unexpected_keys
''',
}
