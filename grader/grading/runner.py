"""Grade one submission: the single place where a student's notebook is executed.

``run_job`` takes everything it needs as bytes (so it runs the same on a Dask worker on another
machine), runs nbgrader's own Autograde converter in a private, throw-away course folder with a
private gradebook, and returns the autograded notebook. It never touches the class gradebook: the
caller records results (see grader.grading.record). The kernel runs in the sandbox of grader.safety.sandbox (or, when
the instructor turned sandboxing off, with its limits only) and its output is capped.
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from unittest import mock

import nbformat
from nbformat import NotebookNode
from nbformat.warnings import DuplicateCellId
from nbgrader.converters import Autograde

from grader.files import write_notebook_atomically
from grader.grading import layout
from grader.grading.differential import observations
from grader.grading.jobs import GradingJob, GradingResult
from grader.grading.scratch import worker_folder
from grader.nbgrader_adapter import api_for, load_config
from grader.notebooks import nbgrader_meta, without_display_data
from grader.safety.artifacts import files_asked, read_files
from grader.safety.integrity import (
    code_findings,
    leak_findings,
    runtime_findings,
    structure_findings,
    with_probe,
)
from grader.safety.output_limit import STAMPS, LimitedOutputExecute
from grader.safety.probe import MIME as PROBE_MIME
from grader.safety.repair import repair
from grader.safety.sandbox import KERNEL_NAME, PROBE_SOURCE, kernel_environment, read_status, write_kernel
from grader.safety.warm import WarmProcess, WarmUnavailable
from grader.settings import Limits
from helpers.observations import MIME as OBSERVATION_MIME

_TEMPLATES: dict[str, Path] = {}  # per worker process: source digest -> generated template course (in its scratch)
_WARM: dict[bool, WarmProcess] = {}  # per worker process: sandboxed or not -> its warm kernel process
COST_KEYS = ("cpu_seconds", "peak_memory_mib", "wall_seconds", "path", "fallback")


def _warm_process(sandboxed: bool) -> WarmProcess | None:
    """This worker's warm process (started on first use, in the worker's folder), or None if it cannot start."""
    if sandboxed not in _WARM or not _WARM[sandboxed].folder.exists():
        folder = worker_folder() / ("warm-sandboxed" if sandboxed else "warm")
        folder.mkdir(exist_ok=True)
        env = kernel_environment(str(folder / "home"))
        _WARM[sandboxed] = WarmProcess(folder, env if sandboxed else {**os.environ, **env}, PROBE_SOURCE)
    try:
        _WARM[sandboxed].ensure()
    except WarmUnavailable:
        return None
    return _WARM[sandboxed]


def stop_warm_processes() -> None:
    """Stop this worker's warm processes (at the end of a batch: the next one imports the course afresh)."""
    for warm in _WARM.values():
        warm.stop()
    _WARM.clear()


def _template_course(lesson: str, source: bytes) -> Path:
    """A generated course for ``lesson`` (source + gradebook), made once per worker and source version."""
    key = hashlib.sha256(source).hexdigest()[:16]
    if key not in _TEMPLATES or not _TEMPLATES[key].exists():
        root = Path(tempfile.mkdtemp(prefix=f"template-{lesson}-", dir=worker_folder()))
        probed = with_probe(nbformat.reads(source.decode("utf-8"), as_version=4))
        write_notebook_atomically(probed, layout.notebook(root, "source", lesson))
        api = api_for(root, load_config(root))
        result = api.generate_assignment(lesson, force=True, create=True)
        if not result.get("success"):
            raise RuntimeError(f"cannot generate {lesson}: {result.get('error')}\n{result.get('log')}")
        _TEMPLATES[key] = root
    return _TEMPLATES[key]


def _reason(log: str, error: str) -> str:
    """The most telling line of nbgrader's log for a failed autograde."""
    for line in reversed((log + "\n" + error).splitlines()):
        if re.search(r"\w+(Error|Exception): ", line):
            return line.strip()
    return (error or log).strip().splitlines()[-1] if (error or log).strip() else "nbgrader autograde failed"


