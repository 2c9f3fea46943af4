"""Knowledge checks: multiple-choice questions with instant feedback, formative and worth no points.

A question is shown as plain HTML: each option is a ``<details>`` element whose folded part says whether it is
right and why, so clicking an option answers at once. The learner records the letter they picked *first* in an
answer cell (``answer_logits = "b"``); the class report counts those letters per option, so an instructor sees
which misconceptions are common. Clicks can be retried until right, which is why they earn nothing.

Why HTML and not a widget: a widget's view needs its model, which lives in the kernel (or in widget state saved
into the notebook), and JupyterLab never falls back to another representation when the model is gone. A quiz
drawn as a widget therefore dies on reopen, restart or in an untrusted copy ("model not found", or a dead view
that keeps a stale verdict). Folded HTML needs no kernel, no model and no JavaScript, and JupyterLab's sanitizer
keeps ``<details>`` in untrusted notebooks: the verdict shown is always the one computed for that option.

The options and explanations live in ``helpers/knowledge_checks/<lesson>.json``, keyed by question
id, so a lesson's code cell shows the question only. The right letter is stored as a digest: that
slows a curious learner down, it is not a secret. Introduced in lessons/01_quickstart.ipynb.
"""

import hashlib
import html
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from helpers.checks import CheckFailed

QUESTIONS_FOLDER = Path(__file__).with_name("knowledge_checks")
RIGHT_COLOUR, WRONG_COLOUR = "#1a7f37", "#b3261e"


def answer_digest(question_id: str, letter: str) -> str:
    """Digest of a (question, letter) pair; the data files store this instead of the letter."""
    return hashlib.sha256(f"{question_id}:{letter.strip().lower()}".encode()).hexdigest()[:16]


def is_correct(question_id: str, letter: str, digest: str) -> bool:
    """True when ``letter`` is the answer whose digest is ``digest``."""
    return answer_digest(question_id, letter) == digest


@cache
def all_questions(folder: Path = QUESTIONS_FOLDER) -> dict[str, dict]:
    """Every question of the course by id: ``{"lesson", "options", "explanations", "digest"}``."""
    questions = {}
    for path in sorted(folder.glob("*.json")):
        for question_id, question in json.loads(path.read_text(encoding="utf-8")).items():
            if question_id in questions:
                raise ValueError(f"knowledge check {question_id!r} is defined twice (again in {path.name})")
            questions[question_id] = {"lesson": path.stem, **question}
    return questions


def question(question_id: str) -> dict:
    """One question's data, or a KeyError that lists the known ids."""
    questions = all_questions()
    if question_id not in questions:
        raise KeyError(f"no knowledge check {question_id!r} in {QUESTIONS_FOLDER}; known: {sorted(questions)}")
    return questions[question_id]


def feedback(question_id: str, letter: str) -> str:
    """The HTML shown once ``letter`` is picked: a symbol, a word and a colour, then why."""
    data = question(question_id)
    why = html.escape(data["explanations"].get(letter, ""))
    if is_correct(question_id, letter, data["digest"]):
        return f'<span style="color:{RIGHT_COLOUR}"><b>&#10004; Correct.</b> {why}</span>'
    return (f'<span style="color:{WRONG_COLOUR}"><b>&#10008; Not quite.</b> {why} '
            "Read the question again and try another option.</span>")


HOW_TO_ANSWER = "Click an option to see whether it is right and why; try another as often as you like."


@dataclass(frozen=True)
class KnowledgeCheck:
    """A question shown as HTML (each option unfolds its verdict) and, where HTML cannot be shown, as text."""

    question_id: str
    text: str

    def _repr_html_(self) -> str:
        options = "".join(
            f'<details style="margin:0.2em 0"><summary style="cursor:pointer">{html.escape(letter)}) '
            f'{html.escape(option)}</summary><div style="margin:0.2em 0 0.5em 1.6em">'
            f"{feedback(self.question_id, letter)}</div></details>"
            for letter, option in question(self.question_id)["options"].items())
        return (f'<div class="course-knowledge-check"><p><b>{html.escape(self.text)}</b></p>{options}'
                f'<p style="opacity:0.75">{HOW_TO_ANSWER}</p></div>')

    def __repr__(self) -> str:
        options = [f"  {letter}) {option}" for letter, option in question(self.question_id)["options"].items()]
        return "\n".join([self.text, *options, "(Open this notebook in JupyterLab and click an option to see "
                                               "whether it is right.)"])


def knowledge_check(question_id: str, text: str) -> KnowledgeCheck:
    """Show question ``text`` with its options; clicking one shows whether it is right and why (no kernel needed)."""
    question(question_id)  # an unknown id fails here, in the question's cell
    return KnowledgeCheck(question_id, text)


_NOT_SET = object()


def is_unanswered(answer) -> bool:
    """The released answer stub (``answer_<id> = None``) or an empty string: nothing recorded yet."""
    return answer is None or answer == ""


def recorded_letter(question_id: str, answer) -> str | None:
    """The option letter ``answer`` names (exactly one letter, any case and spacing), else None."""
    if not isinstance(answer, str):
        return None
    letter = answer.strip().lower()
    return letter if len(letter) == 1 and letter in question(question_id)["options"] else None


def check_choice(question_id: str, answer=_NOT_SET) -> None:
    """Check the answer cell: ``answer_<id>`` must hold one option letter. Read from the caller when not given."""
    name = f"answer_{question_id}"
    if answer is _NOT_SET:
        answer = sys._getframe(1).f_globals.get(name, _NOT_SET)
    letters = list(question(question_id)["options"])
    example = f'{name} = "{letters[0]}"'
    if answer is _NOT_SET or is_unanswered(answer):
        raise CheckFailed(f"`{name}` is not set yet.\nPick an option above, then write the letter you picked "
                          f"first in the cell above, for example {example}, and run both cells.")
    if recorded_letter(question_id, answer) is None:
        raise CheckFailed(f"`{name}` is {answer!r}, expected one letter: {', '.join(map(repr, letters))}.\n"
                          f"Write it as a string, for example {example}.")
    print(f"Recorded your answer to {question_id}: {answer.strip().lower()!r}. Knowledge checks carry no points; "
          "your instructor sees how the class answered.")
