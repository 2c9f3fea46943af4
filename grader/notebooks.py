"""Reading notebooks and describing their cells in a normalized, comparable way."""

import ast
import copy
import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

NBGRADER_KEYS = ("grade_id", "solution", "grade", "locked", "points")
SECRET_BLOCKS = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)(.*?)### END \1", re.DOTALL)
"""A solution or hidden-test block of a cell: group 1 its kind, group 2 its text."""


class NotebookError(ValueError):
    """A notebook that cannot be read or is not a valid notebook."""


def read(path: Path) -> NotebookNode:
    """Read and validate a notebook, with an error that names the file and says what is wrong."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such notebook") from None
    except Exception as error:  # nbformat raises several types for unreadable JSON
        raise NotebookError(f"{path}: not a readable notebook ({type(error).__name__}: {error})") from None
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        raise NotebookError(f"{path}: not a valid notebook ({error.message})") from None
    return notebook


def nbgrader_meta(cell: NotebookNode) -> dict:
    """The nbgrader metadata of a cell, or an empty dict."""
    return dict(cell.get("metadata", {}).get("nbgrader", {}))


def cell_signature(cell: NotebookNode) -> tuple:
    """What must agree between a released lesson and a fresh release: type, source, grading roles, tags."""
    meta = nbgrader_meta(cell)
    return (cell.cell_type, cell.source.strip(), tuple(meta.get(key) for key in NBGRADER_KEYS),
            tuple(sorted(cell.get("metadata", {}).get("tags", []))))


def is_graded_test(cell: NotebookNode) -> bool:
    """An autograded test cell (grade but not solution)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def graded_tests(notebook: NotebookNode) -> list[NotebookNode]:
    """The autograded test cells."""
    return [cell for cell in notebook.cells if is_graded_test(cell)]


def tags(cell: NotebookNode) -> set[str]:
    """The cell's tags."""
    return set(cell.get("metadata", {}).get("tags", []))


def nbval_counts(notebook: NotebookNode) -> dict[str, int]:
    """How many code cells nbval compares, and how many it skips or whose output it ignores."""
    code = [c for c in notebook.cells if c.cell_type == "code"]
    ignored = [c for c in code if tags(c) & {"nbval-ignore-output", "nbval-skip"}
               or c.source.lstrip().startswith(("# NBVAL_IGNORE_OUTPUT", "# NBVAL_SKIP"))]
    return {"code_cells": len(code), "ignored": len(ignored), "compared": len(code) - len(ignored)}


def knowledge_check_role(cell: NotebookNode) -> tuple[str, str] | None:
    """(question id, role) of a knowledge-check cell, the role being "question" (``quiz_<id>_widget``),
    "answer" (``quiz_<id>``, the learner's letter) or "check" (``quiz_<id>_check``); None for other cells."""
    meta = nbgrader_meta(cell)
    grade_id = str(meta.get("grade_id", ""))
    if not grade_id.startswith("quiz_"):
        return None
    question_id = grade_id[len("quiz_"):]
    if meta.get("solution"):
        return question_id, "answer"
    for suffix, role in (("_widget", "question"), ("_check", "check")):
        if question_id.endswith(suffix):
            return question_id[:-len(suffix)], role
    return None


def names_defined(source: str) -> set[str]:
    """Top-level names a cell defines (functions, classes, assigned variables); none if it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def lesson_counts(notebook: NotebookNode) -> dict[str, float]:
    """Exercises (graded tests), their points, and knowledge checks (formative, no points) of a lesson."""
    tests = graded_tests(notebook)
    checks = [cell for cell in notebook.cells if (knowledge_check_role(cell) or ("", ""))[1] == "question"]
    return {"exercises": len(tests), "points": sum(float(nbgrader_meta(c).get("points", 0)) for c in tests),
            "knowledge_checks": len(checks)}


class UnknownCellError(KeyError):
    """A substitution names a grade_id the notebook does not have."""


def substitute(notebook: NotebookNode, answers: dict[str, str]) -> NotebookNode:
    """A copy of ``notebook`` whose answer cells (by grade_id) hold the given code."""
    result = copy.deepcopy(notebook)
    by_id = {nbgrader_meta(cell).get("grade_id"): cell for cell in result.cells}
    for grade_id, source in answers.items():
        if grade_id not in by_id:
            raise UnknownCellError(f"no cell with grade_id {grade_id!r}; known: {sorted(k for k in by_id if k)}")
        by_id[grade_id].source = source
    return result


SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def solution_answers(solution_notebook: NotebookNode) -> dict[str, str]:
    """{grade_id: code} of every answer cell of a solution notebook, markers removed: a correct submission."""
    answers = {}
    for cell in solution_notebook.cells:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.cell_type == "code":
            lines = [line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers


def without_display_data(notebook: NotebookNode, mimes: set[str]) -> NotebookNode:
    """``notebook`` without the display outputs of the given MIME types, e.g. hidden reports to the
    grader once they are read (feedback has no use for them, and nbconvert would warn about each one)."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [output for output in cell.outputs
                            if not (output.output_type == "display_data" and mimes & set(output.get("data", {})))]
    return notebook
