"""Every lesson graded the way a class is graded (in the sandbox, with the integrity probe): a correct
submission earns full marks with no integrity finding, and an untouched lesson earns nothing."""

import nbformat
import pytest

from grader.batch import autograde_class
from grader.classroom import prepare_lessons
from grader.course import open_gradebook
from grader.kernel_probe import MIME as PROBE_MIME
from grader.notebooks import read
from grader.paths import LESSONS, SOLUTIONS, written_lessons
from grader.record import read_marker
from grader.submissions import solution_answers, substitute

pytestmark = pytest.mark.slow
STEMS = written_lessons()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("sandboxed") / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    for stem in STEMS:
        lesson = read(LESSONS / f"{stem}.ipynb")
        submissions = {"correct": substitute(lesson, solution_answers(read(SOLUTIONS / f"{stem}.ipynb"))),
                       "untouched": lesson}
        for student, notebook in submissions.items():
            path = course / "submitted" / student / stem / f"{stem}.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(notebook, path)
    prepare_lessons(course, db_url, STEMS)
    report = autograde_class(course, db_url, workers=2, show_progress=False)
    with open_gradebook(db_url) as gradebook:
        scores = {(student, stem): (gradebook.find_submission_notebook(stem, stem, student).score,
                                    gradebook.find_notebook(stem, stem).max_score)
                  for stem in STEMS for student in ("correct", "untouched")}
    return course, report, scores


@pytest.mark.parametrize("stem", STEMS)
def test_a_correct_submission_earns_full_marks_with_a_clean_integrity_report(graded, stem):
    course, report, scores = graded
    marker = read_marker(course, stem, "correct")
    assert marker["error"] is None, marker["error"]
    assert marker["integrity"] == [], f"an honest submission of {stem} raised findings: {marker['integrity']}"
    score, maximum = scores["correct", stem]
    assert maximum > 0 and score == maximum, f"{stem}: {score} of {maximum}"
    autograded = (course / "autograded" / "correct" / stem / f"{stem}.ipynb").read_text()
    assert PROBE_MIME not in autograded, "the probe's reports are read, then dropped from the graded notebook"


@pytest.mark.parametrize("stem", STEMS)
def test_an_untouched_lesson_earns_nothing_and_is_not_called_tampering(graded, stem):
    course, report, scores = graded
    assert scores["untouched", stem][0] == 0
    assert not read_marker(course, stem, "untouched")["tampered"]
