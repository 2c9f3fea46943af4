"""Autograde a whole class in parallel on Dask distributed, resumably, with one trusted writer.

Workers (an embedded LocalCluster by default, or any cluster given by its scheduler address) run
grader.grading.runner.run_job; this process alone records results (grader.grading.record). Already recorded
submissions are skipped unless forced; one broken submission is reported and never stops the batch.
Each lesson's reference solution runs once per batch, on the batch's fresh observation seed, and every
submission's observations are compared with it here (grader.grading.differential).
"""

import hashlib
import logging
import os
import secrets
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from tqdm.auto import tqdm

from grader.grading import differential, layout
from grader.grading.jobs import GradingJob, GradingResult
from grader.grading.record import is_recorded, read_marker, record
from grader.grading.runner import run_job, stop_warm_processes
from grader.grading.scratch import DASK_PREFIX, remove_orphans, remove_worker_folder
from grader.paths import SOLUTIONS
from grader.safety.sandbox import require_sandbox
from grader.settings import DEFAULT_LIMITS, Limits


@dataclass
class Submission:
    lesson: str
    student: str
    path: Path

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


@dataclass
class BatchReport:
    graded: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (student, lesson, reason)
    failed_before: list[tuple[str, str, str]] = field(default_factory=list)  # skipped, but ungradable when recorded
    tampered: list[tuple[str, str, str]] = field(default_factory=list)  # (student, lesson, what was found)
    reference_seconds: float = 0.0  # worker time of the lessons' reference runs
    cold_fallbacks: list[tuple[str, str, str]] = field(default_factory=list)  # warm asked, kernel started cold: why

    @property
    def ungradable(self) -> list[tuple[str, str, str]]:
        """Every notebook of the course that has no grade: failed in this run, or in an earlier one and unchanged."""
        return self.failed + self.failed_before

    def add(self, result: GradingResult) -> None:
        """Count a recorded result: graded or not, and whether tampering was found."""
        if result.tampered:
            found = "; ".join(f["message"] for f in result.integrity if f["severity"] == "tampering")
            self.tampered.append((result.student, result.lesson, found))
        if result.cost.get("fallback"):
            self.cold_fallbacks.append((result.student, result.lesson, result.cost["fallback"]))
        if result.error:
            self.failed.append((result.student, result.lesson, result.error))
        else:
            self.graded.append((result.student, result.lesson))

    def summary(self) -> str:
        earlier = f" ({len(self.failed_before)} of them in an earlier run, unchanged since)" * bool(self.failed_before)
        lines = [f"graded {len(self.graded)} notebooks, skipped {len(self.skipped)} already graded, "
                 f"{len(self.ungradable)} could not be graded{earlier}, {len(self.tampered)} flagged for tampering"]
        lines += [f"  {student} / {lesson}: {reason}" for student, lesson, reason in self.failed]
        lines += [f"  {student} / {lesson}: {reason} (earlier run; fix the notebook, or grade it again with --force)"
                  for student, lesson, reason in self.failed_before]
        lines += [f"  {student} / {lesson}: TAMPERING (review it): {found}" for student, lesson, found in self.tampered]
        if self.cold_fallbacks:
            lines.append(f"{len(self.cold_fallbacks)} notebooks were graded with cold kernels, the warm path failing "
                         f"(graded all the same): {self.cold_fallbacks[0][2]}")
        return "\n".join(lines)


def find_submissions(course_root: Path, lessons: list[str] | None = None,
                     students: list[str] | None = None) -> list[Submission]:
    """Every collected submission, by student then lesson."""
    found = []
    for student, lesson, path in layout.each(course_root, "submitted"):
        if (lessons and lesson not in lessons) or (students and student not in students):
            continue
        found.append(Submission(lesson, student, path))
    return found


@contextmanager
def _client(scheduler: str | None, workers: int | None):
    """A Dask client: on the given scheduler, or on an embedded LocalCluster that closes with the client
    and keeps its scratch in a temporary folder of its own."""
    from dask.distributed import Client

    if scheduler:
        with Client(scheduler, timeout="20s") as client:
            yield client
        return
    remove_orphans()  # a killed run's Dask and worker folders
    with tempfile.TemporaryDirectory(prefix=f"{DASK_PREFIX}{os.getpid()}-") as scratch, Client(
            n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None,
            silence_logs=logging.ERROR, local_directory=scratch) as client:
        yield client


class References:
    """The reference runs of a batch, one per lesson, read once each when the first submission needs it."""

    def __init__(self, futures: dict):
        self.futures, self.read, self.seconds = futures, {}, 0.0

    def of(self, lesson: str) -> tuple[dict | None, str | None]:
        """(the reference's observations, None), or (None, why the lesson's reference cannot be used)."""
        if lesson not in self.read:
            try:
                result = self.futures[lesson].result()
                self.seconds += result.timings.get("total", 0.0)
                problem = differential.reference_problem(result.autograded, result.error)
            except Exception as error:  # the worker died: the lesson cannot be judged in this batch
                result, problem = None, f"the reference solution could not be run: {type(error).__name__}: {error}"
            if not problem and differential.refused(result.observations):
                problem = f"the reference solution's reports were refused: {differential.refused(result.observations)}"
            self.read[lesson] = (None, problem) if problem else (result.observations, None)
        return self.read[lesson]


