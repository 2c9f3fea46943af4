"""Grade the same class twice in one run: plain serial `nbgrader autograde`, then `python -m grader autograde`.

Prints both wall times, the speed-up, and where the time of one notebook goes (kernel start,
imports, execution, bookkeeping). A benchmark, not a test:
    .venv/bin/python bench/bench_grading.py [--copies 4] [--workers N]
--copies 4 grades 24 notebooks (the sample class of 6 students, four times over).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grader.grading import layout
from grader.grading.demo import LESSON, build
from grader.paths import CONFIG_FILE, REPO

TOOLS_ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=TOOLS_ENV)
    return time.perf_counter() - start


def plain_nbgrader(submissions: Path, scratch: Path) -> float:
    """Serial `nbgrader autograde` over every student, in an nbgrader course folder."""
    course = scratch / "plain"
    layout.stage_sources(course, [LESSON])
    shutil.copy(CONFIG_FILE, course / "nbgrader_config.py")
    for student in sorted(path.name for path in submissions.iterdir()):
        target = layout.notebook(course, "submitted", LESSON, student)
        target.parent.mkdir(parents=True)
        shutil.copy(submissions / student / f"{LESSON}.ipynb", target)
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    subprocess.run([nbgrader, "generate_assignment", LESSON], cwd=course, check=True, capture_output=True,
                   env=TOOLS_ENV)
    return timed([nbgrader, "autograde", LESSON, "--create"], course)


def ours(submissions: Path, scratch: Path, workers: int | None) -> float:
    course = scratch / "ours"
    grader = [sys.executable, "-m", "grader"]
    subprocess.run(grader + ["collect", str(submissions), "--course", str(course)], cwd=REPO, check=True,
                   capture_output=True)
    extra = ["--workers", str(workers)] if workers else []
    seconds = timed(grader + ["autograde", "--course", str(course), "--no-progress"] + extra, REPO)
    markers = [json.loads(path.read_text()) for _, _, path in layout.each(course, "autograded", layout.MARKER)]
    per_notebook = [m["timings"]["total"] for m in markers if not m["error"]]
    print(f"  our worker time per gradable notebook: mean {sum(per_notebook) / len(per_notebook):.1f} s "
          f"over {len(per_notebook)} notebooks (includes waiting for the shared cores)")
    return seconds


def breakdown(submission: Path) -> dict[str, float]:
    """Run one correct submission under nbclient in grading mode and split its time."""
    notebook = nbformat.read(submission, as_version=4)
    start = time.perf_counter()
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True)
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    with client.setup_kernel():
        kernel_ready = time.perf_counter()
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
            if index == next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code"):
                imports_done = time.perf_counter()
    finished = time.perf_counter()
    os.environ.pop("NBGRADER_EXECUTION")
    return {"kernel start": kernel_ready - start, "imports (set-up cell)": imports_done - kernel_ready,
            "execution (other cells)": finished - imports_done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="copies of the 6-student sample class (default 4: 24)")
    parser.add_argument("--workers", type=int, help="workers of our embedded Dask cluster (default: one per core)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        scratch = Path(folder)
        count = len(build(scratch / "submissions", copies=args.copies))
        print(f"{datetime.now():%Y-%m-%d %H:%M}: grading {count} submitted notebooks of {LESSON}")
        plain = plain_nbgrader(scratch / "submissions", scratch)
        print(f"  plain nbgrader autograde (serial): {plain:.1f} s")
        parallel = ours(scratch / "submissions", scratch, args.workers)
        print(f"  python -m grader autograde:        {parallel:.1f} s")
        print(f"  speed-up: {plain / parallel:.2f}x")
        parts = breakdown(scratch / "submissions" / ("correct01" if args.copies > 1 else "correct") / f"{LESSON}.ipynb")
        plain_per_notebook = plain / count
        print(f"\nwhere one notebook's time goes (plain nbgrader: {plain_per_notebook:.1f} s per notebook):")
        for name, seconds in parts.items():
            print(f"  {name:<26} {seconds:5.1f} s")
        print(f"  {'bookkeeping (the rest)':<26} {max(0.0, plain_per_notebook - sum(parts.values())):5.1f} s")


if __name__ == "__main__":
    main()
