"""A sample class of lesson-01 submissions whose scores are known (``python -m grader demo``), for trying
the grader, tests and benchmarks.

Students: a correct submission, a partly correct one (the first half of the answers), a blank one
(the untouched lesson), one with hard-coded answers (they pass the visible tests only), a broken
notebook (not JSON), and a correct one whose code prints warnings and progress bars to stderr.
"""

from pathlib import Path

import nbformat

from grader.notebooks import graded_tests, nbgrader_meta, read, solution_answers, substitute
from grader.paths import LESSONS, SOLUTIONS

LESSON = "01_quickstart"

HARD_CODED = {  # pass the visible tests, fail the hidden ones
    # MPS first: wrong on a machine with both
    "pick_device": 'def pick_device():\n    if torch.backends.mps.is_available():\n        return "mps"\n'
                   '    return "cuda" if torch.cuda.is_available() else "cpu"\n',
    "predict_label": 'def predict_label(model, image, class_names):\n    model.eval()\n    return "owl"\n',
}

FIRST_PICKS = {"quiz_logits": 'answer_logits = "c"', "quiz_zero_grad": 'answer_zero_grad = "ab"'}
"""The hard-coding student's knowledge-check answers: a wrong first pick, and not one letter."""

NOISY_PREFIX = '''import sys, warnings
from tqdm import tqdm
for _ in tqdm(range(3), file=sys.stderr):
    pass
warnings.warn("this function is noisy on purpose", UserWarning)
'''


def _noisy(answers: dict[str, str]) -> dict[str, str]:
    """The same answers, each function also printing a tqdm bar and a warning to stderr when called."""
    noisy = {}
    for grade_id, code in answers.items():
        lines = code.splitlines()
        body_start = next((i for i, line in enumerate(lines) if line.startswith("def ")), None)
        if body_start is None:
            noisy[grade_id] = code
            continue
        docstring_end = body_start + 1
        indented = "\n".join("    " + line for line in NOISY_PREFIX.splitlines())
        noisy[grade_id] = "\n".join(lines[:docstring_end + 1] + [indented] + lines[docstring_end + 1:])
    return noisy


KINDS = ("correct", "partial", "blank", "hardcoded", "broken", "noisy")


def build(folder: Path, copies: int = 1, kinds: tuple[str, ...] = KINDS) -> dict[str, float]:
    """Write the sample class (or only some ``kinds`` of student) as ``folder/<student>/01_quickstart.ipynb``;
    return each student's expected score."""
    lesson, solution = read(LESSONS / f"{LESSON}.ipynb"), read(SOLUTIONS / f"{LESSON}.ipynb")
    answers = solution_answers(solution)
    points = {nbgrader_meta(cell)["grade_id"]: float(nbgrader_meta(cell)["points"]) for cell in graded_tests(solution)}
    total = sum(points.values())
    first_half = dict(list(answers.items())[: len(answers) // 2])
    hard_coded = {**answers, **HARD_CODED, **FIRST_PICKS}
    made = {
        "correct": (substitute(lesson, answers), total),
        "partial": (substitute(lesson, first_half),
                    sum(points.get(f"{grade_id}_test", 0.0) for grade_id in first_half)),
        "blank": (lesson, 0.0),
        "hardcoded": (substitute(lesson, hard_coded), total - sum(points[f"{g}_test"] for g in HARD_CODED)),
        "broken": (None, 0.0),
        "noisy": (substitute(lesson, _noisy(answers)), total),
    }
    expected = {}
    for copy in range(1, copies + 1):
        for kind in kinds:
            notebook, score = made[kind]
            student = f"{kind}{copy:02d}" if copies > 1 else kind
            target = folder / student / f"{LESSON}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            if notebook is None:
                target.write_text('{"cells": [ this notebook was cut short by a bad upload')
            else:
                nbformat.write(notebook, target)
            expected[student] = score
    return expected
