"""Per-student HTML feedback through nbgrader's generate_feedback, without hidden tests, scanned before release.

nbgrader's ClearHiddenTests removes the hidden block from each test cell's source; a failing hidden
assert would still print its line in the traceback, so :class:`AssertionMessagesOnly` replaces every
traceback with the exception's message, which our tests write for learners, and cuts what graded test
cells printed to a bounded text (a function a test calls could print its caller's source). The student's
own HTML and JavaScript outputs are sanitized (nbconvert's ``HTMLExporter.sanitize_html``): no script
of theirs runs on the page.

nbgrader writes each page into a staging folder; the page is released only after a scan like the student
bundle's (grader.authoring.bundle): a page holding a hidden-test line of the lesson (one the student did not
write themselves) is withheld, a page saying so is written instead, and the notebook is flagged for the
instructor (grader.grading.record.flag_for_review). A notebook whose outputs showed hidden-test lines or
the run's seed when it was graded (grader.safety.integrity.leak_findings) is withheld the same way.
"""

import html
import re
import shutil
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from grader.files import write_atomically
from grader.grading import layout
from grader.grading.classroom import class_api
from grader.grading.pages import render
from grader.grading.record import flag_for_review, read_marker
from grader.nbgrader_adapter import require_success
from grader.notebooks import SECRET_BLOCKS, is_graded_test, read
from grader.safety.integrity import REPAIRED, TAMPERING, Finding, hidden_test_lines, leaked_secrets

SHORT_MESSAGES = ("CheckFailed", "NotAttempted")  # helpers.checks: shown as the message alone, as in Jupyter
MAX_MESSAGE_CHARS = 2000  # an error's message on the page
MAX_TEST_OUTPUT_CHARS = 4000  # all that one graded test cell printed or displayed, shown as text
STAGING = "feedback-staging"  # nbgrader's feedback folder while pages are scanned: <course>/feedback-staging
LEAK_KIND = "hidden tests shown"  # grader.safety.integrity.leak_findings' kind


def _cut(text: str, budget: int) -> str:
    """``text`` within ``budget`` characters, with a notice when it was cut."""
    if len(text) <= budget:
        return text
    return text[:max(budget, 0)] + f"\n[grader] cut: {len(text) - budget} more characters are not shown\n"


class AssertionMessagesOnly(NbGraderPreprocessor):
    """Keep only the message of every error output (``ExceptionName: message``, or ``\u2718 message`` for the
    course's own checks, as the learner saw it in Jupyter): no code lines, no traceback. In graded test cells,
    everything else is shown as bounded plain text (HTML, JavaScript and images of a test cell are not shown)."""

    def preprocess_cell(self, cell, resources, index):
        budget, kept = MAX_TEST_OUTPUT_CHARS, []
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                shown = (f"\u2718 {output.evalue}" if output.ename in SHORT_MESSAGES
                         else f"{output.ename}: {output.evalue}")
                output.traceback = _cut(shown, MAX_MESSAGE_CHARS).splitlines()
            elif is_graded_test(cell):
                output = _as_text(output, budget)
                if output is None:
                    continue
                budget -= len(output.text)
            kept.append(output)
        if "outputs" in cell:
            cell.outputs = kept
        return cell, resources


def _as_text(output: NotebookNode, budget: int) -> NotebookNode | None:
    """A test cell's stream or display as a bounded stream (None when nothing is left to show)."""
    if output.output_type == "stream":
        text, name = output.get("text", ""), output.get("name", "stdout")
    else:
        text, name = output.get("data", {}).get("text/plain", ""), "stdout"
    text = text if isinstance(text, str) else ""
    if budget <= 0 or not text:
        return None
    return NotebookNode(output_type="stream", name=name, text=_cut(text, budget))


def needs_review(marker: dict) -> bool:
    """Whether the integrity report found anything (then the page does not invite a resubmission)."""
    return any(finding["severity"] != REPAIRED for finding in marker.get("integrity", []))


def _write_ungradable_page(path: Path, lesson: str, student: str, marker: dict) -> None:
    """The page a student gets instead of nbgrader's feedback when their notebook could not be graded."""
    write_atomically(path, render("ungradable.html", lesson=lesson, student=student, reason=marker["error"],
                                  review=needs_review(marker)))


def _write_withheld_page(path: Path, lesson: str, student: str) -> None:
    """The page a student gets when their feedback would show what only the grader may hold."""
    write_atomically(path, render("withheld.html", lesson=lesson, student=student))


def page_text(page: str) -> str:
    """What a reader of an HTML page sees, as text: tags removed, entities decoded, lines stripped."""
    text = html.unescape(re.sub(r"<[^>]*>", "", page))
    return "\n".join(line.strip() for line in text.splitlines())


def page_leaks(page: str, source: NotebookNode, autograded: NotebookNode) -> list[str]:
    """What of the lesson's hidden tests the page shows, leaving out lines the student's own cells hold."""
    own = "\n".join(line.strip() for cell in autograded.cells if not is_graded_test(cell)
                    for line in SECRET_BLOCKS.sub("", cell.source).splitlines())
    secrets = {secret for secret in hidden_test_lines(source) if secret not in own}
    return leaked_secrets(page_text(page), secrets, seed=None)


def _release(course_root: Path, db_url: str, lesson: str, student: str, staged: Path, page: Path) -> None:
    """Move a staged page into the feedback folder if it leaks nothing; else withhold it and flag the notebook."""
    text = staged.read_text(encoding="utf-8")
    source = read(layout.notebook(course_root, "source", lesson))
    autograded = read(layout.notebook(course_root, "autograded", lesson, student))
    leaked = page_leaks(text, source, autograded)
    if not leaked:
        write_atomically(page, text)
        return
    finding = Finding(TAMPERING, LEAK_KIND, "feedback page",
                      f"the feedback page would show {' and '.join(leaked)}; it was withheld")
    flag_for_review(course_root, db_url, lesson, student, finding.as_dict())
    _write_withheld_page(page, lesson, student)


def generate_feedback(course_root: Path, db_url: str, lessons: list[str] | None = None) -> list[Path]:
    """Feedback pages for every recorded submission, each scanned before it is released; return their paths."""
    api = class_api(course_root, db_url, HTMLExporter={"sanitize_html": True})
    api.coursedir.feedback_directory = STAGING
    written = []
    try:
        for student, lesson, _ in layout.each(course_root, "autograded", layout.MARKER):
            marker = read_marker(course_root, lesson, student)
            if (lessons and lesson not in lessons) or marker is None:
                continue
            page = layout.feedback_page(course_root, lesson, student)
            if marker.get("error"):
                _write_ungradable_page(page, lesson, student, marker)
            elif any(finding.get("kind") == LEAK_KIND for finding in marker.get("integrity", [])):
                _write_withheld_page(page, lesson, student)
            else:
                require_success(api.generate_feedback(lesson, student, force=True),
                                f"generate_feedback {lesson} {student}")
                staged = layout.folder(course_root, STAGING, lesson, student) / f"{lesson}.html"
                _release(course_root, db_url, lesson, student, staged, page)
            written.append(page)
    finally:
        shutil.rmtree(course_root / STAGING, ignore_errors=True)
    return written
