"""Assertions whose messages teach: what was expected, what was found, and a nudge.

Exercise test cells use these so a failing check reads like advice, not a stack trace. Two instruments
help them check effects rather than code: :class:`UnmovedBatches` (was each batch moved to the device?)
and :func:`recorded_calls` (what a function was called with).
The checks compare with the functions as they were when this module was imported (before any exercise
code ran), and refuse objects that claim to equal anything, so replacing ``torch.allclose`` or
returning an "always equal" object cannot pass a test.
Introduced in lessons/01_quickstart.ipynb.
"""

import inspect
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

_torch_assert_close = torch.testing.assert_close
_as_tensor = torch.as_tensor
_Tensor = torch.Tensor


RED, RESET = "\x1b[31m", "\x1b[0m"


class CheckFailed(AssertionError):
    """A failed check. In Jupyter it shows as its teaching message alone: no traceback through helpers/."""

    def _render_traceback_(self) -> list[str]:
        lines = str(self).splitlines() or [type(self).__name__]
        return [f"{RED}\u2718 {lines[0]}{RESET}", *lines[1:]]


def _fail(message: str, nudge: str) -> None:
    raise CheckFailed(f"{message}{' ' + nudge if nudge else ''}")


def _article(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


class _Unmatched:
    """A fresh object that no genuine value equals."""


def claims_to_equal_anything(value) -> bool:
    """True for an object (or a list, tuple or dict holding one) whose ``==`` says True to anything."""
    if isinstance(value, (list, tuple)):
        return any(claims_to_equal_anything(item) for item in value)
    if isinstance(value, dict):
        return any(claims_to_equal_anything(item) for item in [*value.keys(), *value.values()])
    if isinstance(value, _Tensor):
        return False
    try:
        answer = value == _Unmatched()
        return answer is not NotImplemented and not hasattr(answer, "shape") and bool(answer)
    except Exception:
        return False


def _refuse_always_equal(name: str, value) -> None:
    if claims_to_equal_anything(value):
        _fail(f"`{name}` is a {type(value).__name__} object that claims to equal anything (its == always "
              "answers True), expected a real value.", "Return the value itself, computed by your code.")


def assert_not_none(name: str, value) -> None:
    """``value`` must not be None; the usual cause is a missing ``return``."""
    if value is None:
        _fail(f"`{name}` is None, expected a value.", "Did you forget a `return` statement?")


def assert_type(name: str, value, expected: type | tuple[type, ...], nudge: str = "") -> None:
    """``value`` must be an instance of ``expected``."""
    assert_not_none(name, value)
    _refuse_always_equal(name, value)
    if not isinstance(value, expected):
        wanted = " or ".join(t.__name__ for t in expected) if isinstance(expected, tuple) else expected.__name__
        _fail(f"`{name}` is {_article(type(value).__name__)}, expected {_article(wanted)}.", nudge)


def assert_shape(name: str, tensor: torch.Tensor, expected: tuple[int, ...], nudge: str = "") -> None:
    """``tensor`` must be a tensor of shape ``expected``."""
    assert_type(name, tensor, torch.Tensor)
    if tuple(tensor.shape) != tuple(expected):
        _fail(f"`{name}` has shape {tuple(tensor.shape)}, expected {tuple(expected)}.", nudge)


def assert_dtype(name: str, tensor: torch.Tensor, expected: torch.dtype, nudge: str = "") -> None:
    """``tensor`` must have dtype ``expected``."""
    assert_type(name, tensor, torch.Tensor)
    if tensor.dtype != expected:
        _fail(f"`{name}` has dtype {tensor.dtype}, expected {expected}.", nudge)


def assert_close(name: str, actual, expected, nudge: str = "", rtol: float | None = None,
                 atol: float | None = None) -> None:
    """``actual`` must equal ``expected`` up to float tolerance (``torch.testing.assert_close``)."""
    assert_not_none(name, actual)
    _refuse_always_equal(name, actual)

    advice = f"\n{nudge}" if nudge else ""  # the course's advice on its own line, after torch's comparison

    def message(detail: str) -> str:
        return f"`{name}` does not match the expected value. {detail.strip()}{advice}"

    try:
        _torch_assert_close(_as_tensor(actual), _as_tensor(expected), rtol=rtol, atol=atol,
                            check_dtype=False, check_device=False, msg=message)
    except AssertionError as error:
        raise CheckFailed(str(error)) from None


def assert_equal(name: str, actual, expected, nudge: str = "") -> None:
    """``actual == expected`` for plain Python values (strings, numbers, tuples)."""
    _refuse_always_equal(name, actual)
    if not actual == expected:
        _fail(f"`{name}` is {actual!r}, expected {expected!r}.", nudge)


def assert_is_module(name: str, value, nudge: str = "") -> None:
    """``value`` must be an ``nn.Module`` instance (not the class, not a tuple)."""
    if isinstance(value, type) and issubclass(value, nn.Module):
        _fail(f"`{name}` is the class {value.__name__}, expected an instance of it.",
              nudge or f"Call it: {value.__name__}().")
    assert_type(name, value, nn.Module, nudge)


def assert_grad_present(name: str, tensor: torch.Tensor, nudge: str = "") -> None:
    """``tensor.grad`` must have been filled by ``backward()``."""
    assert_type(name, tensor, torch.Tensor)
    if tensor.grad is None:
        _fail(f"`{name}.grad` is None, expected gradients.",
              nudge or "Did you set requires_grad=True and call .backward() on the loss?")


class NotMoved(torch.Tensor):
    """A batch a test hands out before any move: ``.to(...)`` gives back a plain tensor, as a move to a device
    does, so the test can tell the batches a function moved from those it used as they came."""

    def to(self, *args, **kwargs):
        return self.as_subclass(_Tensor).to(*args, **kwargs)


class UnmovedBatches:
    """The batches of ``loader`` (tuples of tensors) as :class:`NotMoved` tensors; ``len()`` is the loader's."""

    def __init__(self, loader):
        self.loader = loader

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self):
        for batch in self.loader:
            yield tuple(tensor.as_subclass(NotMoved) for tensor in batch)


