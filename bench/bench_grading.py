"""Grade the same notebooks several ways in one run, side by side: plain serial `nbgrader autograde`, then
`python -m grader autograde` with cold kernels (--no-warm) and with warm ones; then warm with 1 and 2 Dask
workers and with one separate `dask worker` process on loopback (for the first lesson only).

Prints wall times and ratios to plain nbgrader, where one notebook's time goes (from the grading markers:
until the kernel answered, its set-up cell, its other cells, our bookkeeping), the kernels' cost,
and the limit: the student notebooks' own cells (all after the set-up cell) summed and divided by the
workers, twice: as plain nbgrader's kernels ran them, and as warm kernels ran them in the 1-worker run
(where nothing competes for the cores; warm kernels have imported what those cells would import, so
that limit is the stricter one). A benchmark, not a test:
    .venv/bin/python bench/bench_grading.py [--copies 4] [--workers 2] [--lessons 01_quickstart 02_tensors]
--copies 4 grades 24 notebooks per lesson (lesson 01: the sample class of 6 students four times over;
other lessons: 24 correct notebooks).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import nbformat

from grader.grading import layout
from grader.grading.demo import LESSON as SAMPLE_LESSON
from grader.grading.demo import build
from grader.notebooks import read, solution_answers, substitute
from grader.paths import CONFIG_FILE, LESSONS, REPO, SOLUTIONS

TOOLS_ENV = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
PARTS = ("kernel_ready", "setup_cell", "other_cells", "bookkeeping")


class Run(NamedTuple):
    seconds: float  # wall time of the whole command
    markers: list[dict]  # the grading markers of its graded notebooks (none for plain nbgrader)
    own_cells: float  # the notebooks' own cells, summed (own_cells_seconds)


def own_cells_seconds(course: Path) -> float:
    """The autograded notebooks' own cells, summed: per notebook, from the end of its set-up cell (the first
    code cell) to the end of its last cell, as nbclient recorded them in the cells' metadata. The grading
    markers' ``other_cells`` is the same span on the worker's clock; plain nbgrader has no markers, and this
    reads both kinds of notebook alike."""
    total = 0.0
    for _, _, path in layout.each(course, "autograded"):
        ends = [datetime.fromisoformat(cell.metadata["execution"]["iopub.status.idle"])
                for cell in nbformat.read(path, as_version=4).cells
                if cell.cell_type == "code" and "iopub.status.idle" in cell.metadata.get("execution", {})]
        total += (ends[-1] - ends[0]).total_seconds() if ends else 0.0
    return total


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, check=False, capture_output=True, text=True, env=TOOLS_ENV)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: some notebooks could not be graded (the sample class has one)
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def submissions_of(lesson: str, folder: Path, copies: int) -> int:
    """Write the batch: lesson 01's sample class (with wrong and broken work), or correct notebooks."""
    if lesson == SAMPLE_LESSON:
        return len(build(folder, copies=copies))
    notebook = substitute(read(LESSONS / f"{lesson}.ipynb"), solution_answers(read(SOLUTIONS / f"{lesson}.ipynb")))
    for number in range(1, 6 * copies + 1):
        target = folder / f"correct{number:02d}" / f"{lesson}.ipynb"
        target.parent.mkdir(parents=True)
        nbformat.write(notebook, target)
    return 6 * copies


def plain_nbgrader(lesson: str, submissions: Path, scratch: Path) -> Run:
    """Serial `nbgrader autograde` over every student, in an nbgrader course folder."""
    course = scratch / "plain"
    layout.stage_sources(course, [lesson])
    shutil.copy(CONFIG_FILE, course / "nbgrader_config.py")
    for student in sorted(path.name for path in submissions.iterdir()):
        target = layout.notebook(course, "submitted", lesson, student)
        target.parent.mkdir(parents=True)
        shutil.copy(submissions / student / f"{lesson}.ipynb", target)
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    subprocess.run([nbgrader, "generate_assignment", lesson], cwd=course, check=True, capture_output=True,
                   env=TOOLS_ENV)
    return Run(timed([nbgrader, "autograde", lesson, "--create"], course), [], own_cells_seconds(course))


