"""Files a graded notebook saved (a state_dict, a checkpoint), read by the grader itself.

An observation made with ``helpers.observations.observe_file`` carries the file's bytes. The grader
never takes the kernel's word for what the file holds: :func:`read_files` loads each file a test's hidden
block asked for (:func:`files_asked`, read from the lesson's source; a file report of any other name adds
nothing) in grader.safety.loader, a fresh interpreter that sets its own limits before it reads anything.

Sandboxed, that interpreter runs as a user id of its own (grader.safety.uids), inside bwrap with no
network, no capability and the seccomp filter, in a control group bounded by the notebook's memory
(grader.safety.cgroups); it has the notebook's CPU time and wall time, less what its kernel used, and
what it uses is added to the notebook's cost. It is started with no ``preexec_fn`` (the grading worker
has threads): a small interpreter joins the group and then becomes bwrap (``python -m
grader.safety.cgroups``).
"""

import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import nbformat

from grader.notebooks import is_graded_test, nbgrader_meta
from grader.safety import syscalls
from grader.safety.cgroups import SandboxGroup
from grader.safety.sandbox import SETPRIV_CAPABILITIES, bwrap_arguments, readonly_paths, sandbox_problem, start_process
from grader.safety.uids import allocate
from grader.settings import DEFAULT_LIMITS, MIB, Limits

LOADER = Path(__file__).with_name("loader.py")
LOADER_INSIDE = "/grader-loader/loader.py"
LOADER_DISK_BYTES = MIB  # it writes nothing; its /tmp need hold nothing
MIN_SECONDS = 10  # what the loader has even when the kernel used the notebook's whole time
OUTPUT_BYTES = 256 * MIB
NOT_ASKED = {"unreadable": "no test's hidden block asked for this file"}


def files_asked(source: bytes | str) -> dict[str, set[str]]:
    """The names each graded test's cell observes with ``observe_file("name", ...)`` in the lesson's source
    (the solution notebook, with its hidden tests): grade_id -> names."""
    notebook = nbformat.reads(source.decode("utf-8") if isinstance(source, bytes) else source, as_version=4)
    asked = {}
    for cell in notebook.cells:
        if cell.cell_type != "code" or not is_graded_test(cell):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        asked[nbgrader_meta(cell)["grade_id"]] = {
            node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "id", getattr(node.func, "attr", None)) == "observe_file"}
    return asked


def _file_reports(observed: dict[str, dict[str, dict]]) -> list[tuple[str, str, dict]]:
    return [(grade_id, name, report) for grade_id, reports in observed.items() for name, report in reports.items()
            if isinstance(report, dict) and isinstance(report.get("value"), dict) and list(report["value"]) == ["file"]]


def read_files(observed: dict[str, dict[str, dict]], asked: dict[str, set[str]] | None = None,
               limits: Limits = DEFAULT_LIMITS, sandboxed: bool | None = None, used: dict | None = None) -> dict:
    """``observed`` (grade_id -> name -> report) with each asked-for file's bytes replaced by what the file
    holds (every file when ``asked`` is None), and every other file report by a refusal; adds the loader's
    cost to ``used`` (the kernel's cost: cpu_seconds, peak_memory_mib, wall_seconds), whose CPU and wall
    time it subtracts from the notebook's limits. ``sandboxed`` None: in the sandbox wherever it can run."""
    used = {} if used is None else used
    sandboxed = _sandbox_runs() if sandboxed is None else sandboxed
    reports = _file_reports(observed)
    wanted = [report for grade_id, name, report in reports if asked is None or name in asked.get(grade_id, ())]
    for _, _, report in reports:
        if all(report is not other for other in wanted):
            report["value"] = {"file holds": dict(NOT_ASKED)}
    if not wanted:
        return observed
    contents, cost = load([report["value"]["file"] for report in wanted], limits, sandboxed, used)
    for report, content in zip(wanted, contents, strict=True):
        report["value"] = {"file holds": content}
    used["cpu_seconds"] = round(used.get("cpu_seconds", 0.0) + cost["cpu_seconds"], 2)
    used["wall_seconds"] = round(used.get("wall_seconds", 0.0) + cost["wall_seconds"], 2)
    used["peak_memory_mib"] = max(used.get("peak_memory_mib", 0.0), cost["peak_memory_mib"])
    return observed


