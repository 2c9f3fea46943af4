"""helpers.validate_button: the Validate button's answer starts with "N of M tests passed", one line per failure."""

from grader.paths import LESSONS
from helpers.validate_button import graded_test_count, one_line, summary

CHECK_ERROR = "\x1b[31m\u2718 `x` has shape (2, 3), expected (3, 2).\x1b[0m\nTranspose it."
TRACEBACK = ("<span>---------</span>\nRuntimeError  Traceback (most recent call last)\nCell In[3], line 2\n"
             "----> 2 f(x)\nRuntimeError: shape &#39;[7]&#39; is invalid")


def test_one_line_takes_a_checks_message_or_a_tracebacks_last_line():
    assert one_line(CHECK_ERROR) == "`x` has shape (2, 3), expected (3, 2)."
    assert one_line(TRACEBACK) == "RuntimeError: shape '[7]' is invalid"
    assert one_line("") == "failed"


def test_summary_counts_and_names_the_failing_exercises():
    failed = [{"source": 'assert_shape(...)\npassed("Exercise 2.1")', "error": CHECK_ERROR},
              {"source": "check_choice('q')", "error": TRACEBACK}]
    text = summary(failed, total=5)
    assert text.startswith("3 of 5 tests passed.")
    assert "  Exercise 2.1: `x` has shape (2, 3), expected (3, 2).\n" in text
    assert "  check_choice('q'): RuntimeError: shape '[7]' is invalid" in text
    assert "fresh inputs" in text


def test_graded_tests_are_counted_from_the_notebook():
    assert graded_test_count(LESSONS / "02_tensors.ipynb") == 5
