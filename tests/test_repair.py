"""grader.safety.repair: what nbgrader cannot grade is put right before grading, without touching answers."""

import copy

from grader.notebooks import nbgrader_meta, read
from grader.paths import LESSONS
from grader.safety.repair import repair

LESSON = read(LESSONS / "02_tensors.ipynb")


def grade_ids(notebook):
    return [nbgrader_meta(cell).get("grade_id") for cell in notebook.cells if nbgrader_meta(cell).get("grade_id")]


def cell_of(notebook, grade_id):
    return next(cell for cell in notebook.cells if nbgrader_meta(cell).get("grade_id") == grade_id)


def where(notebook, grade_id):
    return grade_ids(notebook).index(grade_id)


def test_an_intact_submission_is_unchanged():
    assert repair(LESSON, LESSON) == LESSON


def test_a_deleted_test_is_put_back_after_its_answer():
    submission = copy.deepcopy(LESSON)
    submission.cells = [c for c in submission.cells if nbgrader_meta(c).get("grade_id") != "describe_test"]
    repaired = repair(submission, LESSON)
    assert grade_ids(repaired) == grade_ids(LESSON)
    assert where(repaired, "describe_test") == where(repaired, "describe") + 1
    assert cell_of(repaired, "describe_test").source == cell_of(LESSON, "describe_test").source


def test_a_deleted_answer_is_not_invented():
    submission = copy.deepcopy(LESSON)
    submission.cells = [c for c in submission.cells if nbgrader_meta(c).get("grade_id") != "describe"]
    assert "describe" not in grade_ids(repair(submission, LESSON))


def test_copies_and_renamed_cells_run_as_ordinary_cells():
    submission = copy.deepcopy(LESSON)
    index = next(i for i, c in enumerate(submission.cells) if nbgrader_meta(c).get("grade_id") == "describe_test")
    twin = copy.deepcopy(submission.cells[index])
    twin["id"] = "twin"
    submission.cells.insert(index + 1, twin)
    submission.cells[index].metadata.nbgrader["grade_id"] = "my_own_test"
    repaired = repair(submission, LESSON)
    assert grade_ids(repaired).count("describe_test") == 1 and "my_own_test" not in grade_ids(repaired)
    assert [c.source for c in repaired.cells].count(twin.source) == 2, "the student's cells all stay, as plain cells"
