"""Grading through nbgrader's autograde: full marks for a correct submission, 0 for an untouched
lesson, and hard-coded answers lose the points of the tests that hide fresh inputs."""

import importlib

import pytest

from grader.autograde import autograde, cell_scores, create_course, submit
from grader.notebooks import graded_tests, nbgrader_meta, read
from grader.paths import LESSONS, SOLUTIONS, written_lessons
from grader.submissions import execute, outcomes_of_tests, solution_answers, substitute

STEMS = [stem for stem in written_lessons() if (LESSONS / f"{stem}.ipynb").exists()]


def hard_coded_answers(stem: str) -> dict[str, str]:
    return importlib.import_module(f"tests.wrong_answers.l{stem}").HARD_CODED


def total(scores: dict) -> tuple[float, float]:
    return sum(s for s, _ in scores.values()), sum(m for _, m in scores.values())


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_autograde_scores_correct_untouched_and_hard_coded_submissions(stem, tmp_path):
    lesson = read(LESSONS / f"{stem}.ipynb")
    solution = read(SOLUTIONS / f"{stem}.ipynb")
    hard_coded = hard_coded_answers(stem)
    api = create_course(tmp_path / "course", [stem])
    submissions = {
        "correct": substitute(lesson, solution_answers(solution)),
        "untouched": lesson,
        "hardcoded": substitute(lesson, hard_coded),
    }
    scores = {}
    for student, notebook in submissions.items():
        submit(tmp_path / "course", stem, student, notebook)
        autograde(api, stem, student)
        scores[student] = cell_scores(api, stem, student)

    graded_ids = {nbgrader_meta(cell)["grade_id"] for cell in graded_tests(solution)}
    assert set(scores["correct"]) == graded_ids
    score, maximum = total(scores["correct"])
    assert maximum > 0 and score == maximum, f"correct submission scored {score}/{maximum}: {scores['correct']}"
    assert total(scores["untouched"])[0] == 0, f"untouched lesson earned points: {scores['untouched']}"

    hard_coded_tests = {f"{answer_id}_test" for answer_id in hard_coded}
    lost = {grade_id: scores["hardcoded"][grade_id] for grade_id in hard_coded_tests}
    assert all(score == 0 for score, _ in lost.values()), f"hard-coded answers kept points: {lost}"

    # ...and it is the hidden tests that catch them: the same answers pass every visible test.
    visible = outcomes_of_tests(execute(substitute(lesson, hard_coded), tmp_path))
    assert all(visible[grade_id] == "" for grade_id in hard_coded_tests), (
        f"a hard-coded answer already fails a visible test, so it proves nothing about hidden tests: {visible}")
