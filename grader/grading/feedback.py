"""Per-student HTML feedback through nbgrader's generate_feedback, without any hidden-test code.

nbgrader's ClearHiddenTests removes the hidden block from each test cell's source; a failing hidden
assert would still print its line in the traceback, so :class:`AssertionMessagesOnly` replaces every
traceback with the exception's message, which our tests write for learners.
"""

import html
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from grader.grading.classroom import class_api
from grader.nbgrader_adapter import require_success
from grader.grading import layout
from grader.grading.record import read_marker


SHORT_MESSAGES = ("CheckFailed", "NotAttempted")  # helpers.checks: shown as the message alone, as in Jupyter


class AssertionMessagesOnly(NbGraderPreprocessor):
    """Keep only the message of every error output (``ExceptionName: message``, or ``\u2718 message`` for the
    course's own checks, as the learner saw it in Jupyter): no code lines, no traceback."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                shown = f"\u2718 {output.evalue}" if output.ename in SHORT_MESSAGES else f"{output.ename}: {output.evalue}"
                output.traceback = shown.splitlines()
        return cell, resources


def _write_ungradable_page(path: Path, lesson: str, student: str, reason: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{lesson}: {html.escape(student)}</title></head>"
        f"<body><h1>{lesson}</h1><p>Your notebook could not be graded, so every exercise scored 0.</p>"
        f"<p><b>Reason:</b> {html.escape(reason)}</p><p>Open the notebook in JupyterLab to check that it is "
        "intact (File, then Save), run all cells, and submit it again.</p></body></html>")


def generate_feedback(course_root: Path, db_url: str, lessons: list[str] | None = None) -> list[Path]:
    """Feedback pages for every recorded submission; return their paths."""
    api = class_api(course_root, db_url)
    written = []
    for student, lesson, _ in layout.each(course_root, "autograded", layout.MARKER):
        if lessons and lesson not in lessons:
            continue
        marker = read_marker(course_root, lesson, student)
        if marker.get("error"):
            _write_ungradable_page(layout.feedback_page(course_root, lesson, student), lesson, student, marker["error"])
        else:
            require_success(api.generate_feedback(lesson, student, force=True), f"generate_feedback {lesson} {student}")
        written.append(layout.feedback_page(course_root, lesson, student))
    return written
