"""Every answer the tests try on a lesson, tried in one live kernel per lesson (tests/support/live_kernel.py).

A lesson's answers (tests/wrong_answers/l<stem>.py) are tried twice in that kernel: against the test
cells (wrong answers as marked ``visible`` or with hidden tests, other right answers with them, hard-coded
answers against the visible tests), and once more each with only its test's observation block, as the
grader's comparison sees it (tests/test_observations.py). Saved files in observations are read as
the grader reads them (grader.safety.artifacts).
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

from grader.notebooks import read
from grader.paths import SOLUTIONS
from grader.safety.artifacts import read_files
from tests.support.live_kernel import Attempt, LiveLesson


def answers_module(stem: str):
    return importlib.import_module(f"tests.wrong_answers.l{stem}")


def attempts_of(stem: str) -> dict[str, list[Attempt]]:
    """What to try for a lesson, by kind: wrong, right and hard-coded answers, then each of them observed."""
    module = answers_module(stem)
    answers = {"wrong": [(w.cell, w.code, w.visible) for w in module.WRONG_ANSWERS],
               "right": [(r.cell, r.code, False) for r in getattr(module, "RIGHT_ANSWERS", [])],
               "hard_coded": [(cell, code, True) for cell, code in module.HARD_CODED.items()]}
    kinds = {kind: [Attempt(cell, code, visible) for cell, code, visible in found] for kind, found in answers.items()}
    kinds.update({f"observed_{kind}": [Attempt(cell, code, observed=True) for cell, code, _ in found]
                  for kind, found in answers.items()})
    return kinds


@dataclass
class Tried:
    outcomes: dict[str, list[str]]  # kind -> the test's outcome of each attempt ('' when it passed)
    observations: dict[str, list[dict]]  # kind -> what each attempt observed, by name
    solution_outcomes: dict[str, str]  # test grade_id -> the solution's outcome
    solution_observed: dict[str, dict]  # test grade_id -> what the solution observed, by name


def try_lesson(stem: str, folder: Path) -> Tried:
    kinds = attempts_of(stem)
    everything = [attempt for attempts in kinds.values() for attempt in attempts]
    lesson = LiveLesson(read(SOLUTIONS / f"{stem}.ipynb"), folder)
    outcomes, solution = lesson.try_answers(everything)
    by_kind, observed, start = {}, {}, 0
    for kind, attempts in kinds.items():
        numbers = range(start, start + len(attempts))
        by_kind[kind] = [outcomes[number] for number in numbers]
        observed[kind] = [read_files({"": lesson.observed[number]})[""] for number in numbers]
        start += len(attempts)
    return Tried(by_kind, observed, solution, read_files(lesson.solution_observed))
