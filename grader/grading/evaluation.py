"""Trained networks the grader judges itself, on images no kernel was given.

Where a task's result is a trained model, a hidden block saves its weights and reports the file
(``helpers.observations.observe_file``); the grader reads the file in its artifacts loader
(grader.safety.artifacts) and, here, measures the weights in a network of its own on the FashionMNIST
test images, which the hidden block never trains on. Nothing the kernel reports about accuracy, and none
of the lesson's own functions (a redefined ``test_loop``, a rewired ``forward``), takes part.

The weights travel as one flat vector (``parameters_to_vector``) cut into pieces that the observation
format holds (:data:`PIECE`), in the order of the network's ``parameters()``.
"""

from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from helpers.observations import MAX_VALUES

PIECE = MAX_VALUES // 2  # values per saved piece of the weights vector


@dataclass(frozen=True)
class Accuracy:
    """An MLP of ``sizes`` (Flatten, Linear, ReLU, ..., Linear) must reach ``target`` on the test images."""

    sizes: tuple[int, ...]
    target: float

    def network(self):
        from torch import nn

        layers = [nn.Flatten()]
        for index, (inputs, outputs) in enumerate(pairwise(self.sizes)):
            if index:
                layers.append(nn.ReLU())
            layers.append(nn.Linear(inputs, outputs))
        return nn.Sequential(*layers)


EVALUATED = {  # the name of a hidden block's observed file -> how the grader judges what it holds
    "weights of a NeuralNetwork trained with make_optimizer": Accuracy((28 * 28, 512, 512, 10), 0.65),
}


@cache
def _test_images():
    from helpers.data import fashion_mnist

    test = fashion_mnist(train=False)
    return test.data.unsqueeze(1).float() / 255, test.targets


def _weights(held, count: int):
    """The flat weights vector that a read file holds, or why it is not one of ``count`` numbers."""
    import torch

    if not isinstance(held, list) or not all(isinstance(piece, dict) and list(piece) == ["tensor"] for piece in held):
        return None, "the saved file does not hold the network's weights as the hidden test saved them"
    pieces = [piece["tensor"] for piece in held]
    if not all(isinstance(piece, dict) and isinstance(piece.get("values"), list) for piece in pieces) or sum(
            len(piece["values"]) for piece in pieces) != count:
        return None, f"the saved weights are not the {count} numbers of the network"
    try:
        return torch.tensor([value for piece in pieces for value in piece["values"]], dtype=torch.float32), None
    except (TypeError, ValueError, OverflowError):
        return None, "the saved weights are not plain numbers"


def accuracy(rule: Accuracy, held) -> tuple[float | None, str | None]:
    """(accuracy of the weights ``held`` on the grader's test images, None), or (None, why none)."""
    import torch
    from torch.nn.utils import vector_to_parameters

    network = rule.network()
    vector, problem = _weights(held, sum(p.numel() for p in network.parameters()))
    if problem:
        return None, problem
    images, labels = _test_images()
    with torch.no_grad():
        vector_to_parameters(vector, network.parameters())
        network.eval()
        right = sum(int((network(images[start:start + 1000]).argmax(1) == labels[start:start + 1000]).sum())
                    for start in range(0, len(labels), 1000))
    return right / len(labels), None


def judged(name: str, found) -> tuple[bool, str | None]:
    """(whether the grader judges observation ``name`` itself, and if so how ``found`` falls short or None).

    ``found`` is the student's report value after the artifacts loader read its file."""
    rule = EVALUATED.get(name)
    if rule is None:
        return False, None
    if not isinstance(found, dict) or list(found) != ["file holds"]:
        return True, f"{name}: no saved file was observed"
    measured, problem = accuracy(rule, found["file holds"])
    if problem:
        return True, f"{name}: {problem}"
    if measured < rule.target:
        return True, (f"{name}: {100 * measured:.1f}% accuracy on the grader's {len(_test_images()[1])} test "
                      f"images, expected at least {100 * rule.target:.0f}%")
    return True, None
