"""The sandbox's cost: grade each lesson's correct submission in the bubblewrap sandbox and without it,
alternating in one run, and print the seconds per notebook and their ratio. A benchmark, not a test:
    .venv/bin/python bench/bench_sandbox.py [--repeats 2] [lessons...]
Grading runs one notebook at a time here, so the figures are per-notebook latency on an idle machine.
"""

import argparse
import statistics
import time
from datetime import datetime

import nbformat

from grader.grading.runner import GradingJob, run_job
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each mode per lesson (default 2)")
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


if __name__ == "__main__":
    main()
