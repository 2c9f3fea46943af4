"""Run a notebook like nbgrader would (grading mode, carrying on past errors) and read its tests' outcomes."""

import copy
import os
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


def outcomes_of_tests(executed: NotebookNode) -> dict[str, str]:
    """For each graded test cell of an executed notebook, its :func:`outcome`."""
    return {nbgrader_meta(cell)["grade_id"]: outcome(cell) for cell in graded_tests(executed)}
