"""What a hidden test reports to the grader, and how two reports are compared: the observation format.

While grading, each hidden test ends by *observing* what the learner's code produced on inputs drawn
from :func:`inputs` (a generator seeded by the grader, a fresh seed for each grading run). The grader
runs the reference solution on the same seed in a kernel of its own and compares the two reports
outside both kernels (grader.grading.differential): code in a student's kernel can change what it
reports, but cannot know the reference's values without computing them.

The format is JSON (never pickle): plain values as they are, and a tagged object for everything else
(tensors with dtype, shape and values; tuples; dicts with their keys in order; dtypes; non-finite
floats). :func:`encode` writes it in the kernel; :func:`difference` compares two reports in the
grader. Dicts compare by key, whatever their order (observe ``list(d)`` where the order matters).
Only while grading (``NBGRADER_EXECUTION`` set) is a report displayed; otherwise, as in a learner's
Jupyter or nbval's runs of the solutions, observing computes the value and shows nothing.

Reports are bounded (:data:`MAX_REPORT_BYTES`, :data:`MAX_DEPTH`, integers within :data:`MAX_INT`):
:func:`encode` refuses a value past them in the kernel, and the grader refuses a report past them
(:func:`report_problem`) before it compares anything. While grading, each test's observation block
starts with a line the grader adds for the run, :func:`begin` with a fresh nonce that every report of
the block carries: a report shown before the block's source reached the kernel cannot carry it.
"""

import json
import math
import os

MIME = "application/vnd.grader.observation+json"
HEADING = "# Observed by the grader"  # the first line of a test cell's observation block (a hidden-test block)
SEED_VARIABLE = "GRADER_OBSERVATION_SEED"
DEFAULT_SEED = 20261202  # outside grading: reproducible runs of the solutions
MAX_VALUES = 100_000  # numbers per observation: observe a summary, not a dataset
MAX_FILE_BYTES = 8 * 2**20  # an observed file (observe_file)
DEFAULT_RTOL, DEFAULT_ATOL = 1e-4, 1e-6
MAX_REPORT_BYTES = 12 * 2**20  # one report as JSON (an observed file's base64 fits)
MAX_DEPTH = 32  # nesting of lists and dicts in a report
MAX_INT = 2**64  # the largest integer magnitude a report may hold (an int64 or uint64 tensor's values fit)
MAX_NAME = 200  # characters of an observation's name
_block: dict[str, str | None] = {"nonce": None}  # the nonce of the observation block running now (begin)


def begin(nonce: str) -> None:
    """Start an observation block of this grading run: its reports carry ``nonce`` (the grader adds the call)."""
    _block["nonce"] = nonce


def seed() -> int:
    """The seed the grader drew for this grading run, the same in the student's and the reference's kernel."""
    try:
        return int(os.environ.get(SEED_VARIABLE, DEFAULT_SEED))
    except ValueError:
        return DEFAULT_SEED


def inputs(stream: int = 0):
    """A torch Generator for the inputs of one observation; ``stream`` tells apart several in one test."""
    import torch

    return torch.Generator().manual_seed((seed() * 1_000_003 + stream) % 2**63)


def _number(value: float):
    return value if math.isfinite(value) else {"float": repr(value)}


