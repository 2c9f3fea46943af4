"""Run All of an untouched lesson: grader.authoring.run_all's stubs name their exercise and cells that may fail carry
raises-exception; run in quick mode, every lesson shows each failure as one line (no raw traceback)."""

import os
from unittest import mock

import nbformat
import pytest

from grader.authoring.run_all import RAISES, prepare_for_learners
from grader.notebooks import read
from grader.paths import LESSONS, written_lessons
from tests.support.execution import execute, raw_tracebacks


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "solution": False, "grade": False, "locked": False,
                                     **nbgrader}
    return cell


SOLVED = "def tile(t):\n    ### BEGIN SOLUTION\n    return t\n    ### END SOLUTION"
STUB = "def tile(t):\n    # YOUR CODE HERE\n    raise NotImplementedError()"


def _lessons():
    cells = [("import torch", {}), (STUB, {"grade_id": "tile", "solution": True}),
             ('check(tile(1) == 1, "no")\npassed("Exercise 9.1")',
              {"grade_id": "tile_test", "grade": True, "points": 1}),
             ("tiled = tile(torch.ones(2))", {}), ("print(tiled.shape)", {}), ("print(torch.ones(1))", {}),
             ("# Record the letter\n# YOUR CODE HERE\nraise NotImplementedError()",
              {"grade_id": "quiz_q", "solution": True}),
             ("check_choice('q')", {"grade_id": "quiz_q_check", "locked": True})]
    lesson = nbformat.v4.new_notebook(cells=[_cell(source, **meta) for source, meta in cells])
    solution = nbformat.v4.new_notebook(cells=[_cell(SOLVED if meta.get("grade_id") == "tile" else source, **meta)
                                               for source, meta in cells])
    return prepare_for_learners(lesson, solution)


def test_stubs_name_their_exercise_and_knowledge_checks_start_unanswered():
    lesson = _lessons()
    assert lesson.cells[1].source == 'def tile(t):\n    # YOUR CODE HERE\n    raise NotAttempted("Exercise 9.1")'
    assert lesson.cells[6].source == "# Record the letter\nanswer_q = None"


def test_cells_that_wait_for_an_answer_are_tagged_and_the_others_are_not():
    tagged = [RAISES in cell.metadata.get("tags", []) for cell in _lessons().cells]
    # set-up, answer, test, uses tile(), uses what that made, independent, quiz answer, quiz check
    assert tagged == [False, False, True, True, True, False, False, True]


def _ran(notebook, folder, quick: bool = True):
    """``notebook`` executed as a learner's Run All would (not grading), in quick mode unless told otherwise."""
    with mock.patch.dict(os.environ):
        os.environ.pop("COURSE_QUICK", None)
        if quick:
            os.environ["COURSE_QUICK"] = "1"
        return execute(notebook, folder, timeout=600, grading=False)


def _errors(notebook) -> dict[str, list[str]]:
    """{cell id: its tags} for every cell that showed an error."""
    return {cell.get("id"): cell.metadata.get("tags", []) for cell in notebook.cells
            if any(output.get("output_type") == "error" for output in cell.get("outputs", []))}


@pytest.mark.slow
def test_raw_tracebacks_are_told_from_the_courses_one_line_errors(tmp_path):
    cells = ["from helpers.checks import NotAttempted, check\nfrom helpers.training import one_line_stops\n"
             "one_line_stops()",
             "check(1 == 2, 'one plus one is not two')",          # the course's own failure: one line
             "def answer():\n    raise NotAttempted('Exercise 9.1')",
             "result = answer()",                                  # a cell waiting for the exercise: one line
             "print(result)",                                      # what that cell would have made: one line
             "print(never_defined)",                               # a real NameError: a raw traceback
             "import torch\ntorch.ones(2) @ torch.ones(3)"]       # an error inside torch: a raw traceback
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    executed = _ran(notebook, tmp_path)
    assert list(_errors(executed)) == [cell.get("id") for cell in notebook.cells[1:2] + notebook.cells[3:]]
    raw = raw_tracebacks(executed)
    assert [line.split(":")[0] for line in raw] == [f"cell {cell.get('id')}" for cell in notebook.cells[5:]], raw
    assert "NameError" in raw[0] and "RuntimeError" in raw[1]


@pytest.mark.slow
@pytest.mark.notebooks
@pytest.mark.parametrize("stem", written_lessons(LESSONS))
def test_run_all_of_an_untouched_lesson_shows_every_failure_in_one_line(stem, tmp_path):
    executed = _ran(read(LESSONS / f"{stem}.ipynb"), tmp_path)
    assert raw_tracebacks(executed) == [], f"{stem}: Run All of the untouched lesson shows raw tracebacks"
    stopping = [cell_id for cell_id, tags in _errors(executed).items() if RAISES not in tags]
    assert stopping == [], f"{stem}: cells that fail without {RAISES!r}, where JupyterLab's Run All would stop"
