"""The learner's Validate button, answered in a few lines: "N of M tests passed", then each failing exercise.

A Jupyter server extension (enabled by ``helpers/lab/jupyter_server_config.json``, which ``make lab``
uses) that serves nbgrader's own Validate button. nbgrader validates as usual; only its answer is
summarised: nbgrader would show every failing test's source and traceback. Validate runs every cell
the way grading does, on the visible tests only: it cannot tell whether the hidden tests will pass.
"""

import html
import re
from pathlib import Path

import nbformat
from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler, ValidateAssignmentHandler

ANSI = re.compile(r"\x1b\[[0-9;]*m")
TAG = re.compile(r"<[^>]+>")
EXERCISE = re.compile(r"""passed\(\s*["']([^"']+)["']\s*\)""")
GIVES_NO_GUARANTEE = ("Validate runs the visible tests only: when your work is graded, the tests run again on "
                      "fresh inputs.")


def graded_test_count(path: Path) -> int:
    """How many autograded test cells the notebook has."""
    cells = nbformat.read(path, as_version=4).cells
    return sum(1 for cell in cells if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
               and not cell["metadata"]["nbgrader"].get("solution"))


def one_line(error: str) -> str:
    """The teaching message of a failed test: a check's first line, or the last line of a traceback."""
    text = html.unescape(TAG.sub("", ANSI.sub("", error)))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "failed"
    return lines[0].lstrip("\u2718 ") if lines[0].startswith("\u2718") else lines[-1]


def summary(failed: list[dict], total: int) -> str:
    """'N of M tests passed', then one line per failing exercise."""
    lines = [f"{total - len(failed)} of {total} tests passed.", "", "Still failing:"]
    for cell in failed:
        match = EXERCISE.search(cell.get("source", ""))
        name = match.group(1) if match else (cell.get("source", "").strip().splitlines() or ["a test"])[0]
        lines.append(f"  {name}: {one_line(cell.get('error', ''))}")
    return "\n".join([*lines, "", GIVES_NO_GUARANTEE])


class SummaryValidateHandler(ValidateAssignmentHandler):
    """nbgrader's validate handler, whose answer lists failing exercises in one line each."""

    def validate_notebook(self, path):
        answer = super().validate_notebook(path)
        value = answer.get("value")
        if answer.get("success") and isinstance(value, dict) and value.get("failed"):
            total = graded_test_count((Path(self.root_dir) / path).resolve())
            answer["value"] = {"failed": [{"source": summary(value["failed"], total), "error": ""}]}
        return answer


def _load_jupyter_server_extension(server_app) -> None:
    """Serve the Validate button's two routes (in place of nbgrader's validate_assignment extension)."""
    web_app = server_app.web_app
    web_app.settings["root_dir"] = server_app.root_dir
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base_url, "/assignments/validate"), SummaryValidateHandler),
                                 (url_path_join(base_url, "/nbgrader_version"), NbGraderVersionHandler)])
