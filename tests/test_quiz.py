"""helpers.quiz: instant feedback that tells right from wrong at a glance, and exactly one recorded letter."""

import ast
from html.parser import HTMLParser

import pytest
from IPython.core.formatters import DisplayFormatter

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


class FoldedOptions(HTMLParser):
    """The options of a knowledge check's HTML: {summary text: text of the part it unfolds}."""

    def __init__(self):
        super().__init__()
        self.options, self.outside, self._part, self._summary, self._folded = {}, "", None, "", ""

    def handle_starttag(self, tag, attrs):
        if tag == "details":
            self._summary, self._folded, self._part = "", "", "folded"
        elif tag == "summary":
            self._part = "summary"

    def handle_endtag(self, tag):
        if tag == "summary":
            self._part = "folded"
        elif tag == "details":
            self.options[self._summary.strip()] = self._folded.strip()
            self._part = None

    def handle_data(self, data):
        if self._part == "summary":
            self._summary += data
        elif self._part == "folded":
            self._folded += data
        else:
            self.outside += data


def shown(question_id: str, text: str) -> dict:
    """What Jupyter receives when a cell ends with ``knowledge_check(...)``: {mime type: data}."""
    data, _ = DisplayFormatter().format(knowledge_check(question_id, text))
    return data


def test_a_check_is_plain_html_that_unfolds_each_options_verdict(one_question):
    data = shown("q", "Which <one>?")
    assert set(data) == {"text/html", "text/plain"}, "no widget model: nothing that needs a kernel to be drawn"
    folded = FoldedOptions()
    folded.feed(data["text/html"])
    assert "Which <one>?" in folded.outside  # escaped in the HTML, read back as the text itself
    assert list(folded.options) == ["a) first", "b) second", "c) third"]
    assert folded.options["c) third"].startswith("\u2714 Correct.") and "C is right." in folded.options["c) third"]
    for wrong in ("a) first", "b) second"):
        assert folded.options[wrong].startswith("\u2718 Not quite."), folded.options[wrong]
    assert "Correct" not in folded.outside and "Not quite" not in folded.outside  # no verdict before a click


def test_the_plain_text_form_lists_the_options_and_no_verdict(one_question):
    text = shown("q", "Which one?")["text/plain"]
    assert text.splitlines()[:4] == ["Which one?", "  a) first", "  b) second", "  c) third"]
    assert "Correct" not in text and "Not quite" not in text
    assert "C is right." not in text and "A is wrong." not in text


def test_an_unknown_question_fails_in_its_own_cell(one_question):
    with pytest.raises(KeyError, match="no knowledge check 'nope'"):
        knowledge_check("nope", "Which one?")


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


def test_each_stored_knowledge_check_shows_the_current_question_data():
    """solutions/ stores what each check shows; after its options or explanations change, a refresh must follow."""
    stale = []
    for stem in written_lessons():
        for cell in read(SOLUTIONS / f"{stem}.ipynb").cells:
            grade_id = str(nbgrader_meta(cell).get("grade_id", ""))
            if not (grade_id.startswith("quiz_") and grade_id.endswith("_widget")):
                continue
            call = ast.parse(cell.source).body[0].value
            question_id, text = (ast.literal_eval(argument) for argument in call.args)
            stored = ["".join(output.get("data", {}).get("text/html", "")) for output in cell.outputs]
            if stored != [knowledge_check(question_id, text)._repr_html_()]:
                stale.append(f"{stem}: {question_id}")
    assert not stale, f"stored knowledge checks differ from their data (run `python -m grader refresh NN`): {stale}"
