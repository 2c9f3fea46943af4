"""Time executing each solution notebook in learner mode and in grading mode; print a table.

A benchmark, not a test: run it with `.venv/bin/python bench/bench_notebooks.py [lesson ...]`.
Each notebook runs in a fresh kernel (kernel start and imports included), in a temporary folder.
"""

import argparse
import tempfile
import time
from pathlib import Path

from grader.notebooks import read
from grader.paths import SOLUTIONS, resolve_stems
from grader.submissions import execute, outcomes_of_tests


def time_run(stem: str, grading: bool) -> tuple[float, int]:
    """Seconds to execute one solution notebook, and how many of its graded tests failed."""
    notebook = read(SOLUTIONS / f"{stem}.ipynb")
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        start = time.perf_counter()
        executed = execute(notebook, Path(folder), timeout=1800, grading=grading)
        seconds = time.perf_counter() - start
    return seconds, sum(1 for problem in outcomes_of_tests(executed).values() if problem)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all written)")
    stems = resolve_stems(parser.parse_args().lessons)
    print(f"| {'lesson':<30} | learner mode (s) | grading mode (s) | ratio | failed tests |")
    print(f"|{'-' * 32}|-----------------:|-----------------:|------:|-------------:|")
    for stem in stems:
        learner, failed_learner = time_run(stem, grading=False)
        grading, failed_grading = time_run(stem, grading=True)
        print(f"| {stem:<30} | {learner:16.1f} | {grading:16.1f} | {learner / grading:5.1f} | "
              f"{failed_learner + failed_grading:12d} |", flush=True)


if __name__ == "__main__":
    main()
