"""Run a notebook like nbgrader would (grading mode, carrying on past errors) and read its tests' outcomes."""

import copy
import os
import re
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from nbclient import NotebookClient
from nbformat import NotebookNode

from grader.notebooks import graded_tests, nbgrader_meta


@contextmanager
def execution_mode(grading: bool):
    """Set NBGRADER_EXECUTION like nbgrader's autograde (heavy demo cells shrink), or unset it (learner mode)."""
    with mock.patch.dict(os.environ):
        if grading:
            os.environ["NBGRADER_EXECUTION"] = "autograde"
        else:
            os.environ.pop("NBGRADER_EXECUTION", None)
        yield


def execute(notebook: NotebookNode, working_dir: Path, timeout: int = 180, grading: bool = True) -> NotebookNode:
    """Run every cell (in grading mode unless told otherwise), carrying on past errors as nbgrader does."""
    executed = copy.deepcopy(notebook)
    with execution_mode(grading):
        client = NotebookClient(executed, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": str(working_dir)}})
        client.execute()
    return executed


def outcome(cell: NotebookNode) -> str:
    """'' when an executed test cell passed, else its error ('Name: message') or what it wrote to stderr."""
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            return f"{output.ename}: {output.evalue}"
        if output.output_type == "stream" and output.name == "stderr":
            return f"stderr: {output.text.strip()}"
    return ""


def shown_text(notebook: NotebookNode) -> str:
    """Everything an executed notebook showed, one line block per cell. A cell's stream outputs are joined
    as one text, for a busy kernel may send one print in several messages; errors and results follow."""
    blocks = []
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        streams = "".join(output.get("text", "") for output in outputs if output.get("output_type") == "stream")
        others = [text for output in outputs if output.get("output_type") != "stream"
                  for text in (output.get("ename", ""), output.get("evalue", ""),
                               str(output.get("data", {}).get("text/plain", ""))) if text]
        blocks.append("\n".join([streams, *others]))
    return "\n".join(blocks)


def outcomes_of_tests(executed: NotebookNode) -> dict[str, str]:
    """For each graded test cell of an executed notebook, its :func:`outcome`."""
    return {nbgrader_meta(cell)["grade_id"]: outcome(cell) for cell in graded_tests(executed)}


ANSI = re.compile(r"\x1b\[[0-9;]*m")
FRAME = re.compile(r"^-{20,}|Traceback \(most recent call last\)|Cell In\[\d+\]|File \S.*, line \d+|^\s*-+>\s*\d+")


def raw_tracebacks(notebook: NotebookNode) -> list[str]:
    """The errors of an executed notebook shown with a traceback through code (frames, arrows), not as the one
    message the course's own exceptions render: ``"cell <id>: Name: message"`` each."""
    found = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            lines = [ANSI.sub("", line) for entry in output.get("traceback", []) for line in entry.splitlines()]
            if any(FRAME.search(line) for line in lines):
                found.append(f"cell {cell.get('id')}: {output.get('ename')}: {output.get('evalue', '')[:200]}")
    return found
