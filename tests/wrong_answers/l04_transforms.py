"""Wrong answers for lessons/04_transforms.ipynb."""

from tests.wrong_answers import WrongAnswer

WRONG_ANSWERS = [
    WrongAnswer("to_tensor_manual", '''
def to_tensor_manual(img):
    tensor = torch.from_numpy(img).float() / 255
    return tensor.unsqueeze(0) if tensor.dim() == 2 else tensor
''', ("`to_tensor_manual(small_rgb)` has shape (2, 3, 3), expected (3, 2, 3). "
      "Expected [C, H, W]: the channels come first"), visible=True),
    WrongAnswer("to_tensor_manual", '''
def to_tensor_manual(img):
    tensor = torch.from_numpy(img)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(-1)
    return tensor.permute(2, 0, 1).float()
''', "has values up to 255, expected values in [0, 1]. Divide by 255."),
    WrongAnswer("to_tensor_manual", '''
def to_tensor_manual(img):
    tensor = torch.from_numpy(img)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(-1)
    height, width, channels = tensor.shape
    return tensor.reshape(channels, height, width).float() / 255
''', "reshape and view keep the memory order and scramble the pixels", visible=True),
    WrongAnswer("to_tensor_manual", '''
def to_tensor_manual(img):
    return v2.ToDtype(torch.float32, scale=True)(v2.ToImage()(img))
''', "CheckFailed: to_tensor_manual should use only PyTorch", visible=True),
    WrongAnswer("to_tensor_manual", '''
def to_tensor_manual(img):
    return transforms_v1.ToTensor()(img)
''', "CheckFailed: to_tensor_manual should use only PyTorch", visible=True),
    WrongAnswer("channel_stats", '''
def channel_stats(batch):
    return batch.mean(dim=(0, 2, 3)), batch.std(dim=(0, 2, 3), correction=0)
''', "Keep PyTorch's default, which divides by n - 1", visible=True),
    WrongAnswer("channel_stats", '''
def channel_stats(batch):
    return batch.mean(), batch.std()
''', "`the mean of channel_stats(two_channels)` has shape (), expected (2,). One value per channel"),
    WrongAnswer("channel_stats", '''
def channel_stats(batch):
    return batch.mean(dim=(0, 2, 3)), batch.std(dim=(2, 3)).mean(dim=0)
''', "the average of per-image standard deviations is not the same", visible=True),
    WrongAnswer("unnormalize", '''
def unnormalize(x, mean, std):
    return x / 2 + 0.5
''', "(x / 2 + 0.5 is only right when mean and std are 0.5.)"),
    WrongAnswer("unnormalize", '''
def unnormalize(x, mean, std):
    return x * torch.tensor(std) + torch.tensor(mean)
''', ("CheckFailed: `unnormalize of a 3-channel image` raised RuntimeError: "
      "The size of tensor a (5) must match the size of tensor b (3)")),
    WrongAnswer("unnormalize", '''
def unnormalize(x, mean, std):
    return x.mul_(torch.tensor(std).reshape(-1, 1, 1)).add_(torch.tensor(mean).reshape(-1, 1, 1))
''', "changed its input, expected a new tensor"),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return v2.Compose([v2.ToTensor(), v2.Normalize(mean=mean, std=std)])
''', "warned: The transform `ToTensor()` is deprecated"),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return v2.Compose([v2.ToImage(), v2.Normalize(mean=mean, std=std), v2.ToDtype(torch.float32, scale=True)])
''', "raised TypeError: Input tensor should be a float tensor. Got torch.uint8. Normalize needs floats"),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32), v2.Normalize(mean=mean, std=std)])
''', "Scale to [0, 1] before normalizing: ToDtype(..., scale=True)."),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize([0.2860], [0.3530])])
''', "Normalize with the mean and std you are given", visible=True),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return v2.Compose([transforms_v1.ToTensor(), v2.Normalize(mean=mean, std=std)])
''', "holds transforms.ToTensor() from torchvision's first transforms API (v1), expected v2 transforms only",
        visible=True),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return transforms_v1.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean, std)])
''', "is a transforms.Compose from torchvision's first transforms API (v1), expected a v2.Compose", visible=True),
    WrongAnswer("build_transform", '''
def build_transform(mean, std):
    return [v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean=mean, std=std)]
''', "is a list, expected a Compose"),
    WrongAnswer("one_hot", '''
def one_hot(y, num_classes=10):
    return torch.nn.functional.one_hot(torch.as_tensor(y), num_classes)
''', "`one_hot(3)` has dtype torch.int64, expected torch.float32"),
    WrongAnswer("one_hot", '''
def one_hot(y, num_classes=10):
    return torch.zeros(10).scatter_(0, torch.tensor(y), value=1)
''', "`one_hot(torch.tensor(1), 4)` has shape (10,), expected (4,)"),
    WrongAnswer("one_hot", '''
def one_hot(y, num_classes=10):
    return torch.zeros(1, num_classes).scatter_(1, torch.tensor([[int(y)]]), value=1)
''', "`one_hot(3)` has shape (1, 10), expected (10,)"),
]

# Answers that pass every visible test but solve only the visible examples.
HARD_CODED = {
    "to_tensor_manual": '''
def to_tensor_manual(img):
    if img.ndim == 2:
        return torch.tensor([[[0.0, 0.2], [0.4, 1.0]]])
    return torch.from_numpy(img).permute(2, 0, 1).float() / 255
''',
    "channel_stats": '''
def channel_stats(batch):
    return torch.tensor([0.0, 1.6667]), torch.tensor([0.0, 0.9847])
''',
    "unnormalize": '''
def unnormalize(x, mean, std):
    if x.shape[0] == 1:
        return x * 0.3530 + 0.2860
    return (x * torch.tensor([0.2470, 0.2435, 0.2616]).reshape(3, 1, 1)
            + torch.tensor([0.4914, 0.4822, 0.4465]).reshape(3, 1, 1))
''',
    "build_transform": '''
def build_transform(mean, std):
    if len(mean) == 3:
        return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True),
                           v2.Normalize([0.5, 0.2, 0.1], [0.5, 0.4, 0.3])])
    return v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, scale=True), v2.Normalize([0.2860], [0.3530])])
''',
    "one_hot": '''
def one_hot(y, num_classes=10):
    return torch.eye(10)[int(y)][:num_classes]
''',
}