@contextmanager
def recorded_calls(owner, name: str, **overrides) -> Iterator[list[dict]]:
    """While active, ``owner.name`` (or ``owner[name]`` when ``owner`` is a dict such as ``globals()``) notes the
    arguments of each call, by parameter name, in the list it yields, then runs the original with ``overrides``
    replacing those arguments (e.g. ``description=None`` to keep a progress bar out of a test)."""
    original = owner[name] if isinstance(owner, dict) else getattr(owner, name)
    signature = inspect.signature(original)
    calls: list[dict] = []

    def stand_in(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        calls.append(dict(bound.arguments))
        bound.arguments.update(overrides)
        return original(*bound.args, **bound.kwargs)

    inherited = not isinstance(owner, dict) and name not in vars(owner)   # e.g. a method of a base class
    if isinstance(owner, dict):
        owner[name] = stand_in
    else:
        setattr(owner, name, stand_in)
    try:
        yield calls
    finally:
        if isinstance(owner, dict):
            owner[name] = original
        elif inherited:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def check(condition, message: str) -> None:
    """``assert condition, message`` for test cells, shown as the message alone."""
    if not condition:
        raise CheckFailed(message)


class NotAttempted(CheckFailed):
    """An exercise whose answer cell still holds its stub (released lessons raise this in place of the answer)."""

    def __init__(self, exercise: str):
        super().__init__(f"{exercise} is not attempted yet: write your code in the cell above, "
                         "then run this cell again.")
        self.exercise = exercise

    def _render_traceback_(self) -> list[str]:
        """In the exercise's own test, the message; in any other cell, what that cell waits for."""
        if f'passed("{self.exercise}")' in _running_cell():
            return super()._render_traceback_()
        return [f"{RED}\u2718 This cell needs {self.exercise}, which is not attempted yet: write your code in its "
                f"answer cell (marked # YOUR CODE HERE), run it, then run this cell again.{RESET}"]


def _running_cell() -> str:
    """The source of the cell IPython is running, or '' outside IPython."""
    try:
        from IPython import get_ipython
        return get_ipython().user_ns["_ih"][-1]
    except (ImportError, AttributeError, KeyError, IndexError, TypeError):
        return ""


def passed(exercise: str) -> None:
    """Print the one positive line that ends a passing test cell."""
    print(f"{exercise} passed.")
