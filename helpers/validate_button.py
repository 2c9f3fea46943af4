"""The learner's Validate button, answered in a few lines: "N of M tests passed", then each failing exercise.

A Jupyter server extension (enabled by ``helpers/lab/jupyter_server_config.json``, which ``make lab``
uses) that serves nbgrader's own Validate button. nbgrader validates as usual; only its answer is
summarised: nbgrader would show every failing test's source and traceback. Validate runs every cell
the way grading does, on the visible tests only: it cannot tell whether the hidden tests will pass.

nbgrader's dialog (its labextension, not changed here) heads each failure with "The following cell failed:",
then the cell's source, then the error as HTML, in blocks that do not wrap. The summary therefore travels as
one failure whose error is the course's HTML, carrying ``helpers/lab/validate_dialog.css``: the summary comes
first, nbgrader's heading and empty source block are hidden, long lines wrap. A test's message speaks from its
cell ("write your code in the cell above"); in the dialog it is reworded to name the answer cell instead.
Everything taken from the notebook (messages, sources) is text from the learner's kernel: bounded and escaped.
"""

import html
import re
from pathlib import Path

import nbformat
from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler, ValidateAssignmentHandler

DIALOG_CSS = Path(__file__).resolve().with_name("lab") / "validate_dialog.css"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
TAG = re.compile(r"<[^>]+>")
EXERCISE = re.compile(r"""passed\(\s*["']([^"']{1,60})["']\s*\)""")
CHECK_MARK = "\u2718"
MAX_MESSAGE = 600  # characters of one failure's message
MAX_LISTED = 40  # failures listed by name; more are counted
GIVES_NO_GUARANTEE = ("Validate runs the visible tests only: when your work is graded, the tests run again on "
                      "fresh inputs.")
DIALOG_WORDING = (  # (what a test cell says about its neighbours, what the dialog says instead)
    (re.compile(r"in the cell above, then run this cell again"), "in its answer cell (marked # YOUR CODE HERE)"),
    (re.compile(r",? (?:and )?then run this cell again"), ""),
    (re.compile(r"^This cell needs\b"), "needs"),
    (re.compile(r"\bthe cell above\b"), "its answer cell"),
    (re.compile(r"\bthis cell\b"), "its test cell"),
)


def graded_test_count(path: Path) -> int:
    """How many autograded test cells the notebook has."""
    cells = nbformat.read(path, as_version=4).cells
    return sum(1 for cell in cells if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
               and not cell["metadata"]["nbgrader"].get("solution"))


def plain_text(cell: dict) -> str:
    """A failed cell's error as text: nbgrader's ``raw_error`` without colours, else its HTML ``error`` untagged."""
    if isinstance(cell.get("raw_error"), str):
        return ANSI.sub("", cell["raw_error"])
    return html.unescape(TAG.sub("", ANSI.sub("", str(cell.get("error", "")))))


def teaching_message(error: str) -> str:
    """A failed test's message: a check's whole message (its ✘ line and the lines after), else a traceback's
    last line; at most ``MAX_MESSAGE`` characters."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    if not lines:
        return "failed"
    message = " ".join(lines).removeprefix(CHECK_MARK).strip() if lines[0].startswith(CHECK_MARK) else lines[-1]
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 1] + "\u2026"


def for_dialog(message: str) -> str:
    """``message`` reworded to make sense outside the notebook (no "cell above", no "this cell")."""
    for pattern, wording in DIALOG_WORDING:
        message = pattern.sub(wording, message)
    return message


def failure_name(source: str) -> str:
    """The exercise a failed test cell checks (its ``passed("Exercise N.k")``), else its first line."""
    match = EXERCISE.search(source)
    if match:
        return match.group(1)
    first = next((line.strip() for line in source.splitlines() if line.strip()), "a test")
    return first if len(first) <= 60 else first[:59] + "\u2026"


def failure_line(cell: dict) -> tuple[str, str]:
    """(exercise, message) of one failed test cell, the message without the exercise's name repeated."""
    name = failure_name(str(cell.get("source", "")))
    message = for_dialog(teaching_message(plain_text(cell)))
    return name, re.sub(rf"^{re.escape(name)}:?\s+(?:is\s+)?", "", message)


def summary_html(failed: list[dict], total: int) -> str:
    """'N of M tests passed', one line per failing exercise, the caveat: HTML for nbgrader's dialog."""
    shown = [failure_line(cell) for cell in failed[:MAX_LISTED] if isinstance(cell, dict)]
    items = "".join(f"<li><b>{html.escape(name)}</b>: <span class=\"course-validate-message\">"
                    f"{html.escape(message)}</span></li>" for name, message in shown)
    more = f"<li>and {len(failed) - MAX_LISTED} more</li>" if len(failed) > MAX_LISTED else ""
    passed = max(total - len(failed), 0)
    return (f"<style>{DIALOG_CSS.read_text(encoding='utf-8')}</style>"
            '<div class="course-validate">'
            f'<p class="course-validate-score"><b>{passed} of {total} tests passed.</b></p>'
            f"<p>Still failing:</p><ul>{items}{more}</ul>"
            f'<p class="course-validate-note">{GIVES_NO_GUARANTEE}</p></div>')


def could_not_run_html(value) -> str:
    """nbgrader's answer when validation itself failed (a traceback), as one line."""
    text = ANSI.sub("", str(value)).strip() or "no reason given"
    reason = text if len(text) <= MAX_MESSAGE and "Traceback" not in text else text.splitlines()[-1][:MAX_MESSAGE]
    return (f"<style>{DIALOG_CSS.read_text(encoding='utf-8')}</style>"
            '<div class="course-validate"><p class="course-validate-score"><b>Validate could not run this '
            f'notebook to the end.</b></p><p>{html.escape(reason)}</p></div>')


def summarised(answer: dict, total: int) -> dict:
    """nbgrader's answer with failures (or a failed run) replaced by the course's summary; other answers as they are."""
    value = answer.get("value")
    if answer.get("success") and isinstance(value, dict) and isinstance(value.get("failed"), list) \
            and value["failed"]:
        return {"success": True, "value": {"failed": [{"source": "", "error": summary_html(value["failed"], total)}]}}
    if not answer.get("success"):
        return {"success": True, "value": {"failed": [{"source": "", "error": could_not_run_html(value)}]}}
    return answer


class SummaryValidateHandler(ValidateAssignmentHandler):
    """nbgrader's validate handler, whose answer lists failing exercises in one line each."""

    def validate_notebook(self, path):
        answer = super().validate_notebook(path)
        total = graded_test_count((Path(self.root_dir) / path).resolve()) if answer.get("success") else 0
        return summarised(answer, total)


def _load_jupyter_server_extension(server_app) -> None:
    """Serve the Validate button's two routes (in place of nbgrader's validate_assignment extension)."""
    web_app = server_app.web_app
    web_app.settings["root_dir"] = server_app.root_dir
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base_url, "/assignments/validate"), SummaryValidateHandler),
                                 (url_path_join(base_url, "/nbgrader_version"), NbGraderVersionHandler)])
