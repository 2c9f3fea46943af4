"""Make and run submissions: a lesson with some answer cells replaced, executed like nbgrader would.

Used to test the tests (deliberately wrong answers must be rejected with the intended message) and
to build sample submissions whose scores are known.
"""

import copy
import os
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from nbclient import NotebookClient
from nbformat import NotebookNode

from grader.notebooks import graded_tests, nbgrader_meta


class UnknownCellError(KeyError):
    """A substitution names a grade_id the notebook does not have."""


def substitute(notebook: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of ``notebook`` whose answer cells (by grade_id) hold the given code."""
    result = copy.deepcopy(notebook)
    by_id = {nbgrader_meta(cell).get("grade_id"): cell for cell in result.cells}
    for grade_id, source in answers.items():
        if grade_id not in by_id:
            raise UnknownCellError(f"no cell with grade_id {grade_id!r}; known: {sorted(k for k in by_id if k)}")
        by_id[grade_id].source = source
    return result


@contextmanager
def _execution_mode(grading: bool):
    """Set NBGRADER_EXECUTION like nbgrader's autograde (heavy demo cells shrink), or unset it (learner mode)."""
    with mock.patch.dict(os.environ):
        if grading:
            os.environ["NBGRADER_EXECUTION"] = "autograde"
        else:
            os.environ.pop("NBGRADER_EXECUTION", None)
        yield


def execute(notebook: NotebookNode, working_dir: Path, timeout: int = 180, grading: bool = True) -> NotebookNode:
    """Run every cell (in grading mode unless told otherwise), carrying on past errors as nbgrader does."""
    executed = copy.deepcopy(notebook)
    with _execution_mode(grading):
        client = NotebookClient(executed, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(working_dir)}})
        client.execute()
    return executed


def outcomes_of_tests(executed: NotebookNode) -> dict[str, str]:
    """For each graded test cell: '' when it passed, else its error (last traceback line) or stderr."""
    outcomes = {}
    for cell in graded_tests(executed):
        problem = ""
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problem = f"{output.ename}: {output.evalue}"
                break
            if output.output_type == "stream" and output.name == "stderr":
                problem = f"stderr: {output.text.strip()}"
                break
        outcomes[nbgrader_meta(cell)["grade_id"]] = problem
    return outcomes


SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_answers(solution_notebook: NotebookNode) -> dict[str, str]:
    """{grade_id: code} of every answer cell of a solution notebook, markers removed: a correct submission."""
    answers = {}
    for cell in solution_notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers
