"""Integrity probe of a graded kernel: loaded before any student code, consulted after every graded test.

The grader starts each graded kernel through :func:`start` (warm: :func:`remember` in the process the kernel
is forked from, then :func:`launch`), which imports torch, numpy and the course's helpers and remembers
the functions and classes they hold. While grading, every graded test cell ends
with a hidden ``verify(globals())``. It raises IntegrityError (so the test scores 0) when student code
replaced something remembered (``torch.allclose``, ``Tensor.__eq__``, a helper,
``helpers.observations.observe``), swapped the code or the defaults of a remembered function
(``check.__code__ = ...`` keeps the function's identity), rebound a helper's name, or left an object
that claims to equal anything; and it leaves a hidden report in the cell's outputs, which the grader
reads outside the kernel (grader.safety.integrity), so a silenced probe shows too.

This file is copied into each job and imported as ``grader_probe``; it must not import the grader.
"""

import builtins
import importlib
import os
import sys
import types

MIME = "application/vnd.grader.integrity+json"
MODULES = ("math", "torch", "torch.nn", "torch.nn.functional", "torch.testing", "torch.linalg", "torch.optim",
           "torch.utils.data", "numpy", "numpy.testing", "helpers.checks", "helpers.quiz", "helpers.seed",
           "helpers.mode", "helpers.device", "helpers.observations")
NAMED_HELPERS = ("helpers.checks", "helpers.quiz", "helpers.seed", "helpers.mode", "helpers.device")  # tests call
# these helpers by their bare names, so a student's name may not rebind them (the hidden blocks import
# helpers.observations' functions afresh each time: a student's function called `inputs` is no tampering)
BUILTINS = ("isinstance", "issubclass", "type", "len", "abs", "all", "any", "round", "float", "int", "bool", "str",
            "repr", "sum", "min", "max", "getattr", "hasattr", "sorted", "zip", "range", "enumerate", "list",
            "tuple", "dict", "set", "id", "callable", "iter", "next", "__import__", "globals", "object", "super",
            "AssertionError", "Exception")
MODULE_NAMES = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional", "np": "numpy"}
MAX_PROBLEMS, MAX_PROBLEM_CHARS = 50, 400  # a report's bounds: the grader takes a report past them for a forgery


class IntegrityError(AssertionError):
    """Student code tampered with what the tests rely on."""


_REMEMBERED: list[tuple[object, str, object]] = []  # (owner, attribute, original value)
_MODULES: dict[str, object] = {}
_HELPER_FUNCTIONS: dict[str, object] = {}
_TOOLS: dict[str, object] = {}
_CODE: dict[int, tuple[object, str, tuple]] = {}  # id(function) -> (function, its name, (code, defaults, kwdefaults))
FUNCTION_PARTS = ("__code__", "__defaults__", "__kwdefaults__")


def _parts(function) -> tuple:
    return tuple(getattr(function, part, None) for part in FUNCTION_PARTS)


def _remember_code(name: str, value) -> None:
    """The code object and defaults of a Python function (or of the function a static or class method holds)."""
    function = getattr(value, "__func__", value)
    if isinstance(function, types.FunctionType) and id(function) not in _CODE:
        _CODE[id(function)] = (function, name, _parts(function))


def _remember(owner, attributes) -> None:
    for attribute in attributes:
        value = vars(owner).get(attribute)
        if value is not None:
            _REMEMBERED.append((owner, attribute, value))
            _remember_code(f"{getattr(owner, '__name__', owner)}.{attribute}", value)


def _limit_printing(budget: int) -> None:
    """Printing past ``budget`` characters (stdout and stderr together) is dropped in the kernel itself,
    and IPython 9's output history (``InteractiveShell._tee`` keeps every printed string of a cell) is
    off: an endless print loop would otherwise fill the kernel's memory at hundreds of MB a second."""
    from contextlib import nullcontext

    from ipykernel.iostream import OutStream
    from IPython.core.interactiveshell import InteractiveShell

    if hasattr(InteractiveShell, "_tee"):
        InteractiveShell._tee = lambda self, channel: nullcontext()

    write, state = OutStream.write, {"left": budget, "noticed": False}

    def limited_write(self, text):
        kept = text[:max(state["left"], 0)]
        state["left"] -= len(kept)
        if kept:
            write(self, kept)
        if len(kept) < len(text) and not state["noticed"]:
            state["noticed"] = True
            write(self, f"\n[grader] output limit reached in the kernel: {budget} characters; "
                        "later printing was dropped\n")
        return len(text)

    OutStream.write = limited_write


