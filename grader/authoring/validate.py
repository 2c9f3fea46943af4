"""Both-ways validation with nbgrader's Validator: tests pass on solutions and fail on lessons.

``nbgrader validate`` exits 0 even when tests fail, so we read the Validator's results instead.
"""

from dataclasses import dataclass
from pathlib import Path

from nbgrader.validator import Validator

from grader.nbgrader_adapter import load_config
from grader.notebooks import graded_tests, read


@dataclass
class Verdict:
    """The outcome of validating one notebook."""

    path: Path
    graded_cells: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _first_line(text: str) -> str:
    return next((line for line in text.strip().splitlines() if line.strip()), "")


def _validator(invert: bool) -> Validator:
    config = load_config(Path.cwd())
    config.Validator.invert = invert
    return Validator(config=config)


def check_solution(path: Path) -> Verdict:
    """Every graded test must pass when the notebook holds the solutions."""
    graded = len(graded_tests(read(path)))
    results = _validator(invert=False).validate(str(path))
    problems = [f"test fails on the solution: {_first_line(cell['source'])}: {_last_line(cell.get('error', ''))}"
                for cell in results.get("failed", [])]
    problems += [f"{key}: {value}" for key, value in results.items() if key != "failed"]
    if graded == 0:
        problems.append("no graded test cells")
    return Verdict(path, graded, problems)


def check_untouched(path: Path) -> Verdict:
    """Every graded test must fail on the untouched learner notebook."""
    graded = len(graded_tests(read(path)))
    results = _validator(invert=True).validate(str(path))
    problems = [f"test passes without an answer: {_first_line(cell['source'])}" for cell in results.get("passed", [])]
    problems += [f"{key}: {value}" for key, value in results.items() if key != "passed"]
    return Verdict(path, graded, problems)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
