"""Trained networks judged by the grader itself (grader/grading/evaluation.py): the saved weights are read
by the artifacts loader, then measured in the grader's own network on the FashionMNIST test images."""

import base64
import io

import pytest
import torch
from torch import nn

from grader.authoring.observation_seeds import short_of_the_graders_measure
from grader.grading.differential import disagreement
from grader.grading.evaluation import EVALUATED, PIECE, accuracy, judged
from grader.safety.artifacts import read_files
from helpers.data import fashion_mnist
from helpers.observations import encode

pytestmark = pytest.mark.notebooks
NAME = "weights of a NeuralNetwork trained with make_optimizer"
RULE = EVALUATED[NAME]


def _network() -> nn.Module:
    return RULE.network()


def _trained(lr: float) -> nn.Module:
    """One epoch of Adam on 3,000 training images: what a working make_optimizer gives (lr=1e-3)."""
    torch.manual_seed(5)
    images = fashion_mnist(train=True)
    x, y = images.data[:3000].unsqueeze(1).float() / 255, images.targets[:3000]
    network = _network()
    optimizer = torch.optim.Adam(network.parameters(), lr=lr)
    for start in range(0, 3000, 64):
        nn.functional.cross_entropy(network(x[start:start + 64]), y[start:start + 64]).backward()
        optimizer.step()
        optimizer.zero_grad()
    return network


def _reported(network: nn.Module) -> dict:
    """The report of the hidden block's file of the network's weights, as the kernel shows it."""
    vector = torch.nn.utils.parameters_to_vector(network.parameters()).detach()
    buffer = io.BytesIO()
    torch.save([piece.clone() for piece in vector.split(PIECE)], buffer)
    return {"name": NAME, "value": {"file": base64.b64encode(buffer.getvalue()).decode()}}


def _read(network: nn.Module) -> dict:
    """The student's report value as the grader has it: the hidden block's file, read by the artifacts loader."""
    return read_files({"make_optimizer_test": {NAME: _reported(network)}})["make_optimizer_test"][NAME]["value"]


def test_trained_weights_pass_and_untrained_ones_fail_on_the_graders_images():
    trained, untrained = _read(_trained(1e-3)), _read(_trained(1e-7))
    measured, problem = accuracy(RULE, trained["file holds"])
    assert problem is None and measured >= RULE.target, (measured, problem)
    assert judged(NAME, trained) == (True, None)
    by_grader, problem = judged(NAME, untrained)
    assert by_grader and "accuracy on the grader's 10000 test images, expected at least 65%" in problem


def test_the_comparison_uses_the_graders_measure_not_the_references_value():
    reference = {NAME: {"name": NAME, "value": {"file holds": "anything the reference held"}}}
    assert disagreement(reference, {NAME: {"name": NAME, "value": _read(_trained(1e-3))}}) is None
    assert "expected at least 65%" in disagreement(reference, {NAME: {"name": NAME, "value": _read(_trained(1e-7))}})


@pytest.mark.parametrize("held", [None, "weights", [], [{"tensor": {"values": [1.0] * 10}}],
                                  [{"tensor": {"values": ["x"] * sum(p.numel() for p in _network().parameters())}}],
                                  {"unreadable": "UnpicklingError"}, [{"dict": []}]])
def test_anything_else_in_the_file_is_a_reason_never_an_error(held):
    by_grader, problem = judged(NAME, {"file holds": held})
    assert by_grader and problem.startswith(NAME)


def test_a_report_without_a_file_is_judged_too_and_other_names_are_not():
    assert judged(NAME, encode(0.99)) == (True, f"{NAME}: no saved file was observed")
    assert judged("accuracy", encode(0.99)) == (False, None)


def test_grader_check_names_a_solution_whose_trained_network_falls_short():
    def observed(network):
        return {"make_optimizer_test": {NAME: _reported(network), "other": {"name": "other", "value": 1}}}

    assert short_of_the_graders_measure(observed(_trained(1e-3))) == []
    assert [line.split(":")[0] for line in short_of_the_graders_measure(observed(_trained(1e-7)))] == [
        "test make_optimizer_test"]
