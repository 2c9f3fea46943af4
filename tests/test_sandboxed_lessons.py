"""Every lesson graded the way a class is graded (in the sandbox, with the integrity probe): a correct
submission earns full marks on every graded test with no integrity finding, an untouched lesson earns
nothing, and hard-coded answers lose the points of the tests that hide fresh inputs.

(That the hard-coded answers pass every visible test, so that it is the hidden tests that catch them,
is checked in tests/test_exercise_tests.py.)"""

import importlib

import pytest

from grader.files import write_notebook_atomically
from grader.grading import layout
from grader.grading.batch import autograde_class
from grader.grading.classroom import prepare_lessons
from grader.grading.record import read_marker
from grader.nbgrader_adapter import open_gradebook
from grader.notebooks import graded_tests, nbgrader_meta, read, solution_answers, substitute
from grader.paths import LESSONS, SOLUTIONS, written_lessons
from grader.safety.probe import MIME as PROBE_MIME

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.notebooks]
STEMS = written_lessons()
STUDENTS = ("correct", "untouched", "hardcoded")


def hard_coded_answers(stem: str) -> dict[str, str]:
    return importlib.import_module(f"tests.wrong_answers.l{stem}").HARD_CODED


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("sandboxed") / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    for stem in STEMS:
        lesson = read(LESSONS / f"{stem}.ipynb")
        submissions = {"correct": substitute(lesson, solution_answers(read(SOLUTIONS / f"{stem}.ipynb"))),
                       "untouched": lesson, "hardcoded": substitute(lesson, hard_coded_answers(stem))}
        for student, notebook in submissions.items():
            write_notebook_atomically(notebook, layout.notebook(course, "submitted", stem, student))
    prepare_lessons(course, db_url, STEMS)
    report = autograde_class(course, db_url, workers=2, show_progress=False)
    with open_gradebook(db_url) as gradebook:
        scores = {(student, stem): {grade.name: (grade.score, grade.max_score)
                                    for grade in gradebook.find_submission_notebook(stem, stem, student).grades}
                  for stem in STEMS for student in STUDENTS}
    return course, report, scores


def total(scores: dict) -> tuple[float, float]:
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


@pytest.mark.parametrize("stem", STEMS)
def test_a_correct_submission_earns_full_marks_with_a_clean_integrity_report(graded, stem):
    course, report, scores = graded
    marker = read_marker(course, stem, "correct")
    assert marker["error"] is None, marker["error"]
    assert marker["integrity"] == [], f"an honest submission of {stem} raised findings: {marker['integrity']}"
    graded_ids = {nbgrader_meta(cell)["grade_id"] for cell in graded_tests(read(SOLUTIONS / f"{stem}.ipynb"))}
    assert set(scores["correct", stem]) == graded_ids
    score, maximum = total(scores["correct", stem])
    assert maximum > 0 and score == maximum, f"{stem}: {score} of {maximum}: {scores['correct', stem]}"
    autograded = layout.notebook(course, "autograded", stem, "correct").read_text()
    assert PROBE_MIME not in autograded, "the probe's reports are read, then dropped from the graded notebook"


@pytest.mark.parametrize("stem", STEMS)
def test_an_untouched_lesson_earns_nothing_and_is_not_called_tampering(graded, stem):
    course, report, scores = graded
    assert total(scores["untouched", stem])[0] == 0, f"untouched lesson earned points: {scores['untouched', stem]}"
    assert not read_marker(course, stem, "untouched")["tampered"]


@pytest.mark.parametrize("stem", STEMS)
def test_hard_coded_answers_lose_the_points_of_their_tests(graded, stem):
    course, report, scores = graded
    lost = {f"{answer}_test": scores["hardcoded", stem][f"{answer}_test"] for answer in hard_coded_answers(stem)}
    assert lost and all(score == 0 for score, _ in lost.values()), f"hard-coded answers kept points: {lost}"
