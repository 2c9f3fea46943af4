"""Every exercise test is right on every run: it depends neither on the global random state nor on a cell
a learner adds before it.

In one live kernel per lesson (tests/support/live_kernel.py) each exercise's reference solution, each other
right answer and each wrong answer of tests/wrong_answers/ runs in its answer cell's place; then, for each of
``STATES`` states, a scratch cell seeds torch, random and NumPy and draws from them, and the test runs (visible
and hidden; the visible part alone for wrong answers marked ``visible``). So each test also runs again after
itself, as a learner re-runs it. Under every state the right answers pass and every wrong answer fails with its
intended message.
"""

import pytest

from grader.notebooks import nbgrader_meta, read
from grader.paths import SOLUTIONS, written_lessons
from tests.support.attempts import answers_module
from tests.support.live_kernel import Attempt, LiveLesson

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]
STEMS = written_lessons()
STATES = range(50)


def scratch_cell(state: int) -> str:
    """A learner's scratch cell: it seeds every global generator with ``state`` and draws from each."""
    return ("import random as _random_module, numpy as _numpy_module, torch as _torch_module\n"
            f"_random_module.seed({state})\n_numpy_module.random.seed({state})\n_torch_module.manual_seed({state})\n"
            f"scratch = _torch_module.rand({state % 5 + 1}), _random_module.random(), _numpy_module.random.rand(3)\n")


def reference_answers(stem: str) -> dict[str, str]:
    """The solution notebook's answer cells (knowledge checks aside), by grade_id."""
    return {nbgrader_meta(cell)["grade_id"]: cell.source for cell in read(SOLUTIONS / f"{stem}.ipynb").cells
            if nbgrader_meta(cell).get("solution") and not nbgrader_meta(cell)["grade_id"].startswith("quiz_")}


def answers_of(stem: str) -> dict[str, list[tuple[str, str, bool]]]:
    """What to try under every state, by kind: (answer cell, code, visible test only)."""
    module = answers_module(stem)
    return {"reference": [(cell, code, False) for cell, code in reference_answers(stem).items()],
            "right": [(answer.cell, answer.code, False) for answer in getattr(module, "RIGHT_ANSWERS", [])],
            "wrong": [(wrong.cell, wrong.code, wrong.visible) for wrong in module.WRONG_ANSWERS]}


@pytest.fixture(scope="module")
def under_states(tmp_path_factory):
    """``under_states(stem)``: kind -> for each answer, its test's outcome under each state ('' when it passed)."""
    results = {}

    def run(stem: str) -> dict[str, list[list[str]]]:
        if stem not in results:
            kinds = answers_of(stem)
            attempts = [Attempt(cell, code, visible, before_test=scratch_cell(state))
                        for answers in kinds.values() for cell, code, visible in answers for state in STATES]
            lesson = LiveLesson(read(SOLUTIONS / f"{stem}.ipynb"), tmp_path_factory.mktemp(f"stability-{stem}"))
            outcomes = iter(lesson.try_answers(attempts)[0])
            results[stem] = {kind: [[next(outcomes) for _ in STATES] for _ in answers]
                             for kind, answers in kinds.items()}
        return results[stem]

    return run


def _failing_states(outcomes: list[str]) -> str:
    failing = [(state, found) for state, found in zip(STATES, outcomes, strict=True) if found]
    return f"{len(failing)} of {len(STATES)} states, e.g. state {failing[0][0]}: {failing[0][1]!r}"


@pytest.mark.parametrize("stem", STEMS)
def test_the_reference_solution_passes_every_test_under_every_state(stem, under_states):
    found = under_states(stem)["reference"]
    problems = [f"{cell}: fails {_failing_states(outcomes)}"
                for (cell, _, _), outcomes in zip(answers_of(stem)["reference"], found, strict=True) if any(outcomes)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_other_right_answers_pass_under_every_state(stem, under_states):
    right = getattr(answers_module(stem), "RIGHT_ANSWERS", [])
    problems = [f"{answer.cell} ({answer.why}): fails {_failing_states(outcomes)}"
                for answer, outcomes in zip(right, under_states(stem)["right"], strict=True) if any(outcomes)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("stem", STEMS)
def test_wrong_answers_fail_with_their_message_under_every_state(stem, under_states):
    problems = []
    for wrong, outcomes in zip(answers_module(stem).WRONG_ANSWERS, under_states(stem)["wrong"], strict=True):
        passed = [state for state, found in zip(STATES, outcomes, strict=True) if not found]
        other = [(state, found) for state, found in zip(STATES, outcomes, strict=True)
                 if found and wrong.message not in found]
        if passed:
            problems.append(f"{wrong.cell}: a wrong answer passed under {len(passed)} of {len(STATES)} states "
                            f"(e.g. state {passed[0]})")
        if other:
            problems.append(f"{wrong.cell}: expected {wrong.message!r} under every state, got {other[0][1]!r} "
                            f"under state {other[0][0]} ({len(other)} states)")
    assert not problems, "\n".join(problems)
