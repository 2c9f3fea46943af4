"""helpers.validate_button: the Validate button's answer starts with "N of M tests passed", one line per failure,
worded for a dialog, escaped, and carried so nbgrader's dialog shows it first and wrapped."""

import html
import re

from grader.paths import LESSONS
from helpers.validate_button import (
    DIALOG_CSS,
    MAX_LISTED,
    MAX_MESSAGE,
    failure_line,
    graded_test_count,
    summarised,
    teaching_message,
)

CHECK_ERROR = "\x1b[31m\u2718 `x` has shape (2, 3), expected (3, 2).\x1b[0m\nTranspose it."
TRACEBACK = ("---------\nRuntimeError  Traceback (most recent call last)\nCell In[3], line 2\n"
             "----> 2 f(x)\nRuntimeError: shape '[7]' is invalid")
NOT_ATTEMPTED = ("\x1b[31m\u2718 Exercise 2.2 is not attempted yet: write your code in the cell above, then run "
                 "this cell again.\x1b[0m")
NEEDS = ("\x1b[31m\u2718 This cell needs Exercise 2.2, which is not attempted yet: write your code in its answer "
         "cell (marked # YOUR CODE HERE), run it, then run this cell again.\x1b[0m")


def failed(source: str, raw_error: str) -> dict:
    """A failed cell as nbgrader's validator reports it (the HTML form is not what the summary reads)."""
    return {"source": source, "error": "<span>ignored when raw_error is there</span>", "raw_error": raw_error}


def dialog_html(answer: dict) -> str:
    """The HTML nbgrader's dialog will show for the course's answer (its one failure's error)."""
    assert answer["success"] is True and list(answer["value"]) == ["failed"] and len(answer["value"]["failed"]) == 1
    shown = answer["value"]["failed"][0]
    assert shown["source"] == ""  # nbgrader's source block stays empty (and is hidden by the CSS)
    return shown["error"]


def visible_text(html_text: str) -> str:
    """What a reader sees of ``html_text``: no style sheet, no tags, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"<style>.*?</style>", "", html_text, flags=re.DOTALL)))


def test_a_checks_whole_message_or_a_tracebacks_last_line():
    assert teaching_message("\u2718 `x` has shape (2, 3), expected (3, 2).\nTranspose it.") == (
        "`x` has shape (2, 3), expected (3, 2). Transpose it.")
    assert teaching_message(TRACEBACK) == "RuntimeError: shape '[7]' is invalid"
    assert teaching_message("") == "failed"
    assert len(teaching_message("\u2718 " + "long " * 500)) == MAX_MESSAGE


def test_messages_are_reworded_for_a_dialog_without_repeating_the_exercise():
    assert failure_line(failed('passed("Exercise 2.2")', NOT_ATTEMPTED)) == (
        "Exercise 2.2", "not attempted yet: write your code in its answer cell (marked # YOUR CODE HERE).")
    name, message = failure_line(failed('check()\npassed("Exercise 2.3")', NEEDS))
    assert name == "Exercise 2.3"
    assert message == ("needs Exercise 2.2, which is not attempted yet: write your code in its answer cell "
                       "(marked # YOUR CODE HERE), run it.")


def test_the_answer_is_the_summary_first_then_one_line_per_failing_exercise():
    answer = {"success": True, "value": {"failed": [failed('assert_shape(...)\npassed("Exercise 2.1")', CHECK_ERROR),
                                                    failed("check_choice('q')", TRACEBACK),
                                                    failed('passed("Exercise 2.2")', NOT_ATTEMPTED)]}}
    text = visible_text(dialog_html(summarised(answer, total=5)))
    assert text.startswith("2 of 5 tests passed.Still failing:")
    assert "Exercise 2.1: `x` has shape (2, 3), expected (3, 2). Transpose it." in text
    assert "check_choice('q'): RuntimeError: shape '[7]' is invalid" in text
    assert "cell above" not in text and "this cell" not in text.lower()
    assert "The following cell failed" not in text and text.endswith("fresh inputs.")


def test_the_dialog_css_travels_with_the_answer_and_hides_nbgraders_heading():
    css = DIALOG_CSS.read_text()
    assert "#validation-message > div:not(:has(.course-validate))" in css and "pre-wrap" in css
    answer = {"success": True, "value": {"failed": [failed('passed("Exercise 2.1")', CHECK_ERROR)]}}
    assert dialog_html(summarised(answer, total=5)).startswith(f"<style>{css}</style>")


def test_text_from_the_kernel_is_escaped_and_bounded():
    attack = "\u2718 <img src=x onerror=alert(1)> " + "x" * 5000
    many = [failed(f'passed("Exercise {i}")', attack) for i in range(MAX_LISTED + 7)]
    html_text = dialog_html(summarised({"success": True, "value": {"failed": many}}, total=60))
    body = html_text.split("</style>", 1)[1]
    assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
    assert body.count("<li>") == MAX_LISTED + 1 and "<li>and 7 more</li>" in body
    assert len(body) < (MAX_LISTED + 1) * (MAX_MESSAGE + 200)


def test_a_run_that_could_not_finish_says_why_in_one_line():
    answer = {"success": False, "value": "Traceback (most recent call last):\n  File \"x.py\", line 1\n"
                                         "nbclient.exceptions.CellTimeoutError: A cell timed out after 180 seconds."}
    text = visible_text(dialog_html(summarised(answer, total=0)))
    assert text == ("Validate could not run this notebook to the end."
                    "nbclient.exceptions.CellTimeoutError: A cell timed out after 180 seconds.")


def test_a_passing_notebook_keeps_nbgraders_answer():
    answer = {"success": True, "value": {}}
    assert summarised(answer, total=5) == answer


def test_graded_tests_are_counted_from_the_notebook():
    assert graded_test_count(LESSONS / "02_tensors.ipynb") == 5
