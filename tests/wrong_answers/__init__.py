"""Deliberately wrong answers, one module per lesson, that the lesson's test cells must reject.

Each module defines ``WRONG_ANSWERS``: a list of ``WrongAnswer(answer_cell_grade_id, code, message)``
where ``message`` is a piece of the intended failure message. With ``visible=True`` the visible part
of the test (what the learner runs, hidden tests removed) must already reject it: that is how the
mistakes a lesson names are caught before grading. It may also define ``RIGHT_ANSWERS``: other correct
solutions (``RightAnswer(cell, code, why)``) that every test must accept, e.g. clearing gradients with
``model.zero_grad()`` instead of ``optimizer.zero_grad()``. It may also define ``HARD_CODED``:
answers that pass the visible tests but not the hidden ones (a dict grade_id -> code).
"""

from typing import NamedTuple


class WrongAnswer(NamedTuple):
    """A wrong answer for one exercise and a piece of the message its test must give."""

    cell: str
    code: str
    message: str
    visible: bool = False


class RightAnswer(NamedTuple):
    """Another correct answer for one exercise, which its test (hidden part included) must accept."""

    cell: str
    code: str
    why: str
