"""helpers.checks: each failure says what was expected, what was found, and a nudge."""

import io

import pytest
import torch
from torch import nn

from helpers import checks


def message_of(call, *args, **kwargs) -> str:
    with pytest.raises(AssertionError) as failure:
        call(*args, **kwargs)
    return str(failure.value)


def test_none_suggests_a_missing_return():
    assert "Did you forget a `return` statement?" in message_of(checks.assert_type, "result", None, float)


def test_type_names_both_types_and_the_nudge():
    text = message_of(checks.assert_type, "result", 3, (float, str), "Use float().")
    assert text == "`result` is an int, expected a float or str. Use float()."


def test_shape_mismatch():
    text = message_of(checks.assert_shape, "x", torch.zeros(2, 3), (3, 2), "Transpose it.")
    assert text == "`x` has shape (2, 3), expected (3, 2). Transpose it."


def test_dtype_mismatch():
    assert "has dtype torch.float64, expected torch.float32" in message_of(
        checks.assert_dtype, "x", torch.zeros(2, dtype=torch.float64), torch.float32)


def test_close_reports_the_difference_and_the_nudge():
    text = message_of(checks.assert_close, "loss", torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.5]), "Average it.")
    assert text.startswith("`loss` does not match the expected value.")
    assert "Greatest absolute difference: 0.5" in text and text.endswith("\nAverage it.")


def test_not_attempted_names_the_exercise_and_what_to_do():
    assert str(checks.NotAttempted("Exercise 2.4")) == (
        "Exercise 2.4 is not attempted yet: write your code in the cell above, then run this cell again.")
    assert isinstance(checks.NotAttempted("x"), AssertionError)


def test_close_accepts_equal_values_and_python_numbers():
    checks.assert_close("accuracy", 0.75, torch.tensor(0.75))
    checks.assert_close("values", torch.ones(3, dtype=torch.float64), torch.ones(3))


def test_equal():
    assert (message_of(checks.assert_equal, "name", "cat", "owl", "Look again.")
            == "`name` is 'cat', expected 'owl'. Look again.")
    checks.assert_equal("name", "owl", "owl")


def test_module_class_instead_of_instance():
    assert "is the class Linear, expected an instance of it" in message_of(checks.assert_is_module, "model", nn.Linear)
    assert "is a tuple, expected a Module" in message_of(checks.assert_is_module, "model", (nn.Linear(1, 1),))


def test_missing_gradient():
    weight = torch.ones(2, requires_grad=True)
    assert "`w.grad` is None" in message_of(checks.assert_grad_present, "w", weight)
    weight.sum().backward()
    checks.assert_grad_present("w", weight)


def test_passed_line(capsys):
    checks.passed("Exercise 9.9")
    assert capsys.readouterr().out == "Exercise 9.9 passed.\n"


class AlwaysEqual:
    """The classic cheat: an object whose == says True to anything."""

    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class FloatThatAlwaysEquals(float):
    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize("check", [
    lambda: checks.assert_equal("answer", AlwaysEqual(), 3),
    lambda: checks.assert_equal("answer", [1, AlwaysEqual()], [1, 2]),
    lambda: checks.assert_equal("answer", FloatThatAlwaysEquals(0.0), 0.75),
    lambda: checks.assert_close("answer", AlwaysEqual(), 1.0),
    lambda: checks.assert_type("answer", FloatThatAlwaysEquals(1.0), float),
])
def test_an_object_that_claims_to_equal_anything_fails_the_checks(check):
    assert "claims to equal anything" in message_of(check)


def test_genuine_values_are_not_mistaken_for_always_equal_objects():
    import numpy as np

    for value in [0, 1, 2.5, "b", (1, 2), [3], {"a": 1}, None, True, torch.zeros(3), torch.tensor(1.0), np.zeros(2)]:
        assert not checks.claims_to_equal_anything(value), value


def test_replacing_torch_comparisons_does_not_pass_a_wrong_value(monkeypatch):
    monkeypatch.setattr(torch.testing, "assert_close", lambda *args, **kwargs: None)
    monkeypatch.setattr(torch, "allclose", lambda *args, **kwargs: True)
    monkeypatch.setattr(torch, "as_tensor", lambda value, *args, **kwargs: torch.zeros(1))
    assert "does not match the expected value" in message_of(
        checks.assert_close, "x", torch.tensor([1.0]), torch.tensor([2.0]))


def test_unmoved_batches_tell_moved_batches_from_the_others():
    batches = checks.UnmovedBatches([(torch.zeros(2), torch.ones(2))] * 3)
    assert len(batches) == 3
    X, y = next(iter(batches))
    assert isinstance(X, checks.NotMoved) and isinstance(y, checks.NotMoved)
    moved = X.to("cpu")
    assert not isinstance(moved, checks.NotMoved) and torch.equal(moved, torch.zeros(2))


def test_recorded_calls_note_arguments_by_name_and_restore_the_original():
    def train(loader, epochs=1, description=None):
        return description
    namespace = {"train": train}
    with checks.recorded_calls(namespace, "train", description="quiet") as calls:
        assert namespace["train"]("data", description="epoch 1") == "quiet"
        namespace["train"]("data", 2)
    assert calls == [{"loader": "data", "description": "epoch 1"}, {"loader": "data", "epochs": 2}]
    assert namespace["train"] is train


def test_recorded_calls_on_a_module_attribute():
    original, stored = torch.load, io.BytesIO()
    torch.save(torch.arange(3), stored)
    stored.seek(0)
    with checks.recorded_calls(torch, "load") as calls:
        assert torch.equal(torch.load(stored, map_location="cpu", weights_only=True), torch.arange(3))
    assert torch.load is original
    assert calls[0]["map_location"] == "cpu" and calls[0]["weights_only"] is True


def test_recorded_calls_on_an_inherited_method_leave_the_class_as_it_was():
    class Base:
        def run(self, feed):
            return feed

    class Session(Base):
        pass

    with checks.recorded_calls(Session, "run") as calls:
        assert Session().run(feed={"x": 1}) == {"x": 1}
    assert "run" not in vars(Session) and calls[0]["feed"] == {"x": 1}