@cache
def _sandbox_runs() -> bool:
    return sandbox_problem() is None


def _budget(limits: Limits, used: dict) -> dict:
    """The loader's limits: the notebook's memory, and what is left of its CPU and wall time."""
    return {"memory_bytes": limits.memory_bytes,
            "cpu_seconds": max(MIN_SECONDS, int(limits.cpu_seconds - used.get("cpu_seconds", 0))),
            "wall_seconds": max(MIN_SECONDS, limits.notebook_seconds - used.get("wall_seconds", 0))}


def load(files: list[str], limits: Limits, sandboxed: bool, used: dict) -> tuple[list, dict]:
    """What each base64 file holds (or why it is unreadable), and what loading them cost."""
    budget = _budget(limits, used)
    group = SandboxGroup(f"loader-{time.monotonic_ns()}", limits.memory_bytes + LOADER_DISK_BYTES,
                         limits.processes)
    user = allocate() if sandboxed else None
    started = time.monotonic()
    unreadable = {"unreadable": "the grader could not read the saved files"}
    try:
        command = [sys.executable, "-I", str(LOADER), json.dumps(budget)]
        if sandboxed:
            command = _sandboxed(command, user.uid)
        enter = [sys.executable, "-I", "-m", "grader.safety.cgroups", *group.procs_files(), "--"]
        contents = _run(enter + command, json.dumps(files), budget["wall_seconds"], sandboxed)
        usage = group.usage()
    finally:
        group.remove()
        if user is not None:
            user.release()
    if isinstance(contents, str):
        contents = [{"unreadable": contents}] * len(files)
    elif not isinstance(contents, list) or len(contents) != len(files):
        contents = [unreadable] * len(files)
    if usage["oom_kills"]:
        contents = [{"unreadable": f"the files claim more than the notebook's {limits.memory_bytes // MIB} MiB "
                                   "of memory"}] * len(files)
    return contents, {"cpu_seconds": usage["cpu_seconds"], "peak_memory_mib": round(usage["peak_bytes"] / MIB, 1),
                      "wall_seconds": time.monotonic() - started}


def _sandboxed(command: list[str], uid: int) -> list[str]:
    """``command`` in a sandbox of its own as ``uid``: the loader bound alone, no network, nothing to write."""
    readable = [Path(p) for p in readonly_paths()]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp", "OMP_NUM_THREADS": "1",
           "PYTHONDONTWRITEBYTECODE": "1"}
    args = bwrap_arguments(readable, env, LOADER_DISK_BYTES, keep_capabilities=SETPRIV_CAPABILITIES)
    args[-1:-1] = ["--perms", "0755", "--dir", str(Path(LOADER_INSIDE).parent), "--ro-bind", str(LOADER), LOADER_INSIDE]
    drop = ["setpriv", "--reuid", str(uid), "--regid", str(uid), "--clear-groups", "--inh-caps=-all",
            "--bounding-set=-all", "--no-new-privs"]
    return args + drop + [command[0], "-I", LOADER_INSIDE, *command[3:]]


def _run(command: list[str], payload: str, seconds: float, sandboxed: bool):
    """Run the loader; its JSON answer, or why there is none (a string)."""
    filter_fd = syscalls.as_descriptor() if sandboxed and syscalls.program() is not None else None
    if filter_fd is not None:
        end = command.index("--", command.index("bwrap"))
        command = command[:end] + ["--seccomp", str(filter_fd)] + command[end:]
    with tempfile.TemporaryFile() as answer:
        try:
            process = start_process(command, pass_fds=(filter_fd,) if filter_fd is not None else (),
                                    stdin=subprocess.PIPE, stdout=answer, stderr=None, cwd="/")
        finally:
            if filter_fd is not None:
                os.close(filter_fd)
        try:
            process.communicate(payload.encode(), timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return f"reading the files took more than the notebook's remaining {seconds:.0f} s"
        size = answer.tell()
        if size > OUTPUT_BYTES:
            return "the loader's answer was too large"
        answer.seek(0)
        try:
            return json.loads(answer.read())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return f"the loader ended with code {process.returncode}"
