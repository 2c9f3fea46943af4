"""Try many answers to a lesson's exercises in one live kernel, instead of executing the notebook once per answer.

The solution notebook runs cell by cell, in order, in grading mode. On reaching an answer cell that has
answers to try, the kernel's state is what a fresh run would have there; for each answer it restores
that state (the names the answer cell defines, and the random number generators), runs the answer in
the cell's place, the cells between it and its test, and the test (as the learner sees it, or with
its hidden part, or only the block that observes values for the grader), and keeps the test's outcome
and observations. Then the solution's own cells run on from there, so
every later exercise starts from the solution's state again, and every solution test must pass.
"""

import copy
import re
from dataclasses import dataclass
from pathlib import Path

from nbclient import NotebookClient
from nbformat import NotebookNode, v4

from grader.notebooks import graded_tests, names_defined, nbgrader_meta
from helpers.observations import HEADING, MIME
from tests.support.execution import execution_mode, outcome

HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.DOTALL)
OBSERVATION_BLOCK = re.compile(rf"### BEGIN HIDDEN TESTS\n{re.escape(HEADING)}.*?### END HIDDEN TESTS\n?", re.DOTALL)

_SAVE_STATE = """
import random as _live_random, torch as _live_torch
try:
    import numpy as _live_numpy
except ImportError:
    _live_numpy = None
_live_saved = ({{_n: globals()[_n] for _n in {names!r} if _n in globals()}}, _live_random.getstate(),
               _live_torch.get_rng_state(), _live_numpy.random.get_state() if _live_numpy else None)
"""
_RESTORE_STATE = """
for _n in {names!r}:
    globals().pop(_n, None)
globals().update(_live_saved[0])
_live_random.setstate(_live_saved[1])
_live_torch.set_rng_state(_live_saved[2])
if _live_numpy:
    _live_numpy.random.set_state(_live_saved[3])
"""


@dataclass(frozen=True)
class Attempt:
    """An answer to try in one answer cell; ``visible``: against the test without its hidden part;
    ``observed``: only the test's observation block (helpers.observations), as if every check were forged;
    ``before_test``: a cell run just before the test (a learner's scratch cell); the same answer tried again
    right after with another ``before_test`` stays in place, and only the scratch cell and the test run again."""

    cell: str
    code: str
    visible: bool = False
    observed: bool = False
    before_test: str = ""


def without_hidden_tests(source: str) -> str:
    return HIDDEN_TESTS.sub("", source)


def observation_blocks(source: str) -> list[str]:
    """The blocks of a test cell that observe values for the grader."""
    return OBSERVATION_BLOCK.findall(source)


def observations_in(cell: NotebookNode) -> dict[str, dict]:
    """The observation reports an executed cell displayed, by name."""
    return {output.data[MIME]["name"]: output.data[MIME] for output in cell.get("outputs", [])
            if output.output_type == "display_data" and MIME in output.get("data", {})}


class LiveLesson:
    """A solution notebook in one kernel, run once, with answers tried in place (see the module's docstring)."""

    def __init__(self, notebook: NotebookNode, working_dir: Path, timeout: int = 180):
        self.notebook = copy.deepcopy(notebook)
        self.client = NotebookClient(self.notebook, timeout=timeout, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(working_dir)}})
        self.cells = copy.deepcopy(self.notebook.cells)  # nbclient stores each executed cell in its notebook
        self.tests = {nbgrader_meta(cell)["grade_id"] for cell in graded_tests(self.notebook)}
        self.observed: dict[int, dict[str, dict]] = {}  # attempt number -> its observations
        self.solution_observed: dict[str, dict[str, dict]] = {}  # test grade_id -> the solution's observations

    def _run(self, source: str, index: int) -> NotebookNode:
        cell = v4.new_code_cell(source)
        self.client.execute_cell(cell, index, store_history=False)
        return cell

    def _test_after(self, index: int) -> int:
        return next(i for i in range(index + 1, len(self.cells))
                    if nbgrader_meta(self.cells[i]).get("grade_id") in self.tests)

    def try_answers(self, attempts: list[Attempt]) -> tuple[list[str], dict[str, str]]:
        """The test outcome of each attempt, in order; and the solution's own outcome of every graded test."""
        by_cell: dict[str, list[int]] = {}
        for number, attempt in enumerate(attempts):
            by_cell.setdefault(attempt.cell, []).append(number)
        found, solution_outcomes = [""] * len(attempts), {}
        with execution_mode(grading=True), self.client.setup_kernel():
            for index, cell in enumerate(self.cells):
                grade_id = nbgrader_meta(cell).get("grade_id")
                if cell.cell_type == "code" and grade_id in by_cell:
                    test = self._test_after(index)
                    names = sorted(names_defined(cell.source))
                    self._run(_SAVE_STATE.format(names=names), index)
                    previous = None
                    for number in by_cell[grade_id]:
                        attempt = attempts[number]
                        answer = (attempt.code, attempt.visible, attempt.observed)
                        # The same answer again after another scratch cell stays in place: only its test runs
                        # again, as when a learner re-runs a test.
                        if not (attempt.before_test and answer == previous):
                            self._run(_RESTORE_STATE.format(names=names), index)
                            self._run(attempt.code, index)
                            for between in range(index + 1, test):
                                self._run(self.cells[between].source, between)
                        previous = answer
                        test_source = self.cells[test].source
                        if attempt.observed:
                            test_source = "".join(observation_blocks(test_source))
                        elif attempt.visible:
                            test_source = without_hidden_tests(test_source)
                        if attempt.before_test:
                            self._run(attempt.before_test, test)
                        ran = self._run(test_source, test)
                        found[number], self.observed[number] = outcome(ran), observations_in(ran)
                    self._run(_RESTORE_STATE.format(names=names), index)
                if cell.cell_type == "code":
                    self.client.execute_cell(cell, index)
                    if grade_id in self.tests:
                        solution_outcomes[grade_id] = outcome(cell)
                        self.solution_observed[grade_id] = observations_in(cell)
        return found, solution_outcomes
