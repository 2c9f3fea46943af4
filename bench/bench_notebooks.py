"""Time Run All of each lesson in quick mode and in full mode, side by side; print a table.

A benchmark, not a test: run it from the repository, `.venv/bin/python -m bench.bench_notebooks [lesson ...]`
(`--quick-only` skips the full runs, which take most of the time). Each notebook runs in a fresh kernel
(kernel start and imports included), in a temporary folder, in learner mode (not grading), as JupyterLab's
Run All would, and the machine's load average is printed with the figures: on a busy machine every figure
grows.

- **untouched, quick**: the released lesson as a learner first gets it (lessons/NN), with ``COURSE_QUICK=1``;
  the lessons promise this under 2 minutes on 2 cores. Its raw tracebacks are counted (there should be none:
  every cell that waits for an exercise says so in one line);
- **solved, quick** and **solved, full**: the solution notebook (every exercise done) with and without quick
  mode; the full time is the one the lessons and the README state.

Cells tagged ``model-comparison`` (lesson 05's MLP against CNN table) print a table of accuracies and
epoch times; the full run's rows are printed after the timings.
"""

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path
from unittest import mock

from grader.notebooks import read
from grader.paths import LESSONS, SOLUTIONS, resolve_stems
from tests.support.execution import execute, outcomes_of_tests, raw_tracebacks

COMPARISON_TAG = "model-comparison"


def time_run(path: Path, quick: bool):
    """Seconds to Run All of one notebook in learner mode (quick or full), and the executed notebook."""
    notebook = read(path)
    with mock.patch.dict(os.environ), tempfile.TemporaryDirectory(prefix="bench-") as folder:
        os.environ.pop("COURSE_QUICK", None)
        if quick:
            os.environ["COURSE_QUICK"] = "1"
        os.environ.update(MPLCONFIGDIR=folder, IPYTHONDIR=folder)
        start = time.perf_counter()
        executed = execute(notebook, Path(folder), timeout=3600, grading=False)
        seconds = time.perf_counter() - start
    return seconds, executed


def failed_tests(executed) -> int:
    return sum(1 for problem in outcomes_of_tests(executed).values() if problem)


def comparison_rows(notebook) -> list[str]:
    """The table rows (``| model | ... |``) printed by cells tagged ``model-comparison``."""
    rows = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or COMPARISON_TAG not in cell.metadata.get("tags", []):
            continue
        text = "".join(output.get("text", "") for output in cell.get("outputs", [])
                       if output.get("output_type") == "stream")
        rows += [line for line in text.splitlines() if line.startswith("|")]
    return rows


def minutes(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.0f} s ({seconds / 60:.1f} min)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all written)")
    parser.add_argument("--quick-only", action="store_true", help="skip the solved lessons' full runs")
    arguments = parser.parse_args()
    stems = resolve_stems(arguments.lessons)
    print(f"{platform.node()}: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    print(f"| {'lesson':<30} | untouched, quick | raw tracebacks | solved, quick | solved, full      | failed tests |")
    print(f"|{'-' * 32}|-----------------:|---------------:|--------------:|------------------:|-------------:|")
    comparisons = {}
    for stem in stems:
        untouched, untouched_run = time_run(LESSONS / f"{stem}.ipynb", quick=True)
        solved_quick, quick_run = time_run(SOLUTIONS / f"{stem}.ipynb", quick=True)
        failed = failed_tests(quick_run)
        solved_full = None
        if not arguments.quick_only:
            solved_full, full_run = time_run(SOLUTIONS / f"{stem}.ipynb", quick=False)
            failed += failed_tests(full_run)
            if rows := comparison_rows(full_run):
                comparisons[stem] = rows
        print(f"| {stem:<30} | {untouched:14.1f} s | {len(raw_tracebacks(untouched_run)):14d} | "
              f"{solved_quick:11.1f} s | {minutes(solved_full):>17} | {failed:12d} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    for stem, rows in comparisons.items():
        print(f"\n{stem}, full mode, the same run:")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
