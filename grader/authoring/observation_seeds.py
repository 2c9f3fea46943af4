"""Observations that a wrong answer could give without computing: the two-seed check of ``grader check``.

A hidden test's observation earns trust only if it is a value computed from the grader's per-run inputs
(helpers.observations.inputs). A boolean verdict or a constant property is the same on every run, so
code that never does the task can report it. Here each solution runs as it does while grading, under
two observation seeds, and every graded observation that comes out the same under both is named.
An observed file is compared by its bytes: the grader judges what it holds itself, and a trained network
the grader measures (grader.grading.evaluation) must pass that measure under both seeds.
"""

import os
import tempfile
from pathlib import Path
from unittest import mock

from nbclient import NotebookClient

from grader.grading.differential import observations
from grader.grading.evaluation import EVALUATED, judged
from grader.notebooks import read
from grader.safety.artifacts import read_files
from helpers.mode import GRADING_ENV_VAR
from helpers.observations import DEFAULT_ATOL, DEFAULT_RTOL, SEED_VARIABLE, difference

SEEDS = (20261207, 7331)  # any two seeds; each draws other inputs in every hidden block
TIMEOUT_SECONDS = 1800


def observed_under(path: Path, seed: int) -> dict[str, dict[str, dict]]:
    """The observations of each graded test (grade_id -> name -> report) of ``path`` run with ``seed``,
    in grading mode, in a scratch folder (its files, IPython's and Matplotlib's state stay there)."""
    notebook = read(path)
    with tempfile.TemporaryDirectory(prefix="grader-seeds-") as scratch, mock.patch.dict(os.environ, {
            GRADING_ENV_VAR: "autograde", SEED_VARIABLE: str(seed), "IPYTHONDIR": f"{scratch}/ipython",
            "MPLCONFIGDIR": f"{scratch}/matplotlib", "JUPYTER_RUNTIME_DIR": f"{scratch}/runtime"}):
        NotebookClient(notebook, timeout=TIMEOUT_SECONDS, kernel_name="python3", allow_errors=False,
                       store_widget_state=False, resources={"metadata": {"path": scratch}}).execute()
    return observations(notebook)


def _same(first: dict, second: dict) -> bool:
    """Whether two reports of one observation hold the same value (within the tolerance it is graded with)."""
    value, other = first.get("value"), second.get("value")
    if isinstance(value, dict) and "file" in value:
        return value == other
    return difference(value, other, first.get("rtol", DEFAULT_RTOL), first.get("atol", DEFAULT_ATOL)) is None


def unchanged(first: dict[str, dict[str, dict]], second: dict[str, dict[str, dict]]) -> list[str]:
    """The observations that do not change between two runs' reports, each named with its test."""
    return [f"test {grade_id}: the observation {name!r} is the same under both seeds (a verdict or a constant: "
            "observe a value computed from the grader's inputs)"
            for grade_id, reports in first.items() for name, report in reports.items()
            if name in second.get(grade_id, {}) and _same(report, second[grade_id][name])]


def short_of_the_graders_measure(observed: dict[str, dict[str, dict]]) -> list[str]:
    """The solution's trained networks that fail the grader's own measure (its weights read by the artifacts loader;
    unsandboxed: the file is the course's own solution's, and ``grader check`` needs no bubblewrap)."""
    measured = read_files({grade_id: {name: dict(report) for name, report in reports.items() if name in EVALUATED}
                           for grade_id, reports in observed.items()}, sandboxed=False)
    return [f"test {grade_id}: the solution's own result falls short: {problem}"
            for grade_id, reports in measured.items() for name, report in reports.items()
            for _, problem in [judged(name, report.get("value"))] if problem]


def constant_observations(path: Path, seeds: tuple[int, int] = SEEDS) -> list[str]:
    """What ``grader check`` reports for a solution: each observation that is the same under two seeds (or
    made under one of them only), and each trained network of the solution that fails the grader's measure."""
    first, second = (observed_under(path, seed) for seed in seeds)
    found = unchanged(first, second)
    found += [f"test {grade_id}: the observation {name!r} was made under one seed only"
              for one, other in ((first, second), (second, first)) for grade_id, reports in one.items()
              for name in reports if name not in other.get(grade_id, {})]
    return found + short_of_the_graders_measure(first) + short_of_the_graders_measure(second)
