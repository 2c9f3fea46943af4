"""Tests of the tests: every deliberately wrong answer is rejected by its test cell, with the intended message.

Each lesson's wrong answers live in tests/wrong_answers/l<NN>_<slug>.py. All of a lesson's answers (wrong,
other right ones, hard-coded) are tried in one live kernel that runs the solution once (the ``tried``
fixture, tests/support/attempts.py): each answer in its cell's place, then its test. Wrong answers marked
``visible`` run against the tests as the learner sees them (hidden tests removed).
"""

import pytest

from grader.notebooks import nbgrader_meta, read
from grader.paths import SOLUTIONS, written_lessons
from tests.support.attempts import answers_module

pytestmark = pytest.mark.notebooks
STEMS = written_lessons()


@pytest.mark.parametrize("stem", STEMS)
def test_every_exercise_has_a_wrong_answer(stem):
    notebook = read(SOLUTIONS / f"{stem}.ipynb")
    answer_cells = {nbgrader_meta(c)["grade_id"] for c in notebook.cells if nbgrader_meta(c).get("solution")
                    and not nbgrader_meta(c)["grade_id"].startswith("quiz_")}  # knowledge checks carry no points
    covered = {wrong.cell for wrong in answers_module(stem).WRONG_ANSWERS}
    assert answer_cells <= covered, f"{stem}: exercises without a wrong answer: {sorted(answer_cells - covered)}"


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_wrong_answers_are_rejected_with_the_intended_message(stem, tried):
    outcomes = tried(stem).outcomes["wrong"]
    problems = []
    for wrong, found in zip(answers_module(stem).WRONG_ANSWERS, outcomes, strict=True):
        if not found:
            problems.append(f"{wrong.cell}: a wrong answer passed "
                            f"{'its visible test' if wrong.visible else 'its test'}")
        elif wrong.message not in found:
            problems.append(f"{wrong.cell}: expected a message containing {wrong.message!r}, got {found!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_other_right_answers_pass(stem, tried):
    right = getattr(answers_module(stem), "RIGHT_ANSWERS", [])
    problems = [f"{answer.cell} ({answer.why}): rejected with {found!r}"
                for answer, found in zip(right, tried(stem).outcomes["right"], strict=True) if found]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_hard_coded_answers_pass_every_visible_test(stem, tried):
    """So that it is the hidden tests that take their points (tests/test_sandboxed_lessons.py)."""
    found = dict(zip(answers_module(stem).HARD_CODED, tried(stem).outcomes["hard_coded"], strict=True))
    failing = {cell: outcome for cell, outcome in found.items() if outcome}
    assert not failing, ("a hard-coded answer already fails a visible test, "
                         f"so it proves nothing about hidden tests: {failing}")


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_the_solution_passes_every_test_after_the_answers_were_tried(stem, tried):
    """Each answer tried leaves nothing behind: the solution's own run, in the same kernel, passes every test."""
    solution = tried(stem).solution_outcomes
    assert solution and not any(solution.values()), {grade_id: found for grade_id, found in solution.items() if found}
