"""Time executing each solution notebook in learner mode and in grading mode; print a table.

A benchmark, not a test: run it with `.venv/bin/python bench/bench_notebooks.py [lesson ...]`.
Each notebook runs in a fresh kernel (kernel start and imports included), in a temporary folder.
Cells tagged ``model-comparison`` (lesson 05's MLP against CNN table) print a table of accuracies and
epoch times; the learner-mode run's rows are printed after the timings, from the same run.
"""

import argparse
import tempfile
import time
from pathlib import Path

from grader.notebooks import read
from grader.paths import SOLUTIONS, resolve_stems
from tests.support.execution import execute, outcomes_of_tests

COMPARISON_TAG = "model-comparison"


def time_run(stem: str, grading: bool) -> tuple[float, int, list[str]]:
    """Seconds to execute one solution notebook, how many graded tests failed, and its comparison rows."""
    notebook = read(SOLUTIONS / f"{stem}.ipynb")
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        start = time.perf_counter()
        executed = execute(notebook, Path(folder), timeout=1800, grading=grading)
        seconds = time.perf_counter() - start
    failed = sum(1 for problem in outcomes_of_tests(executed).values() if problem)
    return seconds, failed, comparison_rows(executed)


def comparison_rows(notebook) -> list[str]:
    """The table rows (``| model | ... |``) printed by cells tagged ``model-comparison``."""
    rows = []
    for cell in notebook.cells:
        if cell.cell_type != "code" or COMPARISON_TAG not in cell.metadata.get("tags", []):
            continue
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            rows += [line for line in text.splitlines() if line.startswith("|")]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson stems or numbers (default: all written)")
    stems = resolve_stems(parser.parse_args().lessons)
    print(f"| {'lesson':<30} | learner mode (s) | grading mode (s) | ratio | failed tests |")
    print(f"|{'-' * 32}|-----------------:|-----------------:|------:|-------------:|")
    comparisons = {}
    for stem in stems:
        learner, failed_learner, rows = time_run(stem, grading=False)
        grading, failed_grading, _ = time_run(stem, grading=True)
        if rows:
            comparisons[stem] = rows
        print(f"| {stem:<30} | {learner:16.1f} | {grading:16.1f} | {learner / grading:5.1f} | "
              f"{failed_learner + failed_grading:12d} |", flush=True)
    for stem, rows in comparisons.items():
        print(f"\n{stem}, learner mode, the same run:")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
