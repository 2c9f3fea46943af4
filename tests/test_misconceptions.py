"""grader.grading.misconceptions: first picks counted from the answer cells' text, never from running them."""

import json

import nbformat
from nbformat.warnings import DuplicateCellId

from grader.files import write_atomically, write_notebook_atomically
from grader.grading import layout
from grader.grading.misconceptions import NOT_A_LETTER, NOT_ANSWERED, recorded_answer, tally
from grader.grading.report import failure_messages
from grader.notebooks import read, substitute
from grader.paths import LESSONS

LESSON = "01_quickstart"


def _answer_cell(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def test_recorded_answer_reads_one_letter_without_running_the_cell():
    assert recorded_answer(_answer_cell('# first pick\nanswer_logits = " C "'), "logits") == "c"
    assert recorded_answer(_answer_cell("# YOUR CODE HERE\nraise NotImplementedError()"), "logits") == NOT_ANSWERED
    assert recorded_answer(_answer_cell("# Record the letter\nanswer_logits = None"), "logits") == NOT_ANSWERED
    assert recorded_answer(_answer_cell("answer_logits = ''"), "logits") == NOT_ANSWERED
    for source in ('answer_logits = "abc"', "answer_logits = pick()", "answer_logits = 'e'",
                   "answer_logits = (", 'answer_logits = "b)"'):
        assert recorded_answer(_answer_cell(source), "logits") == NOT_A_LETTER, source


def test_tally_counts_each_students_first_pick_per_option(tmp_path):
    lesson = read(LESSONS / f"{LESSON}.ipynb")
    picks = {"ada": 'answer_logits = "d"', "bob": 'answer_logits = "c"', "cy": 'answer_logits = "C"', "dee": None}
    for student, pick in picks.items():
        notebook = substitute(lesson, {"quiz_logits": pick}) if pick else lesson
        write_notebook_atomically(notebook, layout.notebook(tmp_path, "submitted", LESSON, student))
    write_atomically(layout.notebook(tmp_path, "submitted", LESSON, "eve"), "{ not json")
    logits = next(question for question in tally(tmp_path) if question.question_id == "logits")
    assert logits.lesson == LESSON and logits.right == "d"
    assert "nn.CrossEntropyLoss" in logits.question and set(logits.options) == {"a", "b", "c", "d"}
    assert dict(logits.counts) == {"d": 1, "c": 2, NOT_ANSWERED: 1}


def test_a_crafted_answer_cell_counts_as_no_letter_and_never_stops_the_reader():
    crafted = ["answer_logits = " + "(" * 200_000 + "'c'", "x = " + "-" * 1_000_000 + "1",
               "answer_logits = 'c'\0", "answer_logits = " + "+" * 5000 + "1", "answer_logits = 'c'\n" + "#" * 20_000]
    for source in crafted:
        assert recorded_answer(_answer_cell(source), "logits") == NOT_A_LETTER, source[:40]


def test_the_report_reads_notebooks_whose_cells_share_ids_without_a_warning_per_cell(tmp_path, recwarn):
    lesson = read(LESSONS / f"{LESSON}.ipynb")
    notebook = substitute(lesson, {"quiz_logits": 'answer_logits = "c"'})
    text = nbformat.writes(notebook)
    shared = nbformat.reads(text, as_version=4)
    for cell in shared.cells:
        cell["id"] = "same"
    write_atomically(layout.notebook(tmp_path, "submitted", LESSON, "ada"), json.dumps(shared))
    write_atomically(layout.notebook(tmp_path, "autograded", LESSON, "ada"), json.dumps(shared))
    logits = next(question for question in tally(tmp_path) if question.question_id == "logits")
    assert dict(logits.counts) == {"c": 1}
    assert failure_messages(tmp_path) == {}
    assert not [w for w in recwarn if issubclass(w.category, DuplicateCellId)], "one warning per cell"
