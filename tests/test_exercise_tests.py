"""Tests of the tests: every deliberately wrong answer is rejected by its test cell, with the intended message.

Each lesson's wrong answers live in tests/wrong_answers/l<NN>_<slug>.py. For each round, one wrong
answer per exercise is put into the solution notebook, which is executed in grading mode. Wrong answers
marked ``visible`` run against the tests as the learner sees them (hidden tests removed).
"""

import copy
import importlib
import re
from pathlib import Path

import pytest

from grader.notebooks import graded_tests, nbgrader_meta, read
from grader.paths import SOLUTIONS, written_lessons
from tests.support.execution import execute, outcomes_of_tests
from grader.notebooks import substitute

STEMS = written_lessons()


def wrong_answers_of(stem: str):
    return importlib.import_module(f"tests.wrong_answers.l{stem}").WRONG_ANSWERS


def check_cell_after(notebook, answer_cell: str) -> str:
    """The grade_id of the first graded test cell after the answer cell."""
    ids = [nbgrader_meta(cell).get("grade_id") for cell in notebook.cells]
    tests = {nbgrader_meta(cell)["grade_id"] for cell in graded_tests(notebook)}
    return next(grade_id for grade_id in ids[ids.index(answer_cell) + 1:] if grade_id in tests)


HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.DOTALL)


def without_hidden_tests(notebook):
    """The notebook with every hidden-test block removed, as the learner's tests are."""
    stripped = copy.deepcopy(notebook)
    for cell in graded_tests(stripped):
        cell.source = HIDDEN_TESTS.sub("", cell.source)
    return stripped


def rounds(wrong_answers) -> list[list]:
    """Group wrong answers so each round holds at most one per answer cell, and visible ones apart."""
    grouped: list[list] = []
    for wrong in wrong_answers:
        visible = getattr(wrong, "visible", False)
        target = next((group for group in grouped
                       if all(w.cell != wrong.cell and getattr(w, "visible", False) == visible for w in group)), None)
        if target is None:
            grouped.append(target := [])
        target.append(wrong)
    return grouped


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_every_exercise_has_a_wrong_answer(stem):
    notebook = read(SOLUTIONS / f"{stem}.ipynb")
    answer_cells = {nbgrader_meta(c)["grade_id"] for c in notebook.cells if nbgrader_meta(c).get("solution")
                    and not nbgrader_meta(c)["grade_id"].startswith("quiz_")}  # knowledge checks carry no points
    covered = {wrong.cell for wrong in wrong_answers_of(stem)}
    assert answer_cells <= covered, f"{stem}: exercises without a wrong answer: {sorted(answer_cells - covered)}"


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_wrong_answers_are_rejected_with_the_intended_message(stem, tmp_path: Path):
    notebook = read(SOLUTIONS / f"{stem}.ipynb")
    problems = []
    for group in rounds(wrong_answers_of(stem)):
        tests = without_hidden_tests(notebook) if group[0].visible else notebook
        outcomes = outcomes_of_tests(execute(substitute(tests, {w.cell: w.code for w in group}), tmp_path))
        for wrong in group:
            found = outcomes[check_cell_after(notebook, wrong.cell)]
            if not found:
                where = "its visible test" if wrong.visible else "its test"
                problems.append(f"{wrong.cell}: a wrong answer passed {where}")
            elif wrong.message not in found:
                problems.append(f"{wrong.cell}: expected a message containing {wrong.message!r}, got {found!r}")
    assert not problems, "\n".join(problems)


def right_answers_of(stem: str):
    return getattr(importlib.import_module(f"tests.wrong_answers.l{stem}"), "RIGHT_ANSWERS", [])


@pytest.mark.slow
@pytest.mark.parametrize("stem", [stem for stem in STEMS if right_answers_of(stem)])
def test_other_right_answers_pass(stem, tmp_path: Path):
    right_answers = right_answers_of(stem)
    notebook = read(SOLUTIONS / f"{stem}.ipynb")
    problems = []
    for group in rounds(right_answers):
        outcomes = outcomes_of_tests(execute(substitute(notebook, {r.cell: r.code for r in group}), tmp_path))
        problems += [f"{right.cell} ({right.why}): rejected with {outcomes[check_cell_after(notebook, right.cell)]!r}"
                     for right in group if outcomes[check_cell_after(notebook, right.cell)]]
    assert not problems, "\n".join(problems)
