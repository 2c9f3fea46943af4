"""helpers.quiz: instant feedback in the widget, and a gradeable recorded answer."""

import ipywidgets as widgets
import pytest

from helpers.quiz import answer_digest, check_choice, feedback, is_correct, multiple_choice

OPTIONS = {"a": "first", "b": "second", "c": "third"}


def test_digest_identifies_the_answer_without_storing_it():
    digest = answer_digest("q", "b")
    assert len({answer_digest("q", letter) for letter in "abc"}) == 3
    assert is_correct("q", "b", digest) and is_correct("q", " B ", digest)
    assert not is_correct("q", "a", digest) and not is_correct("other", "b", digest)


def test_widget_gives_feedback_when_an_option_is_picked():
    box = multiple_choice("q", "Which?", OPTIONS, answer_digest("q", "c"), {"a": "A is wrong.", "c": "C is right."})
    assert isinstance(box, widgets.VBox)
    _, buttons, verdict = box.children
    assert buttons.value is None and verdict.value == ""
    buttons.value = "a"
    assert verdict.value.startswith("Not quite. A is wrong.") and 'answer_q = "a"' in verdict.value
    buttons.value = "c"
    assert verdict.value.startswith("Correct. C is right.")


def test_feedback_without_explanation():
    assert feedback("q", "b", answer_digest("q", "b"), {}) == 'Correct. Record it below: answer_q = "b"'


@pytest.mark.parametrize("answer", ["d", None, 2, ""])
def test_check_choice_rejects_what_is_not_an_option(answer):
    with pytest.raises(AssertionError, match="expected one of 'a', 'b', 'c'"):
        check_choice("q", answer, OPTIONS)


def test_check_choice_records_a_valid_letter(capsys):
    check_choice("q", " B", "abc")
    assert "recorded: 'b'" in capsys.readouterr().out
