"""grader.authoring.run_all: a released lesson's stubs name their exercise, and cells that may fail carry
raises-exception."""

import nbformat

from grader.authoring.run_all import RAISES, prepare_for_learners


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
