"""Files a graded notebook saved (a state_dict, a checkpoint), read by the grader itself.

An observation made with ``helpers.observations.observe_file`` carries the file's bytes. The grader
never takes the kernel's word for what the file holds: :func:`read_files` loads every such file in a
separate, short-lived process with resource limits, with ``torch.load(..., weights_only=True)`` (which
refuses anything but tensors and plain containers), and puts what it holds in the observation's place.

``python -m grader.safety.artifacts`` is that process: base64 files as a JSON list on stdin, their
contents in the observation format (or an error) as a JSON list on stdout.
"""

import base64
import io
import json
import resource
import subprocess
import sys

MEMORY_BYTES = 4 * 2**30
SECONDS = 120


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file


def _files_in(observed: dict[str, dict[str, dict]]) -> list[dict]:
    return [report for reports in observed.values() for report in reports.values()
            if isinstance(report.get("value"), dict) and list(report["value"]) == ["file"]]


def read_files(observed: dict[str, dict[str, dict]]) -> dict[str, dict[str, dict]]:
    """``observed`` (grade_id -> name -> report) with each file's bytes replaced by what the file holds."""
    reports = _files_in(observed)
    if not reports:
        return observed
    payload = json.dumps([report["value"]["file"] for report in reports])
    try:
        done = subprocess.run([sys.executable, "-I", "-m", "grader.safety.artifacts"], input=payload, text=True,
                              capture_output=True, timeout=SECONDS, preexec_fn=_limit, cwd="/")
        contents = json.loads(done.stdout) if done.returncode == 0 else None
    except (subprocess.TimeoutExpired, json.JSONDecodeError):
        contents = None
    if not isinstance(contents, list) or len(contents) != len(reports):
        contents = [{"unreadable": "the grader could not read the saved files"}] * len(reports)
    for report, content in zip(reports, contents, strict=True):
        report["value"] = {"file holds": content}
    return observed


def _contents(encoded: str):
    import torch

    from helpers.observations import encode

    try:
        data = base64.b64decode(encoded, validate=True)
        return encode(torch.load(io.BytesIO(data), weights_only=True, map_location="cpu"))
    except Exception as error:  # not a file torch can load safely: what the student saved is wrong
        return {"unreadable": f"{type(error).__name__}"}


def main() -> int:
    files = json.loads(sys.stdin.read())
    json.dump([_contents(item) if isinstance(item, str) else {"unreadable": "not a file"} for item in files],
              sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