def encode(value, depth: int = 0):
    """``value`` as JSON-ready data; TypeError for what the format does not hold (observe values, not objects)."""
    import torch

    if depth > MAX_DEPTH:
        raise TypeError(f"an observed value is nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise TypeError(f"an observed integer has {len(str(abs(value)))} digits, more than the 2**64 allowed")
        return int(value)
    if isinstance(value, float):
        return _number(float(value))
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
        if tensor.numel() > MAX_VALUES:
            raise TypeError(f"an observed tensor has {tensor.numel()} values, more than {MAX_VALUES}")
        flat = tensor.reshape(-1).tolist()
        values = [_number(item) if isinstance(item, float) else item for item in flat]
        return {"tensor": {"dtype": str(tensor.dtype).removeprefix("torch."), "shape": list(tensor.shape),
                           "values": values}}
    if isinstance(value, torch.dtype):
        return {"dtype": str(value).removeprefix("torch.")}
    if isinstance(value, torch.device):
        return {"device": str(value)}
    if isinstance(value, (tuple, torch.Size)):
        return {"tuple": [encode(item, depth + 2) for item in value]}
    if isinstance(value, list):
        return [encode(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {"dict": [[encode(key, depth + 3), encode(item, depth + 3)] for key, item in value.items()]}
    if hasattr(value, "__array__") and getattr(value, "ndim", None) == 0:  # a NumPy scalar
        return encode(value.item(), depth)
    if hasattr(value, "__array__"):  # a NumPy array
        return {"array": encode(torch.as_tensor(value.__array__()), depth + 1)}
    raise TypeError(f"cannot observe a {type(value).__name__}: observe numbers, strings, tensors, "
                    "or tuples, lists and dicts of them")


def observe(name: str, value, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> None:
    """Report ``value`` to the grader under ``name`` (unique within its test cell). Floats and tensors
    compare within ``rtol`` and ``atol``, as the reference's report states them; all else compares exactly."""
    from IPython.display import display

    from helpers.mode import is_grading

    report = {"name": name, "value": encode(value), "rtol": rtol, "atol": atol}
    if is_grading():
        _show(display, report)


def _show(display, report: dict) -> None:
    """Display ``report`` for the grader, with the running block's nonce; TypeError past the size bound."""
    report["nonce"] = _block["nonce"]
    size = len(json.dumps(report))
    if size > MAX_REPORT_BYTES:
        raise TypeError(f"an observation of {size} bytes is more than the {MAX_REPORT_BYTES} allowed: "
                        "observe a summary, not a dataset")
    display({MIME: report}, raw=True)


def observe_file(name: str, path, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> None:
    """Report a file the learner's code saved with ``torch.save`` (a state_dict, a checkpoint). The grader
    loads it itself, outside the kernel and with ``torch.load(..., weights_only=True)``, and compares
    what it holds; the kernel's own reading of the file never counts."""
    import base64
    from pathlib import Path

    from IPython.display import display

    from helpers.mode import is_grading

    data = Path(path).read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise TypeError(f"an observed file has {len(data)} bytes, more than {MAX_FILE_BYTES}")
    if is_grading():
        _show(display, {"name": name, "value": {"file": base64.b64encode(data).decode("ascii")},
                        "rtol": rtol, "atol": atol})


def decode_number(value) -> float | int | None:
    """A number of the format (a plain number, or a tagged non-finite float); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dict) and list(value) == ["float"] and value["float"] in ("nan", "inf", "-inf"):
        return float(value["float"])
    return None


def shape_problem(value, max_bytes: int = MAX_REPORT_BYTES) -> str | None:
    """Why ``value`` is not plain JSON data within the bounds of a report (about ``max_bytes`` of JSON,
    :data:`MAX_DEPTH` levels, integers within :data:`MAX_INT`), or None. Walks without recursion."""
    stack, size = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"it is nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, bool) or item is None:
            size += 5
        elif isinstance(item, int):
            if abs(item) > MAX_INT:
                return "it holds an integer larger than 2**64"
            size += 21
        elif isinstance(item, float):
            size += 24
        elif isinstance(item, str):
            size += len(item) + 2
        elif isinstance(item, list):
            size += 2 + len(item)
            stack.extend((element, depth + 1) for element in item)
        elif isinstance(item, dict):
            if not all(isinstance(key, str) for key in item):
                return "it holds a dict whose keys are not all strings"
            size += 2 + sum(len(key) + 4 for key in item)
            stack.extend((element, depth + 1) for element in item.values())
        else:
            return f"it holds a {type(item).__name__}, which JSON does not"
        if size > max_bytes:
            return f"it is larger than {max_bytes} bytes"
    return None


def report_problem(report) -> str | None:
    """Why ``report`` (read from a kernel) is not a report :func:`observe` could have shown, or None."""
    if not isinstance(report, dict) or not {"name", "value"} <= set(report) or not set(report) <= {
            "name", "value", "rtol", "atol", "nonce"}:
        return "a report that is not a dict of name, value, rtol, atol and nonce"
    name = report["name"]
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        return f"a report whose name is not a string of 1 to {MAX_NAME} characters"
    for tolerance in ("rtol", "atol"):
        given = report.get(tolerance, 0.0)
        if isinstance(given, bool) or not isinstance(given, (int, float)) or not 0 <= given <= 1e6:
            return f"a report of {_short(name)} whose {tolerance} is not a number from 0 to 1e6"
    if not isinstance(report.get("nonce"), (str, type(None))):
        return f"a report of {_short(name)} whose nonce is not a string"
    problem = shape_problem(report["value"])
    return f"a report of {_short(name)} that the format does not hold: {problem}" if problem else None


def _float(number: float | int) -> float:
    """``number`` as a float; an integer too large for one becomes an infinity of its sign."""
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def _close(expected, found, rtol, atol) -> bool:
    if isinstance(expected, int) and isinstance(found, int):
        return expected == found
    expected, found = _float(expected), _float(found)
    if math.isnan(expected) or math.isnan(found):
        return math.isnan(expected) and math.isnan(found)
    if math.isinf(expected) or math.isinf(found):
        return expected == found
    tolerance = _float(atol) + _float(rtol) * abs(expected)
    return abs(found - expected) <= tolerance  # False when the tolerance is NaN


def difference(expected, found, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, where: str = "") -> str | None:
    """How ``found`` differs from ``expected`` (both in the format), or None when they agree.

    Total: any data (from an untrusted kernel, or a broken reference) gives a value and never an error.
    Data past a report's bounds (:func:`shape_problem`) is a difference, without being compared."""
    label = where or "the value"
    if not all(isinstance(tolerance, (int, float)) for tolerance in (rtol, atol)):
        return f"{label}: the reference's tolerances are not numbers"
    problem = shape_problem(expected)
    if problem:
        return f"{label}: the reference's report is not in the observation format ({problem})"
    problem = shape_problem(found)
    if problem:
        return f"{label}: the observed value is not in the observation format ({problem})"
    return _difference(expected, found, rtol, atol, label)


def _difference(expected, found, rtol, atol, label: str) -> str | None:
    """:func:`difference` for data within a report's bounds (so nesting is shallow and integers are small)."""
    number = decode_number(expected)
    if number is not None:
        other = decode_number(found)
        if other is None or isinstance(other, float) != isinstance(number, float) and not (
                isinstance(number, float) and isinstance(other, int)):
            return f"{label}: expected the number {number!r}, found {_short(found)}"
        return None if _close(number, other, rtol, atol) else f"{label}: expected {number!r}, found {other!r}"
    if expected is None or isinstance(expected, (bool, str)):
        return None if type(found) is type(expected) and found == expected else (
            f"{label}: expected {_short(expected)}, found {_short(found)}")
    if isinstance(expected, list):
        if not isinstance(found, list) or len(found) != len(expected):
            return f"{label}: expected a list of {len(expected)}, found {_short(found)}"
        return _first_difference(expected, found, rtol, atol, label)
    if not isinstance(expected, dict) or len(expected) != 1:
        return f"{label}: the reference's report is not in the observation format"
    (kind, inner), = expected.items()
    if not isinstance(found, dict) or list(found) != [kind]:
        return f"{label}: expected a {kind[:40]}, found {_short(found)}"
    other = found[kind]
    if kind in ("dtype", "device"):
        return None if other == inner else f"{label}: expected {kind} {_plain(inner)}, found {_short(other)}"
    if kind == "tuple":
        if not isinstance(inner, list):
            return f"{label}: the reference's report is not in the observation format"
        if not isinstance(other, list) or len(other) != len(inner):
            return f"{label}: expected a tuple of {len(inner)}, found {_short(other)}"
        return _first_difference(inner, other, rtol, atol, label)
    if kind == "dict":
        return _dict_difference(inner, other, rtol, atol, label)
    if kind == "file holds":  # what the grader read from a saved file (grader.safety.artifacts)
        return _difference(inner, other, rtol, atol, f"{label} (what the saved file holds)")
    if kind in ("tensor", "array"):
        return _tensor_difference(inner, other, rtol, atol, label)
    return f"{label}: the reference's report holds an unknown kind {_short(kind)}"


def _pairs(value) -> bool:
    return isinstance(value, list) and all(isinstance(pair, list) and len(pair) == 2 for pair in value)


def _dict_difference(expected, found, rtol, atol, label) -> str | None:
    if not _pairs(expected):
        return f"{label}: the reference's report is not in the observation format"
    if not _pairs(found):
        return f"{label}: expected a dict, found {_short(found)}"
    found_by_key = {_key(key): item for key, item in found}
    keys = [key for key, _ in expected]
    if sorted(found_by_key) != sorted(_key(key) for key in keys) or len(found_by_key) != len(found):
        return f"{label}: expected the keys {_short(keys)}, found {_short([key for key, _ in found])}"
    return _first_difference([item for _, item in expected], [found_by_key[_key(key)] for key in keys],
                             rtol, atol, label, keys)


def _first_difference(expected: list, found: list, rtol, atol, label, keys=None) -> str | None:
    for index, (item, other) in enumerate(zip(expected, found, strict=True)):
        position = f"[{_short(keys[index])}]" if keys else f"[{index}]"
        problem = _difference(item, other, rtol, atol, f"{label}{position}")
        if problem:
            return problem
    return None


def _is_tensor(value) -> bool:
    return isinstance(value, dict) and {key: type(value.get(key)) for key in ("dtype", "shape", "values")} == {
        "dtype": str, "shape": list, "values": list}


def _tensor_difference(expected, found, rtol, atol, label) -> str | None:
    if isinstance(expected, dict) and list(expected) == ["tensor"]:  # an array holds a tensor
        return _difference(expected, found, rtol, atol, label)
    if not _is_tensor(expected):
        return f"{label}: the reference's report is not in the observation format"
    if not _is_tensor(found):
        return f"{label}: expected a tensor, found {_short(found)}"
    if found["dtype"] != expected["dtype"]:
        return f"{label}: expected a tensor of dtype {_plain(expected['dtype'])}, found {_plain(found['dtype'])}"
    if found["shape"] != expected["shape"] or len(found["values"]) != len(expected["values"]):
        return f"{label}: expected a tensor of shape {_plain(expected['shape'])}, found {_short(found['shape'])}"
    for index, (item, other) in enumerate(zip(expected["values"], found["values"], strict=True)):
        if isinstance(item, bool) or isinstance(other, bool):
            if item is not other:
                return f"{label}: value {index} of the tensor: expected {_short(item)}, found {_short(other)}"
            continue
        number, candidate = decode_number(item), decode_number(other)
        if number is None or candidate is None:
            return f"{label}: value {index} of the tensor: expected {_short(item)}, found {_short(other)}"
        if not _close(_float(number), _float(candidate), rtol, atol):
            return f"{label}: value {index} of the tensor: expected {number!r}, found {candidate!r}"
    return None


def _key(encoded) -> str:
    return json.dumps(encoded, sort_keys=True)


def _plain(value) -> str:
    """A string as it is, anything else as its repr, cut to 80 characters."""
    return _short(value)[1:-1] if isinstance(value, str) and len(value) <= 78 else _short(value)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
