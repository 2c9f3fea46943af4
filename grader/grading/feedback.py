"""Per-student HTML feedback through nbgrader's generate_feedback, without any hidden-test code.

nbgrader's ClearHiddenTests removes the hidden block from each test cell's source; a failing hidden
assert would still print its line in the traceback, so :class:`AssertionMessagesOnly` replaces every
traceback with the exception's message, which our tests write for learners.
"""

from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from grader.files import write_atomically
from grader.grading import layout
from grader.grading.classroom import class_api
from grader.grading.pages import render
from grader.grading.record import read_marker
from grader.nbgrader_adapter import require_success
from grader.safety.integrity import REPAIRED

SHORT_MESSAGES = ("CheckFailed", "NotAttempted")  # helpers.checks: shown as the message alone, as in Jupyter


class AssertionMessagesOnly(NbGraderPreprocessor):
    """Keep only the message of every error output (``ExceptionName: message``, or ``\u2718 message`` for the
    course's own checks, as the learner saw it in Jupyter): no code lines, no traceback."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                shown = (f"\u2718 {output.evalue}" if output.ename in SHORT_MESSAGES
                         else f"{output.ename}: {output.evalue}")
                output.traceback = shown.splitlines()
        return cell, resources


def needs_review(marker: dict) -> bool:
    """Whether the integrity report found anything (then the page does not invite a resubmission)."""
    return any(finding["severity"] != REPAIRED for finding in marker.get("integrity", []))


def _write_ungradable_page(path: Path, lesson: str, student: str, marker: dict) -> None:
    """The page a student gets instead of nbgrader's feedback when their notebook could not be graded."""
    write_atomically(path, render("ungradable.html", lesson=lesson, student=student, reason=marker["error"],
                                  review=needs_review(marker)))


def generate_feedback(course_root: Path, db_url: str, lessons: list[str] | None = None) -> list[Path]:
    """Feedback pages for every recorded submission; return their paths."""
    api = class_api(course_root, db_url)
    written = []
    for student, lesson, _ in layout.each(course_root, "autograded", layout.MARKER):
        if lessons and lesson not in lessons:
            continue
        marker = read_marker(course_root, lesson, student)
        if marker.get("error"):
            _write_ungradable_page(layout.feedback_page(course_root, lesson, student), lesson, student, marker)
        else:
            require_success(api.generate_feedback(lesson, student, force=True), f"generate_feedback {lesson} {student}")
        written.append(layout.feedback_page(course_root, lesson, student))
    return written
