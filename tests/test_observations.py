"""The lessons' side of differential grading: every graded test observes values for the grader, and
those observations tell right from wrong as the tests do, even when every check in the kernel is forged.

In one live kernel per lesson (the ``tried`` fixture, tests/support/attempts.py) the solution runs once; each wrong and
hard-coded answer then runs in its cell's place followed by its test's observation block alone (as if
the student had disabled every assertion): its observations must differ from the solution's, compared
by the grader's own comparison (grader.grading.differential), or the block must fail. Each other right
answer must observe exactly what the solution does: correct work is never called tampering.
"""

import ast

import pytest

from grader.grading.differential import disagreement
from grader.notebooks import graded_tests, is_graded_test, nbgrader_meta, read
from grader.paths import SOLUTIONS, written_lessons
from helpers.observations import HEADING
from tests.support.attempts import attempts_of
from tests.support.live_kernel import observation_blocks

pytestmark = pytest.mark.notebooks
STEMS = written_lessons()


@pytest.mark.parametrize("stem", STEMS)
def test_every_graded_test_with_points_has_one_observation_block(stem):
    problems = []
    for cell in graded_tests(read(SOLUTIONS / f"{stem}.ipynb")):
        meta = nbgrader_meta(cell)
        blocks = observation_blocks(cell.source)
        if meta.get("points") and len(blocks) != 1:
            problems.append(f"{meta['grade_id']}: {len(blocks)} blocks starting {HEADING!r}, expected one")
        for block in blocks:
            ast.parse(block)
            if "observe" not in block:
                problems.append(f"{meta['grade_id']}: its observation block observes nothing")
    assert not problems, "\n".join(problems)


def _test_of(stem: str, answer_cell: str) -> str:
    cells = read(SOLUTIONS / f"{stem}.ipynb").cells
    index = next(i for i, cell in enumerate(cells) if nbgrader_meta(cell).get("grade_id") == answer_cell)
    return next(nbgrader_meta(cell)["grade_id"] for cell in cells[index + 1:]
                if cell.cell_type == "code" and is_graded_test(cell))


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_wrong_and_hard_coded_answers_observe_other_values_than_the_solution(stem, tried):
    lesson, attempts = tried(stem), attempts_of(stem)
    solution, problems = lesson.solution_observed, []
    for kind in ("wrong", "hard_coded"):
        kind = f"observed_{kind}"
        for attempt, outcome, found in zip(attempts[kind], lesson.outcomes[kind], lesson.observations[kind],
                                           strict=True):
            test = _test_of(stem, attempt.cell)
            assert solution.get(test), f"{test}: the solution observed nothing"
            if not outcome and disagreement(solution[test], found) is None:
                problems.append(f"{test}: a {kind.removeprefix('observed_')} answer observes what the solution does:\n"
                                f"{attempt.code.strip()[:300]}")
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_other_right_answers_observe_what_the_solution_does(stem, tried):
    lesson, attempts = tried(stem), attempts_of(stem)
    problems = []
    for attempt, outcome, found in zip(attempts["observed_right"], lesson.outcomes["observed_right"],
                                       lesson.observations["observed_right"], strict=True):
        test = _test_of(stem, attempt.cell)
        problem = outcome or disagreement(lesson.solution_observed[test], found)
        if problem:
            problems.append(f"{test}: a right answer is told apart from the solution: {problem}")
    assert not problems, "\n".join(problems)
