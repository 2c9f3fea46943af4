"""Feedback pages carry no hidden test out and run no script of the student's: graded test cells show bounded
text, HTML and JavaScript outputs are sanitized, and a page that would show a hidden-test line is withheld
and its notebook flagged. Autograded notebooks are made here (no kernel): the page is what is under test."""

import re

import nbformat
import pytest

from grader.grading import layout
from grader.grading.classroom import prepare_lessons
from grader.grading.feedback import MAX_TEST_OUTPUT_CHARS, generate_feedback
from grader.grading.jobs import GradingResult
from grader.grading.record import read_marker, record
from grader.nbgrader_adapter import open_gradebook
from grader.notebooks import graded_tests, nbgrader_meta, read
from grader.paths import LESSONS, SOLUTIONS
from grader.safety.integrity import hidden_test_lines, leak_findings

LESSON = "02_tensors"
SCRIPT = "window.stolen = document.cookie; /* STUDENT-SCRIPT */"


def _passed(text: str = "passed.\n") -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _hidden_line() -> str:
    """A hidden-test line of the lesson, as a function reading its caller's source would print it."""
    return sorted(line for line in hidden_test_lines(read(SOLUTIONS / f"{LESSON}.ipynb")) if "(" in line)[0]


def _autograded(first_test_outputs: list, answer_outputs: list | None = None) -> bytes:
    """Lesson 02 as autograded: its first graded test cell holding ``first_test_outputs``, the first answer cell
    ``answer_outputs``, every other test passed."""
    notebook = read(LESSONS / f"{LESSON}.ipynb")
    tests = graded_tests(notebook)
    for cell in tests:
        cell.outputs = first_test_outputs if cell is tests[0] else [_passed()]
    answer = next(cell for cell in notebook.cells if nbgrader_meta(cell).get("solution"))
    answer.outputs = answer_outputs or []
    return nbformat.writes(notebook).encode()


STUDENTS = {
    "honest": lambda: _autograded([_passed("{'shape': (3, 4)}\n"), _passed("Exercise 2.1 passed.\n")]),
    "caller_source": lambda: _autograded([_passed("def check_description(t, label, shape, dtype, device):\n"
                                                  f"    {_hidden_line()}\n"), _passed()]),
    "html_and_js": lambda: _autograded([_passed()], [
        nbformat.v4.new_output("display_data", data={
            "text/html": f"<b>bold</b><script>{SCRIPT}</script><img src=x onerror=\"{SCRIPT}\">",
            "text/plain": "<HTML>"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": SCRIPT, "text/plain": "<JS>"})]),
    "flood_in_a_test": lambda: _autograded([_passed("spam " * 200_000)]),
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    course = tmp_path_factory.mktemp("feedback") / "course"
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    prepare_lessons(course, db_url, [LESSON])
    for student, autograded in STUDENTS.items():
        record(course, db_url, GradingResult(LESSON, student, autograded(), None), f"{student}-digest")
    seen_when_graded = {"severity": "tampering", "kind": "hidden tests shown", "where": "describe",
                        "message": "the outputs of describe show the grading run's seed"}
    shown = GradingResult(LESSON, "seed_shown", STUDENTS["honest"](), None, integrity=[seen_when_graded])
    record(course, db_url, shown, "seed-digest")
    generate_feedback(course, db_url)
    return course, db_url, {student: layout.feedback_page(course, LESSON, student).read_text()
                            for student in [*STUDENTS, "seed_shown"]}


def test_an_honest_page_is_released_with_what_the_tests_printed(pages):
    _, _, text = pages
    assert "Exercise 2.1 passed." in text["honest"]
    assert "withheld" not in text["honest"]


def test_a_page_showing_hidden_test_lines_is_withheld_and_the_notebook_flagged(pages):
    course, db_url, text = pages
    assert _hidden_line() not in text["caller_source"]
    assert "withheld" in text["caller_source"]
    marker = read_marker(course, LESSON, "caller_source")
    assert marker["tampered"] and [f["kind"] for f in marker["integrity"]] == ["hidden tests shown"]
    with open_gradebook(db_url) as gradebook:
        grades = gradebook.find_submission_notebook(LESSON, LESSON, "caller_source").grades
        assert all(grade.needs_manual_grade for grade in grades), "flagged for the instructor's review"
    assert not (course / "feedback-staging").exists(), "no unscanned page is left behind"


def test_a_notebook_that_showed_secrets_when_graded_gets_no_page_of_its_outputs(pages):
    text = pages[2]["seed_shown"]
    assert "withheld" in text and "Exercise 2.1 passed." not in text


def test_the_students_html_and_javascript_never_run_on_the_page(pages):
    page = pages[2]["html_and_js"]
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.DOTALL)
    assert not [script for script in scripts if "STUDENT-SCRIPT" in script], "the student's script is on the page"
    assert not re.search(r"<img[^>]*onerror", page), "an event handler of the student's is on the page"
    assert "<b>bold</b>" in page, "harmless HTML is still shown"


def test_what_a_graded_test_printed_is_shown_bounded(pages):
    page = pages[2]["flood_in_a_test"]
    assert page.count("spam") <= MAX_TEST_OUTPUT_CHARS // 5 + 1
    assert "[grader] cut:" in page


def test_outputs_showing_the_runs_seed_or_hidden_lines_are_found_when_graded():
    source = read(SOLUTIONS / f"{LESSON}.ipynb")
    seed = 1234567890123456789
    honest = nbformat.reads(STUDENTS["honest"]().decode(), as_version=4)
    assert leak_findings(honest, source, seed) == []
    leaky = nbformat.reads(_autograded([_passed(f"seed {seed}\n"), _passed(_hidden_line() + "\n")]).decode(),
                           as_version=4)
    [finding] = leak_findings(leaky, source, seed)
    assert finding.severity == "tampering" and finding.where == "describe_test"
    assert "1 hidden-test lines and the grading run's seed" in finding.message
    assert _hidden_line() not in finding.message and str(seed) not in finding.message
    traceback_only = nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[_hidden_line()])
    failing = nbformat.reads(_autograded([traceback_only]).decode(), as_version=4)
    assert leak_findings(failing, source, seed) == [], "a failing hidden line's traceback is never on the page"
