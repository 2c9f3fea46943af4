"""nbval re-executes every solution notebook (learner mode) and matches its stored outputs.

tests/nbval_sanitize.cfg lists what may honestly vary; ignored cells must stay rare.
"""

import os
import re
import subprocess
import sys

import pytest

from grader.authoring.refresh import LEARNER_UNSET
from grader.notebooks import nbval_counts, read
from grader.paths import REPO, SOLUTIONS, written_lessons

SANITIZE = REPO / "tests" / "nbval_sanitize.cfg"


def learner_environment() -> dict[str, str]:
    """The environment of a learner's kernel: matplotlib's inline backend (not the tests' Agg), not grading.

    One difference: progress bars redraw every 10 s rather than 10 times a second. nbval reads a cell's
    messages only once the cell has finished, and past about a thousand queued messages ZMQ drops the
    newest, among them the "idle" message nbval waits for. (Stored outputs are unaffected: a bar's
    text is its initial state.)
    """
    environment = {key: value for key, value in os.environ.items() if key not in LEARNER_UNSET}
    environment["PYTHONPATH"] = str(REPO)
    environment["TQDM_MININTERVAL"] = "10"
    return environment


@pytest.mark.parametrize("stem", written_lessons())
def test_ignored_outputs_are_rare(stem):
    counts = nbval_counts(read(SOLUTIONS / f"{stem}.ipynb"))
    assert counts["ignored"] <= max(1, counts["code_cells"] // 10), f"{stem}: too many ignored cells: {counts}"


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("stem", written_lessons())
def test_solution_outputs_reproduce(stem, tmp_path):
    notebook = tmp_path / f"{stem}.ipynb"
    # run in a scratch folder: files it saves stay there
    notebook.write_bytes((SOLUTIONS / f"{stem}.ipynb").read_bytes())
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.nbval_patience", "--color=no",
         "--nbval", "--nbval-current-env",
         "--nbval-sanitize-with", str(SANITIZE), "--rootdir", str(tmp_path), str(notebook)],
        capture_output=True, text=True, cwd=tmp_path, env=learner_environment())
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, f"nbval failed for {stem}: {summary}\n{run.stdout[-6000:]}"
    compared = nbval_counts(read(notebook))["compared"]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= compared, f"nbval ran {passed} cells, expected at least the {compared} compared ones"
