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


def encode(value):
    """``value`` as JSON-ready data; TypeError for what the format does not hold (observe values, not objects)."""
    import torch

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
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
        return {"tuple": [encode(item) for item in value]}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {"dict": [[encode(key), encode(item)] for key, item in value.items()]}
    if hasattr(value, "__array__") and getattr(value, "ndim", None) == 0:  # a NumPy scalar
        return encode(value.item())
    if hasattr(value, "__array__"):  # a NumPy array
        return {"array": encode(torch.as_tensor(value.__array__()))}
    raise TypeError(f"cannot observe a {type(value).__name__}: observe numbers, strings, tensors, "
                    "or tuples, lists and dicts of them")


def observe(name: str, value, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL) -> None:
    """Report ``value`` to the grader under ``name`` (unique within its test cell). Floats and tensors
    compare within ``rtol`` and ``atol``, as the reference's report states them; all else compares exactly."""
    from IPython.display import display

    from helpers.mode import is_grading

    report = {"name": name, "value": encode(value), "rtol": rtol, "atol": atol}
    if is_grading():
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
        display({MIME: {"name": name, "value": {"file": base64.b64encode(data).decode("ascii")},
                        "rtol": rtol, "atol": atol}}, raw=True)


def decode_number(value) -> float | int | None:
    """A number of the format (a plain number, or a tagged non-finite float); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, dict) and list(value) == ["float"] and value["float"] in ("nan", "inf", "-inf"):
        return float(value["float"])
    return None


def _close(expected, found, rtol: float, atol: float) -> bool:
    if isinstance(expected, int) and isinstance(found, int):
        return expected == found
    if math.isnan(expected) or math.isnan(found):
        return math.isnan(expected) and math.isnan(found)
    if math.isinf(expected) or math.isinf(found):
        return expected == found
    return abs(found - expected) <= atol + rtol * abs(expected)


def difference(expected, found, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, where: str = "") -> str | None:
    """How ``found`` differs from ``expected`` (both in the format), or None when they agree.

    ``found`` comes from an untrusted kernel: any shape of data is possible and never raises here."""
    label = where or "the value"
    number = decode_number(expected)
    if number is not None:
        other = decode_number(found)
        if other is None or isinstance(other, float) != isinstance(number, float) and not (
                isinstance(number, float) and isinstance(other, int)):
            return f"{label}: expected the number {number!r}, found {_short(found)}"
        return None if _close(number, other, rtol, atol) else f"{label}: expected {number!r}, found {other!r}"
    if expected is None or isinstance(expected, (bool, str)):
        return None if type(found) is type(expected) and found == expected else (
            f"{label}: expected {expected!r}, found {_short(found)}")
    if isinstance(expected, list):
        if not isinstance(found, list) or len(found) != len(expected):
            return f"{label}: expected a list of {len(expected)}, found {_short(found)}"
        return _first_difference(expected, found, rtol, atol, label)
    if not isinstance(expected, dict) or len(expected) != 1:
        return f"{label}: the reference's report is not in the observation format"
    (kind, inner), = expected.items()
    if not isinstance(found, dict) or list(found) != [kind]:
        return f"{label}: expected a {kind}, found {_short(found)}"
    other = found[kind]
    if kind in ("dtype", "device"):
        return None if other == inner else f"{label}: expected {kind} {inner}, found {_short(other)}"
    if kind == "tuple":
        if not isinstance(other, list) or len(other) != len(inner):
            return f"{label}: expected a tuple of {len(inner)}, found {_short(other)}"
        return _first_difference(inner, other, rtol, atol, label)
    if kind == "dict":
        if not isinstance(other, list) or not all(isinstance(pair, list) and len(pair) == 2 for pair in other):
            return f"{label}: expected a dict, found {_short(other)}"
        found_by_key = {_key(key): item for key, item in other}
        keys = [key for key, _ in inner]
        if sorted(found_by_key) != sorted(_key(key) for key in keys) or len(found_by_key) != len(other):
            return f"{label}: expected the keys {_short(keys)}, found {_short([key for key, _ in other])}"
        return _first_difference([item for _, item in inner], [found_by_key[_key(key)] for key in keys],
                                 rtol, atol, label, keys)
    if kind == "file holds":  # what the grader read from a saved file (grader.safety.artifacts)
        return difference(inner, other, rtol, atol, f"{label} (what the saved file holds)")
    if kind in ("tensor", "array"):
        return _tensor_difference(inner, other, rtol, atol, label)
    return f"{label}: the reference's report holds an unknown kind {kind!r}"


def _first_difference(expected: list, found: list, rtol, atol, label, keys=None) -> str | None:
    for index, (item, other) in enumerate(zip(expected, found, strict=True)):
        position = f"[{keys[index]!r}]" if keys else f"[{index}]"
        problem = difference(item, other, rtol, atol, f"{label}{position}")
        if problem:
            return problem
    return None


def _tensor_difference(expected, found, rtol, atol, label) -> str | None:
    if isinstance(expected, dict) and "tensor" in expected:  # an array holds a tensor
        return difference(expected, found, rtol, atol, label)
    if not isinstance(found, dict) or {key: type(found.get(key)) for key in ("dtype", "shape", "values")} != {
            "dtype": str, "shape": list, "values": list}:
        return f"{label}: expected a tensor, found {_short(found)}"
    if found["dtype"] != expected["dtype"]:
        return f"{label}: expected a tensor of dtype {expected['dtype']}, found {found['dtype']}"
    if found["shape"] != expected["shape"] or len(found["values"]) != len(expected["values"]):
        return f"{label}: expected a tensor of shape {expected['shape']}, found {_short(found['shape'])}"
    for index, (item, other) in enumerate(zip(expected["values"], found["values"], strict=True)):
        if isinstance(item, bool) or isinstance(other, bool):
            if item is not other:
                return f"{label}: value {index} of the tensor: expected {item!r}, found {_short(other)}"
            continue
        number, candidate = decode_number(item), decode_number(other)
        if number is None or candidate is None:
            return f"{label}: value {index} of the tensor: expected {item!r}, found {_short(other)}"
        if number is not None and not _close(float(number), float(candidate), rtol, atol):
            return f"{label}: value {index} of the tensor: expected {number!r}, found {candidate!r}"
    return None


def _key(encoded) -> str:
    return json.dumps(encoded, sort_keys=True)


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
