"""The sandbox's cost: grade each lesson's correct submission in the bubblewrap sandbox and without it,
alternating in one run, and print the seconds per notebook and their ratio. A benchmark, not a test:
    .venv/bin/python bench/bench_sandbox.py [--repeats 2] [--class-copies N] [lessons...]
Grading runs one notebook at a time here, so the figures are per-notebook latency on an idle machine.

With ``--class-copies N`` it then measures differential grading's cost: a class of N correct copies
per lesson graded as a batch (2 workers, sandboxed) with and without the comparison with each lesson's
reference run, one after the other, and prints both wall times, their ratio and the reference runs'
own seconds (one per lesson and batch, whatever the class size).
"""

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

from grader.files import write_notebook_atomically
from grader.grading import layout
from grader.grading.batch import autograde_class
from grader.grading.classroom import prepare_lessons
from grader.grading.differential import REFERENCE
from grader.grading.jobs import GradingJob
from grader.grading.runner import run_job
from grader.notebooks import read, solution_answers, substitute
from grader.paths import LESSONS, SOLUTIONS, resolve_stems
from grader.safety.sandbox import require_sandbox


def correct_submission(stem: str) -> bytes:
    answers = solution_answers(read(SOLUTIONS / f"{stem}.ipynb"))
    return nbformat.writes(substitute(read(LESSONS / f"{stem}.ipynb"), answers)).encode()


def grade_seconds(stem: str, submission: bytes, sandboxed: bool) -> float:
    job = GradingJob(stem, "bench", (SOLUTIONS / f"{stem}.ipynb").read_bytes(), submission, sandboxed=sandboxed)
    started = time.perf_counter()
    result = run_job(job)
    seconds = time.perf_counter() - started
    if result.error or result.tampered:
        raise SystemExit(f"{stem} ({'sandboxed' if sandboxed else 'no sandbox'}) did not grade cleanly: "
                         f"{result.error or result.integrity}")
    for finding in result.integrity:
        print(f"  note: {stem} raised an integrity finding: {finding}")
    return seconds


def class_seconds(stems: list[str], copies: int, compare: bool) -> tuple[float, float]:
    """Wall seconds to grade ``copies`` correct submissions of each lesson as one batch, and the seconds
    the reference runs took (0 without the comparison). Every submission must earn full marks."""
    with tempfile.TemporaryDirectory(prefix="bench-class-") as folder:
        course = Path(folder) / "course"
        db_url = f"sqlite:///{course / 'gradebook.db'}"
        for stem in stems:
            notebook = nbformat.reads(correct_submission(stem).decode(), as_version=4)
            for copy in range(copies):
                write_notebook_atomically(notebook, layout.notebook(course, "submitted", stem, f"student{copy}"))
        prepare_lessons(course, db_url, stems)
        started = time.perf_counter()
        report = autograde_class(course, db_url, workers=2, show_progress=False, compare_with_reference=compare)
        seconds = time.perf_counter() - started
        if report.failed or report.tampered:
            raise SystemExit(f"the class did not grade cleanly: {report.summary()}")
        return seconds, report.reference_seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each mode per lesson (default 2)")
    parser.add_argument("--class-copies", type=int, default=0,
                        help="also grade N copies per lesson as a batch, with and without differential grading")
    args = parser.parse_args()
    require_sandbox()
    print(f"{datetime.now():%Y-%m-%d %H:%M}: correct submissions, sandboxed vs --no-sandbox, "
          f"alternating, {args.repeats} runs each")
    print(f"{'lesson':<30} {'sandboxed':>10} {'no sandbox':>11} {'ratio':>6}")
    ratios = []
    for stem in resolve_stems(args.lessons):
        submission = correct_submission(stem)
        grade_seconds(stem, submission, True)  # warm-up: generates the lesson's template course once
        runs = {True: [], False: []}
        for _ in range(args.repeats):
            for sandboxed in (False, True):
                runs[sandboxed].append(grade_seconds(stem, submission, sandboxed))
        inside, outside = statistics.median(runs[True]), statistics.median(runs[False])
        ratios.append(inside / outside)
        print(f"{stem:<30} {inside:>9.1f}s {outside:>10.1f}s {inside / outside:>6.2f}")
    print(f"median ratio sandboxed / unsandboxed: {statistics.median(ratios):.2f}")
    if args.class_copies:
        stems = resolve_stems(args.lessons)
        print(f"\n{len(stems)} lessons x {args.class_copies} correct copies, one batch each way, 2 workers, sandboxed")
        without, _ = class_seconds(stems, args.class_copies, compare=False)
        with_reference, reference = class_seconds(stems, args.class_copies, compare=True)
        print(f"without differential grading: {without:.0f} s; with it: {with_reference:.0f} s "
              f"(x{with_reference / without:.2f}); the {len(stems)} reference runs ({REFERENCE!r}, one per lesson "
              f"and batch) took {reference:.0f} s of worker time")


if __name__ == "__main__":
    main()
