"""Grade one submission: the single place where a student's notebook is executed.

``run_job`` takes everything it needs as bytes (so it runs the same on a Dask worker on another
machine), runs nbgrader's own Autograde converter in a private, throw-away course folder with a
private gradebook, and returns the autograded notebook. It never touches the class gradebook: the
caller records results (see grader.record). The kernel runs in the sandbox of grader.sandbox (or, when
the instructor turned sandboxing off, with its limits only) and its output is capped.
"""

import hashlib
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from contextlib import contextmanager
from nbgrader.converters import Autograde

from grader.course import api_for, load_config
from grader.integrity import (Finding, code_findings, is_tampered, runtime_findings, structure_findings,
                              with_probe, without_probe_reports)
from grader.output_limit import LimitedOutputExecute
from grader.repair import repair
from grader.sandbox import KERNEL_NAME, Limits, read_status, write_kernel

_TEMPLATES: dict[str, Path] = {}  # per worker process: source digest -> generated template course


@dataclass
class GradingJob:
    """One student's notebook for one lesson, with the lesson's source to grade it against."""

    lesson: str
    student: str
    source: bytes  # the solutions/ notebook (with hidden tests)
    submission: bytes
    limits: Limits = field(default_factory=Limits)
    sandboxed: bool = True  # False only when the instructor asked to grade without isolation


@dataclass
class GradingResult:
    """The autograded notebook, or why there is none; and where the time went."""

    lesson: str
    student: str
    autograded: bytes | None
    error: str | None
    timings: dict[str, float] = field(default_factory=dict)
    integrity: list[dict] = field(default_factory=list)  # grader.integrity findings, as dicts

    @property
    def tampered(self) -> bool:
        return is_tampered([Finding(**finding) for finding in self.integrity])


def _template_course(lesson: str, source: bytes) -> Path:
    """A generated course for ``lesson`` (source + gradebook), made once per worker and source version."""
    key = hashlib.sha256(source).hexdigest()[:16]
    if key not in _TEMPLATES or not _TEMPLATES[key].exists():
        root = Path(tempfile.mkdtemp(prefix=f"grader-template-{lesson}-"))
        (root / "source" / lesson).mkdir(parents=True)
        probed = with_probe(nbformat.reads(source.decode("utf-8"), as_version=4))
        nbformat.write(probed, root / "source" / lesson / f"{lesson}.ipynb")
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


def unreadable_reason(submission: bytes) -> str | None:
    """Why a submission is not a valid notebook, or None when it is."""
    try:
        notebook = nbformat.reads(submission.decode("utf-8"), as_version=4)
        nbformat.validate(notebook)
    except UnicodeDecodeError:
        return "not a notebook: the file is not UTF-8 text"
    except nbformat.ValidationError as error:
        return f"invalid notebook: {error.message}"
    except Exception as error:  # nbformat raises several types for unreadable JSON
        return f"not a notebook: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
    return None


@contextmanager
def _jupyter_paths(folders: dict[str, Path]):
    """Let jupyter_client find the job's kernelspec and write the connection file in its runtime folder."""
    saved = {key: os.environ.get(key) for key in ("JUPYTER_PATH", "JUPYTER_RUNTIME_DIR")}
    os.environ["JUPYTER_PATH"] = str(folders["kernels"])
    os.environ["JUPYTER_RUNTIME_DIR"] = str(folders["runtime"])
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _job_config(root: Path, folders: dict[str, Path], limits: Limits):
    """nbgrader's autograde, with our kernel, its sockets in the runtime folder and outputs capped."""
    steps = [LimitedOutputExecute if step.__name__ == "Execute" else step
             for step in Autograde.class_traits()["autograde_preprocessors"].default()]
    return load_config(root, Execute={"timeout": limits.cell_seconds, "kernel_name": KERNEL_NAME},
                       LimitedOutputExecute={"max_output_bytes": limits.output_bytes},
                       KernelManager={"transport": "ipc", "ip": str(folders["runtime"] / "kernel"),
                                      "connection_file": str(folders["runtime"] / "connection.json")},
                       Autograde={"autograde_preprocessors": steps})


def run_job(job: GradingJob) -> GradingResult:
    """Autograde one submission with nbgrader in a private course folder; return the autograded notebook."""
    started = time.perf_counter()
    problem = unreadable_reason(job.submission)
    if problem:
        return GradingResult(job.lesson, job.student, None, problem, {"total": time.perf_counter() - started})
    template = _template_course(job.lesson, job.source)
    prepared = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="grader-job-") as scratch:
        job_dir = Path(scratch)
        root = job_dir / "course"  # never visible to the kernel: it holds the hidden tests and the gradebook
        shutil.copytree(template, root)
        release = nbformat.read(root / "release" / job.lesson / f"{job.lesson}.ipynb", as_version=4)
        submission = nbformat.reads(job.submission.decode("utf-8"), as_version=4)
        submitted = root / "submitted" / job.student / job.lesson
        submitted.mkdir(parents=True)
        nbformat.write(repair(submission, release), submitted / f"{job.lesson}.ipynb")
        folders = write_kernel(job_dir, job.limits, job.sandboxed)
        with _jupyter_paths(folders):
            result = api_for(root, _job_config(root, folders, job.limits)).autograde(
                job.lesson, job.student, force=True, create=True)
        graded = time.perf_counter()
        output = root / "autograded" / job.student / job.lesson / f"{job.lesson}.ipynb"
        autograded = output.read_bytes() if result.get("success") and output.exists() else None
        kernel_end = read_status(job_dir).get("explanation")
    timings = {"setup": prepared - started, "autograde": graded - prepared, "total": time.perf_counter() - started}
    error = None
    if autograded is None:
        error = _reason(result.get("log", ""), result.get("error", "") or "")
        if kernel_end:
            error = f"{kernel_end}; nothing after that point ran ({error})"
    findings = structure_findings(submission, release) + code_findings(submission, release)
    if autograded is not None:
        graded = nbformat.reads(autograded.decode("utf-8"), as_version=4)
        findings += runtime_findings(graded)
        autograded = nbformat.writes(without_probe_reports(graded)).encode("utf-8")
    return GradingResult(job.lesson, job.student, autograded, error, timings, [f.as_dict() for f in findings])