def read_submission(submission: bytes) -> tuple[NotebookNode | None, str | None]:
    """The submitted notebook, or None and why it is not a valid notebook of the current format.

    Cells sharing an id get new ones as nbformat reads them, quietly: the integrity report names it,
    and nbformat's warning (one per cell, at every read) would flood the grader's output."""
    try:
        text = submission.decode("utf-8")
        version = json.loads(text).get("nbformat")
    except UnicodeDecodeError:
        return None, "not a notebook: the file is not UTF-8 text"
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        return None, f"not a notebook: the file is not valid JSON ({error.msg} at {where})"
    except AttributeError:
        version = None
    if not isinstance(version, int):
        return None, "not a notebook: the file holds JSON, but not a notebook's (no nbformat version)"
    if version != nbformat.current_nbformat:
        return None, (f"unsupported notebook format: nbformat {version}, expected {nbformat.current_nbformat}; "
                      "this is not the lesson's notebook (open the lesson in JupyterLab, do the work there, save it)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DuplicateCellId)
            notebook = nbformat.reads(text, as_version=4)
            nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        return None, f"invalid notebook: {error.message}"
    except Exception as error:  # nbformat raises several types for a notebook it cannot read
        return None, f"not a notebook: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return notebook, None


def foreign_reason(submission: NotebookNode, release: NotebookNode) -> str | None:
    """Why a submission is not the lesson's notebook (it holds none of the lesson's graded cells), or None."""
    lesson_cells = {nbgrader_meta(cell).get("grade_id") for cell in release.cells} - {None}
    if lesson_cells and not lesson_cells & {nbgrader_meta(cell).get("grade_id") for cell in submission.cells}:
        return ("not this lesson's notebook: it holds none of the lesson's exercise or test cells (was another "
                "notebook submitted under this lesson's name?)")
    return None


def _job_config(root: Path, folders: dict[str, Path], limits: Limits):
    """nbgrader's autograde, with our kernel, its sockets in the runtime folder, outputs capped, and a client
    that does not wait for IOPub to fall silent before the first cell (grader.grading.kernel_client)."""
    steps = [LimitedOutputExecute if step.__name__ == "Execute" else step
             for step in Autograde.class_traits()["autograde_preprocessors"].default()]
    return load_config(root, Execute={"timeout": limits.cell_seconds, "kernel_name": KERNEL_NAME},
                       LimitedOutputExecute={"max_output_bytes": limits.output_bytes},
                       KernelManager={"transport": "ipc", "ip": str(folders["sockets"]),
                                      "connection_file": str(folders["runtime"] / "connection.json"),
                                      "client_class": "grader.grading.kernel_client.PromptKernelClient"},
                       Autograde={"autograde_preprocessors": steps})


def run_job(job: GradingJob) -> GradingResult:
    """Autograde one submission with nbgrader in a private course folder; return the autograded notebook."""
    started = time.perf_counter()
    STAMPS.clear()
    submission, problem = read_submission(job.submission)
    if problem:
        return GradingResult(job.lesson, job.student, None, problem, {"total": time.perf_counter() - started})
    template = _template_course(job.lesson, job.source)
    prepared = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="job-", dir=worker_folder()) as scratch:
        job_dir = Path(scratch)
        root = job_dir / "course"  # never visible to the kernel: it holds the hidden tests and the gradebook
        shutil.copytree(template, root)
        release = nbformat.read(layout.notebook(root, "release", job.lesson), as_version=4)
        problem = foreign_reason(submission, release)
        if problem:
            return GradingResult(job.lesson, job.student, None, problem, {"total": time.perf_counter() - started})
        write_notebook_atomically(repair(submission, release),
                                  layout.notebook(root, "submitted", job.lesson, job.student))
        warm = _warm_process(job.sandboxed) if job.warm else None
        folders = write_kernel(job_dir, job.limits, job.sandboxed, job.seed, warm)
        # jupyter_client finds the job's kernelspec, and writes the connection file, in the job's folders
        with mock.patch.dict(os.environ, {"JUPYTER_PATH": str(folders["kernels"]),
                                          "JUPYTER_RUNTIME_DIR": str(folders["runtime"])}):
            result = api_for(root, _job_config(root, folders, job.limits)).autograde(
                job.lesson, job.student, force=True, create=True)
        graded = time.perf_counter()
        output = layout.notebook(root, "autograded", job.lesson, job.student)
        autograded = output.read_bytes() if result.get("success") and output.exists() else None
        status = read_status(job_dir)
        kernel_end = status.get("explanation")
    timings = {"setup": prepared - started, "autograde": graded - prepared, "total": time.perf_counter() - started,
               **_kernel_timings(started)}
    if "kernel_start" in timings:
        timings["bookkeeping"] = timings["total"] - sum(timings[key] for key in ("kernel_start", "setup_cell",
                                                                               "other_cells"))
    cost = {key: status[key] for key in COST_KEYS if status.get(key) is not None}
    if job.warm and warm is None:
        cost["fallback"] = "the worker's warm process could not start: see warm.log in its folder"
    error = None
    if autograded is None:
        error = _reason(result.get("log", ""), result.get("error", "") or "")
        if kernel_end:
            error = f"{kernel_end}; nothing after that point ran ({error})"
    findings = structure_findings(submission, release) + code_findings(submission, release)
    observed = {}
    if autograded is not None:
        graded = nbformat.reads(autograded.decode("utf-8"), as_version=4)
        findings += runtime_findings(graded) + leak_findings(graded, job.source, job.seed)
        observed = read_files(observations(graded), files_asked(job.source), job.limits, job.sandboxed, cost)
        autograded = nbformat.writes(without_display_data(graded, {PROBE_MIME, OBSERVATION_MIME})).encode("utf-8")
    return GradingResult(job.lesson, job.student, autograded, error, timings, [f.as_dict() for f in findings],
                         observed, cost=cost)


def _kernel_timings(started: float) -> dict[str, float]:
    """Where the notebook's time went (seconds): from the job's start until its kernel answered, the kernel's
    own start, its set-up cell, its other cells (the rest of the total is the grader's bookkeeping)."""
    if "cells done" not in STAMPS or "kernel starting" not in STAMPS:
        return {}
    return {"kernel_ready": STAMPS["kernel ready"] - started,
            "kernel_start": STAMPS["kernel ready"] - STAMPS["kernel starting"],
            "setup_cell": STAMPS["set-up done"] - STAMPS["kernel ready"],
            "other_cells": STAMPS["cells done"] - STAMPS["set-up done"]}