def start(output_bytes: int) -> None:
    """The cold path: remember what the tests rely on, then run the kernel."""
    remember()
    launch(output_bytes)


def remember() -> None:
    """Import what the tests rely on and remember its functions and classes (the warm process does this once,
    before any kernel exists, and forks every kernel from it: grader.safety.warm)."""
    for name in MODULES:
        module = importlib.import_module(name)
        _MODULES[name] = module
        _remember(module, [key for key, value in vars(module).items() if callable(value)])
        if name in NAMED_HELPERS:
            _HELPER_FUNCTIONS.update({key: value for key, value in vars(module).items()
                                      if callable(value) and not key.startswith("_")
                                      and getattr(value, "__module__", "") == name})
    import torch
    from IPython.display import display

    from helpers.checks import claims_to_equal_anything

    for cls in (torch.Tensor, torch._C.TensorBase, torch.nn.Module):
        _remember(cls, list(vars(cls)))
    _remember(builtins, BUILTINS)
    _TOOLS.update(display=display, claims=claims_to_equal_anything, module_type=type(sys),
                  torch_dir=os.path.dirname(torch.__file__) + os.sep)


def launch(output_bytes: int) -> None:
    """Cap printing, then run the kernel (ipykernel reads its connection file from sys.argv)."""
    _limit_printing(output_bytes)
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


def _library_wrapper(value, original) -> bool:
    """True for torch's own lazy wrapping of a function (torch._dynamo wraps torch.manual_seed when it is
    first imported): a wrapper of the original whose code lives in torch's read-only install."""
    code = getattr(value, "__code__", None)
    return (getattr(value, "__wrapped__", None) is original and code is not None
            and code.co_filename.startswith(_TOOLS["torch_dir"]))


def problems_in(namespace: dict) -> list[str]:
    """What student code changed: replaced functions, rebound helper names, always-equal objects."""
    found = []
    for owner, attribute, original in _REMEMBERED:
        current = vars(owner).get(attribute)
        if current is not original and not _library_wrapper(current, original):
            found.append(f"{getattr(owner, '__name__', owner)}.{attribute} was replaced")
    for function, name, parts in _CODE.values():
        changed = [part for part, now, then in zip(FUNCTION_PARTS, _parts(function), parts, strict=True)
                   if now is not then]
        if changed:
            found.append(f"the {' and '.join(changed)} of {name} was swapped")
    for name, module in _MODULES.items():
        if sys.modules.get(name) is not module:
            found.append(f"the module {name} was swapped in sys.modules")
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in ("In", "Out", "exit", "quit", "get_ipython"):
            continue
        if name in _HELPER_FUNCTIONS and callable(value) and value is not _HELPER_FUNCTIONS[name]:
            found.append(f"the name {name} no longer refers to the course's helper {name}")
        elif name in MODULE_NAMES and value is not _MODULES[MODULE_NAMES[name]]:
            found.append(f"the name {name} no longer refers to the module {MODULE_NAMES[name]}")
        elif not isinstance(value, (type, _TOOLS["module_type"])) and _TOOLS["claims"](value):
            found.append(f"{name} is an object that claims to equal anything")
    return found


def _bounded(found: list[str]) -> list[str]:
    """The problems as the report carries them: each cut to MAX_PROBLEM_CHARS, at most MAX_PROBLEMS of them."""
    cut = [problem if len(problem) <= MAX_PROBLEM_CHARS else problem[:MAX_PROBLEM_CHARS - 3] + "..."
           for problem in found]
    if len(cut) > MAX_PROBLEMS:
        cut = cut[:MAX_PROBLEMS - 1] + [f"and {len(cut) - MAX_PROBLEMS + 1} more problems"]
    return cut


def verify(namespace: dict) -> None:
    """Report to the grader, and fail the test cell if student code tampered with anything."""
    found = problems_in(namespace)
    _TOOLS["display"]({MIME: {"problems": _bounded(found)}}, raw=True)
    if found:
        raise IntegrityError("integrity check failed: " + "; ".join(found) + ". Tests cannot be passed this "
                             "way; the submission is flagged for the instructor.")
