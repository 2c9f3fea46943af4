"""Multiple-choice knowledge checks that give instant feedback and can be auto-graded.

A question is shown as ipywidgets radio buttons; picking an option explains it right away. The
learner then records the letter in a graded answer cell (``answer_logits = "b"``), which is what
the autograder scores: widget clicks are not saved in the notebook, code is. The correct letter is
stored only as a digest, so the lesson does not print it; the digest slows a curious learner down,
it is not a secret. Introduced in lessons/01_quickstart.ipynb.
"""

import hashlib

import ipywidgets as widgets


def answer_digest(question_id: str, letter: str) -> str:
    """Digest of a (question, letter) pair; lessons store this instead of the letter."""
    return hashlib.sha256(f"{question_id}:{letter.strip().lower()}".encode()).hexdigest()[:16]


def is_correct(question_id: str, letter: str, digest: str) -> bool:
    """True when ``letter`` is the answer whose digest is ``digest``."""
    return answer_digest(question_id, letter) == digest


def feedback(question_id: str, letter: str, digest: str, explanations: dict[str, str]) -> str:
    """What the widget says once ``letter`` is picked."""
    verdict = "Correct." if is_correct(question_id, letter, digest) else "Not quite."
    why = explanations.get(letter, "")
    return f"{verdict} {why} Record it below: answer_{question_id} = \"{letter}\"".replace("  ", " ")


def multiple_choice(question_id: str, question: str, options: dict[str, str], digest: str,
                    explanations: dict[str, str] | None = None) -> widgets.VBox:
    """A radio-button question; picking an option shows whether it is right and why."""
    explanations = explanations or {}
    buttons = widgets.RadioButtons(options=[(f"{letter}) {text}", letter) for letter, text in options.items()],
                                   value=None, layout=widgets.Layout(width="max-content"))
    verdict = widgets.HTML()

    def show_feedback(change: dict) -> None:
        verdict.value = feedback(question_id, change["new"], digest, explanations)

    buttons.observe(show_feedback, names="value")
    return widgets.VBox([widgets.HTML(f"<b>{question}</b>"), buttons, verdict])


def check_choice(question_id: str, answer, options: dict[str, str]) -> None:
    """Visible test of an answer cell: the answer must be one of the option letters."""
    name = f"answer_{question_id}"
    if not isinstance(answer, str) or answer.strip().lower() not in options:
        raise AssertionError(
            f"`{name}` is {answer!r}, expected one of {', '.join(repr(k) for k in options)}. "
            f"Pick an option above and write, for example, {name} = \"{next(iter(options))}\"."
        )
    print(f"Answer to {question_id} recorded: {answer.strip().lower()!r}. It is scored when your work is graded.")