def judge(result: GradingResult, references: References | None) -> GradingResult | str:
    """``result`` with its tests compared with the reference's observations; or why it cannot be judged."""
    if references is None or result.autograded is None:
        return result
    reference, problem = references.of(result.lesson)
    if problem:
        return f"{problem}; the lesson's solution or the grading machine needs fixing, then grade again"
    notebook = nbformat.reads(result.autograded.decode("utf-8"), as_version=4)
    result.rejected, findings = differential.verdicts(reference, result.observations, notebook)
    result.integrity += [finding.as_dict() for finding in findings]
    return result


def _settle(future, submission: Submission, digest: str, references: References | None, course_root: Path,
            db_url: str, report: BatchReport) -> None:
    """Judge and record one finished job. Whatever its result holds, only this notebook can fail: its error
    is recorded (or, if recording itself fails, reported), and the batch goes on."""
    try:
        result = future.result()
    except Exception as error:  # a worker died or the job raised: report it, keep going
        result = GradingResult(submission.lesson, submission.student, None,
                               f"grading crashed: {type(error).__name__}: {error}")
    try:
        judged = judge(result, references)
    except Exception as error:  # a result nothing else catches: this notebook cannot be graded
        judged = GradingResult(submission.lesson, submission.student, None,
                               f"could not be graded: comparing its results with the reference failed "
                               f"({type(error).__name__}: {str(error)[:200]})", integrity=result.integrity)
    if isinstance(judged, str):  # the lesson's reference failed: record nothing, so a re-run retries
        report.failed.append((submission.student, submission.lesson, judged))
        return
    try:
        record(course_root, db_url, judged, digest)
    except Exception as error:  # nothing recorded, so the next run grades it again
        report.failed.append((submission.student, submission.lesson,
                              f"could not be recorded ({type(error).__name__}: {str(error)[:200]}); "
                              "nothing was saved, grade it again"))
        return
    report.add(judged)


def _tidy_worker() -> None:
    """End of a batch on a worker: stop its warm processes, remove its template courses and job folders."""
    stop_warm_processes()
    remove_worker_folder()


def autograde_class(course_root: Path, db_url: str, lessons: list[str] | None = None,
                    students: list[str] | None = None, force: bool = False, scheduler: str | None = None,
                    workers: int | None = None, show_progress: bool = True, limits: Limits = DEFAULT_LIMITS,
                    sandboxed: bool = True, compare_with_reference: bool = True, warm: bool = True) -> BatchReport:
    """Grade every pending submission; return what was graded, skipped and why some failed.

    Student code runs in the sandbox unless ``sandboxed`` is False (the instructor's explicit choice);
    without a usable sandbox this raises SandboxUnavailable before anything runs. Each test's points
    need the comparison with the reference run too, unless ``compare_with_reference`` is False
    (for measuring what the comparison costs). Kernels are forked from each worker's warm process
    (grader.safety.warm) unless ``warm`` is False: then each starts from scratch, as nbgrader's do.
    """
    if sandboxed:
        require_sandbox()
    report = BatchReport()
    pending = []
    for submission in find_submissions(course_root, lessons, students):
        digest = submission.digest
        if not force and is_recorded(course_root, db_url, submission.lesson, submission.student, digest):
            report.skipped.append((submission.student, submission.lesson))
            earlier_error = (read_marker(course_root, submission.lesson, submission.student) or {}).get("error")
            if earlier_error:
                report.failed_before.append((submission.student, submission.lesson, earlier_error))
        else:
            pending.append((submission, digest))
    if not pending:
        return report
    sources = {lesson: differential.with_nonces((SOLUTIONS / f"{lesson}.ipynb").read_bytes())
               for lesson in {s.lesson for s, _ in pending}}
    remaining_per_student = {}
    for submission, _ in pending:
        remaining_per_student[submission.student] = remaining_per_student.get(submission.student, 0) + 1

    from dask.distributed import as_completed

    seed = secrets.randbelow(2**62)  # fresh inputs for every run, never predictable from a submission
    with _client(scheduler, workers) as client:
        references = None
        if compare_with_reference:
            references = References({lesson: client.submit(
                run_job, GradingJob(lesson, differential.REFERENCE, source, source, limits, sandboxed, seed, warm),
                pure=False, priority=10) for lesson, source in sources.items()})
        futures = {}
        for submission, digest in pending:
            job = GradingJob(submission.lesson, submission.student, sources[submission.lesson],
                             submission.path.read_bytes(), limits, sandboxed, seed, warm)
            futures[client.submit(run_job, job, pure=False)] = (submission, digest)
        bar = tqdm(total=len(pending), unit="notebook", desc="autograde", disable=not show_progress)
        students_done = 0
        for future in as_completed(futures):
            submission, digest = futures[future]
            _settle(future, submission, digest, references, course_root, db_url, report)
            remaining_per_student[submission.student] -= 1
            students_done += remaining_per_student[submission.student] == 0
            bar.set_postfix_str(f"students {students_done}/{len(remaining_per_student)}, failed {len(report.failed)}")
            bar.update()
        bar.close()
        client.run(_tidy_worker)
    report.reference_seconds = references.seconds if references else 0.0
    return report
