"""The artifacts loader's inside: reads the files a graded notebook saved, in a sandbox, as the sandbox's user.

``python -I loader.py LIMITS_JSON`` (grader.safety.artifacts starts it, inside bwrap and the notebook's
control group): it first sets its own resource limits (address space, CPU, files of a few KiB at most),
then reads base64 files as a JSON list on stdin and writes, for each, what it holds in the observation
format, or why it was refused, as a JSON list on stdout.

Each file must be what ``torch.save`` writes: a zip archive of stored (uncompressed) entries, whose sizes
fit in the file itself; anything else (a compressed entry, a size claimed beyond the file: a zip bomb) is
refused before torch reads it. ``torch.load(..., weights_only=True)`` then accepts only tensors and plain
containers; a tensor that claims more values than an observation may hold (a view of one number that
claims terabytes) is refused before anything reads its values.

This file is bound alone into the sandbox: it imports only the standard library, torch and helpers.
"""

import base64
import io
import json
import resource
import sys
import zipfile

TIB = 2**40
FILE_BYTES = 256 * 2**20  # the largest file it may write: its answer on stdout is one (the grader's temporary file,
# bounded there by grader.safety.artifacts.OUTPUT_BYTES: a trained network's weights take about 14 MB); any other
# file lands on its /tmp, a tmpfs of 1 MiB


def limit(limits: dict) -> None:
    """This process's limits, set before it reads anything."""
    for name, value in (("RLIMIT_AS", limits["memory_bytes"]), ("RLIMIT_CPU", limits["cpu_seconds"]),
                        ("RLIMIT_FSIZE", FILE_BYTES), ("RLIMIT_CORE", 0), ("RLIMIT_NOFILE", 256)):
        resource.setrlimit(getattr(resource, name), (value, value))


def archive_problem(data: bytes) -> str | None:
    """Why ``data`` is not an archive torch.save could have written, or None."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return "not a file torch.save writes (it is not a zip archive)"
    with archive:
        unpacked = 0
        for entry in archive.infolist():
            if entry.compress_type != zipfile.ZIP_STORED:
                return (f"the archive's entry {entry.filename[:80]!r} is compressed ({entry.file_size} bytes "
                        f"unpacked from {entry.compress_size}); torch.save never compresses: refused as a zip bomb")
            unpacked += entry.file_size
        if unpacked > len(data):
            return (f"the archive claims {unpacked} bytes unpacked in a file of {len(data)} bytes: "
                    "refused as a zip bomb")
    return None


def _tensors(value, depth: int = 0):
    import torch

    if depth > 64:
        return
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors(item, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors(item, depth + 1)


def tensor_problem(value) -> str | None:
    """Why what a file holds is refused (a tensor claiming more values than an observation holds), or None."""
    from helpers.observations import MAX_VALUES

    for tensor in _tensors(value):
        if tensor.numel() > MAX_VALUES:
            claimed = tensor.numel() * tensor.element_size()
            return (f"a tensor of shape {list(tensor.shape)} claims {tensor.numel()} values "
                    f"({claimed / TIB:.3g} TiB), more than the {MAX_VALUES} an observation holds: refused")
    return None


def contents(encoded) -> object:
    """What one base64 file holds, in the observation format, or {"unreadable": why}."""
    import torch

    from helpers.observations import MAX_FILE_BYTES, encode

    if not isinstance(encoded, str):
        return {"unreadable": "not a file"}
    if len(encoded) > MAX_FILE_BYTES * 4 // 3 + 4:
        return {"unreadable": f"the file is larger than the {MAX_FILE_BYTES} bytes an observed file may have"}
    try:
        data = base64.b64decode(encoded, validate=True)
        problem = archive_problem(data)
        if problem:
            return {"unreadable": problem}
        loaded = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
        problem = tensor_problem(loaded)
        return {"unreadable": problem} if problem else encode(loaded)
    except MemoryError:
        return {"unreadable": "the file claims more memory than the notebook may use"}
    except Exception as error:  # not a file torch can load safely: what the student saved is wrong
        return {"unreadable": f"{type(error).__name__}"}


def main(argv: list[str]) -> int:
    limit(json.loads(argv[0]))
    files = json.loads(sys.stdin.read())
    json.dump([contents(item) for item in files], sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
