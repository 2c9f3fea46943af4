"""helpers.quiz: instant feedback that tells right from wrong at a glance, and exactly one recorded letter."""

import ipywidgets as widgets
import pytest

from grader.notebooks import nbgrader_meta, read
from grader.paths import SOLUTIONS, written_lessons
from helpers import quiz
from helpers.quiz import all_questions, answer_digest, check_choice, feedback, is_correct, knowledge_check

QUESTION = {"options": {"a": "first", "b": "second", "c": "third"},
            "explanations": {"a": "A is wrong.", "c": "C is right."}, "digest": answer_digest("q", "c")}


@pytest.fixture
def one_question(monkeypatch):
    monkeypatch.setattr(quiz, "all_questions", lambda: {"q": {"lesson": "99_test", **QUESTION}})
    return "q"


def test_digest_identifies_the_answer_without_storing_it():
    digest = answer_digest("q", "b")
    assert len({answer_digest("q", letter) for letter in "abc"}) == 3
    assert is_correct("q", "b", digest) and is_correct("q", " B ", digest)
    assert not is_correct("q", "a", digest) and not is_correct("other", "b", digest)


def test_right_and_wrong_feedback_differ_in_symbol_word_and_colour(one_question):
    right, wrong = feedback("q", "c"), feedback("q", "a")
    assert "&#10004; Correct." in right and quiz.RIGHT_COLOUR in right and "C is right." in right
    assert "&#10008; Not quite." in wrong and quiz.WRONG_COLOUR in wrong and "A is wrong." in wrong
    assert "try another option" in wrong
    assert "Record" not in wrong and 'answer_q = "a"' not in wrong  # never told to record a wrong letter


def test_widget_shows_the_question_and_gives_feedback_when_an_option_is_picked(one_question):
    box = knowledge_check("q", "Which one?")
    assert isinstance(box, widgets.VBox)
    question, buttons, verdict = box.children
    assert "Which one?" in question.value
    assert [label for label, _ in buttons.options] == ["a) first", "b) second", "c) third"]
    assert buttons.value is None and verdict.value == ""
    buttons.value = "a"
    assert "Not quite." in verdict.value
    buttons.value = "c"
    assert "Correct." in verdict.value


@pytest.mark.parametrize("answer", ["d", 2, "ab", "abc", " ", "b)"])
def test_check_choice_accepts_exactly_one_option_letter(one_question, answer):
    with pytest.raises(AssertionError, match="expected one letter: 'a', 'b', 'c'"):
        check_choice("q", answer)


@pytest.mark.parametrize("answer", [None, ""])
def test_check_choice_says_an_unanswered_check_is_not_set_yet(one_question, answer):
    with pytest.raises(AssertionError, match="`answer_q` is not set yet"):
        check_choice("q", answer)


def test_check_choice_records_a_valid_letter(one_question, capsys):
    check_choice("q", " B")
    output = capsys.readouterr().out
    assert "'b'" in output and "no points" in output


def test_check_choice_reads_the_answer_from_the_callers_namespace(one_question, capsys):
    namespace = {"check_choice": check_choice}
    with pytest.raises(AssertionError, match=r"`answer_q` is not set yet\.\nPick an option above"):
        exec("check_choice('q')", namespace)
    namespace["answer_q"] = "c"
    exec("check_choice('q')", namespace)
    assert "'c'" in capsys.readouterr().out


def test_unknown_question_names_the_known_ones(one_question):
    with pytest.raises(KeyError, match="known: \\['q'\\]"):
        quiz.question("nope")


def test_every_lesson_question_has_data_and_a_right_option():
    questions = all_questions()
    used = set()
    for stem in written_lessons():
        for cell in read(SOLUTIONS / f"{stem}.ipynb").cells:
            grade_id = str(nbgrader_meta(cell).get("grade_id", ""))
            if grade_id.startswith("quiz_") and grade_id.endswith("_widget"):
                question_id = grade_id[len("quiz_"):-len("_widget")]
                used.add(question_id)
                data = questions[question_id]
                assert data["lesson"] == stem, f"{question_id} is asked in {stem} but stored for {data['lesson']}"
                right = [letter for letter in data["options"] if is_correct(question_id, letter, data["digest"])]
                assert len(right) == 1, f"{question_id}: expected one right option, found {right}"
                assert set(data["explanations"]) == set(data["options"]), f"{question_id}: explain every option"
    assert used == set(questions), f"stored but never asked: {sorted(set(questions) - used)}"