def ours(name: str, submissions: Path, scratch: Path, options: list[str]) -> Run:
    """`python -m grader autograde` on a fresh course."""
    course = scratch / name
    grader = [sys.executable, "-m", "grader"]
    subprocess.run(grader + ["collect", str(submissions), "--course", str(course)], cwd=REPO, check=True,
                   capture_output=True)
    seconds = timed(grader + ["autograde", "--course", str(course), "--no-progress"] + options, REPO)
    markers = [json.loads(path.read_text()) for _, _, path in layout.each(course, "autograded", layout.MARKER)]
    own_cells = own_cells_seconds(course)
    shutil.rmtree(course)
    return Run(seconds, [marker for marker in markers if not marker["error"]], own_cells)


def median_of(markers: list[dict], key: str, section: str = "timings") -> float:
    values = [marker[section][key] for marker in markers if key in marker.get(section, {})]
    return statistics.median(values) if values else float("nan")


@contextmanager
def loopback_cluster():
    """A `dask scheduler` and one separate `dask worker` process (one thread) on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    dask = str(Path(sys.executable).parent / "dask")
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as folder:
        scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                      "--no-dashboard"], cwd=folder, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=TOOLS_ENV)
        time.sleep(3)
        worker = subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                                   "--local-directory", folder], cwd=folder, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, env=TOOLS_ENV)
        try:
            time.sleep(5)
            yield address
        finally:
            for process in (worker, scheduler):
                process.terminate()
                process.wait(timeout=30)


def bench_lesson(lesson: str, copies: int, workers: int, scaling: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as folder:
        scratch = Path(folder)
        count = submissions_of(lesson, scratch / "submissions", copies)
        print(f"\n{datetime.now():%Y-%m-%d %H:%M}: {count} submitted notebooks of {lesson}, {workers} workers, "
              "sandboxed, with the reference run")
        runs = {"plain nbgrader autograde (serial)": plain_nbgrader(lesson, scratch / "submissions", scratch)}
        runs["ours, cold kernels (--no-warm)"] = ours("cold", scratch / "submissions", scratch,
                                                      ["--workers", str(workers), "--no-warm"])
        runs["ours, warm kernels"] = ours("warm", scratch / "submissions", scratch, ["--workers", str(workers)])
        runs["ours, warm, 1 worker"] = ours("warm1", scratch / "submissions", scratch, ["--workers", "1"])
        if scaling:
            with loopback_cluster() as address:
                runs["ours, warm, separate dask worker (1)"] = ours("remote", scratch / "submissions", scratch,
                                                                     ["--scheduler", address])
        print(f"  {'':40} {'wall s':>7} {'vs plain':>8}")
        plain, warm = runs["plain nbgrader autograde (serial)"].seconds, runs["ours, warm kernels"].seconds
        for name, run in runs.items():
            print(f"  {name:40} {run.seconds:7.1f} {plain / run.seconds:7.2f}x")
        for kernels, own_cells in (("plain nbgrader's kernels", runs["plain nbgrader autograde (serial)"].own_cells),
                                   ("warm kernels, 1 worker", runs["ours, warm, 1 worker"].own_cells)):
            limit = own_cells / workers
            print(f"  the limit, own cells as {kernels} ran them: {own_cells:.1f} s / {workers} workers = "
                  f"{limit:.1f} s ({plain / limit:.2f}x plain); warm reaches {limit / warm:.0%} of it")
        print(f"\n  where one notebook's time goes, median s per graded notebook (plain: {plain / count:.1f} s "
              "per notebook in all):")
        print(f"  {'':40} " + " ".join(f"{part:>13}" for part in PARTS + ("kernel CPU s", "peak MiB")))
        for name, (_, markers, _) in runs.items():
            if markers:
                figures = [median_of(markers, part) for part in PARTS]
                figures += [median_of(markers, "cpu_seconds", "cost"), median_of(markers, "peak_memory_mib", "cost")]
                print(f"  {name:40} " + " ".join(f"{figure:13.2f}" for figure in figures))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=4, help="6 x COPIES notebooks per lesson (default 4: 24)")
    parser.add_argument("--workers", type=int, default=2, help="workers of our embedded Dask cluster (default 2)")
    parser.add_argument("--lessons", nargs="+", default=[SAMPLE_LESSON, "02_tensors"])
    parser.add_argument("--no-scaling", action="store_true", help="skip the run on a separate dask worker")
    args = parser.parse_args()
    for number, lesson in enumerate(args.lessons):
        bench_lesson(lesson, args.copies, args.workers, scaling=not args.no_scaling and number == 0)


if __name__ == "__main__":
    main()
