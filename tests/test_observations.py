"""The lessons' side of differential grading: every graded test observes values for the grader, and
those observations tell right from wrong as the tests do, even when every check in the kernel is forged.

In one live kernel per lesson (tests/support/live_kernel.py) the solution runs once; each wrong and
hard-coded answer then runs in its cell's place followed by its test's observation block alone (as if
the student had disabled every assertion): its observations must differ from the solution's, compared
by the grader's own comparison (grader.grading.differential), or the block must fail. Each other right
answer must observe exactly what the solution does: correct work is never called tampering.
"""

import ast
import importlib

import pytest

from grader.grading.differential import disagreement
from grader.notebooks import graded_tests, is_graded_test, nbgrader_meta, read
from grader.paths import SOLUTIONS, written_lessons
from grader.safety.artifacts import read_files
from helpers.observations import HEADING
from tests.support.live_kernel import Attempt, LiveLesson, observation_blocks

pytestmark = pytest.mark.notebooks
STEMS = written_lessons()


def answers_module(stem: str):
    return importlib.import_module(f"tests.wrong_answers.l{stem}")


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


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    """{stem: (kinds -> [(attempt, outcome, observations)], the solution's observations per test)}."""
    results = {}

    def run(stem: str):
        if stem not in results:
            module = answers_module(stem)
            kinds = {"wrong": [Attempt(w.cell, w.code, observed=True) for w in module.WRONG_ANSWERS],
                     "hard_coded": [Attempt(cell, code, observed=True) for cell, code in module.HARD_CODED.items()],
                     "right": [Attempt(r.cell, r.code, observed=True) for r in getattr(module, "RIGHT_ANSWERS", [])]}
            everything = [attempt for attempts in kinds.values() for attempt in attempts]
            lesson = LiveLesson(read(SOLUTIONS / f"{stem}.ipynb"), tmp_path_factory.mktemp(stem))
            outcomes, _ = lesson.try_answers(everything)
            by_kind, number = {}, 0
            for kind, attempts in kinds.items():  # saved files read as the grader reads them
                by_kind[kind] = [(attempt, outcomes[number + i], read_files({"": lesson.observed[number + i]})[""])
                                 for i, attempt in enumerate(attempts)]
                number += len(attempts)
            results[stem] = (by_kind, read_files(lesson.solution_observed))
        return results[stem]

    return run


def _test_of(stem: str, answer_cell: str) -> str:
    cells = read(SOLUTIONS / f"{stem}.ipynb").cells
    index = next(i for i, cell in enumerate(cells) if nbgrader_meta(cell).get("grade_id") == answer_cell)
    return next(nbgrader_meta(cell)["grade_id"] for cell in cells[index + 1:]
                if cell.cell_type == "code" and is_graded_test(cell))


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_wrong_and_hard_coded_answers_observe_other_values_than_the_solution(stem, observed):
    by_kind, solution = observed(stem)
    problems = []
    for kind in ("wrong", "hard_coded"):
        for attempt, outcome, found in by_kind[kind]:
            test = _test_of(stem, attempt.cell)
            assert solution.get(test), f"{test}: the solution observed nothing"
            if not outcome and disagreement(solution[test], found) is None:
                problems.append(f"{test}: a {kind.replace('_', '-')} answer observes what the solution does:\n"
                                f"{attempt.code.strip()[:300]}")
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_other_right_answers_observe_what_the_solution_does(stem, observed):
    by_kind, solution = observed(stem)
    problems = []
    for attempt, outcome, found in by_kind["right"]:
        test = _test_of(stem, attempt.cell)
        problem = outcome or disagreement(solution[test], found)
        if problem:
            problems.append(f"{test}: a right answer is told apart from the solution: {problem}")
    assert not problems, "\n".join(problems)
