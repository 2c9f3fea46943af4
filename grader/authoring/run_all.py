"""What release adds for learners, so that Run All runs a whole untouched lesson and every failure reads in one line.

- An exercise stub names its exercise: ``raise NotAttempted("Exercise 2.4")`` (nbgrader's stub is
  ``raise NotImplementedError()``), so the test below it says "Exercise 2.4 is not attempted yet: ...".
- A knowledge check's answer stub is ``answer_<id> = None``: its check then gives its own advice.
- Cells that may fail before the learner has answered are tagged ``raises-exception``: the tests, the
  knowledge-check checks, and any later cell using a name an answer cell defines (or a name such a cell
  makes, and so on). JupyterLab's Run All
  carries on past those; nbgrader still records the error, so a failing test still scores 0.
"""

import ast
import re

from nbformat import NotebookNode

from grader.notebooks import is_graded_test, knowledge_check_role, names_defined, nbgrader_meta

RAISES = "raises-exception"
STUB = re.compile(r"^(?P<indent>[ \t]*)raise NotImplementedError\(\)[ \t]*$", re.MULTILINE)
QUIZ_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
EXERCISE = re.compile(r"""passed\(\s*["']([^"']+)["']\s*\)""")


def _names(source: str, context: type) -> set[str]:
    """Every name a cell reads (``ast.Load``) or binds (``ast.Store``), at any depth."""
    try:
        return {node.id for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Name) and isinstance(node.ctx, context)}
    except SyntaxError:
        return set()


def _exercise_after(cells: list[NotebookNode], index: int) -> str:
    """The exercise name (``passed("Exercise 2.4")``) of the first graded test after cell ``index``."""
    for cell in cells[index + 1:]:
        if is_graded_test(cell):
            match = EXERCISE.search(cell.source)
            return match.group(1) if match else "This exercise"
    return "This exercise"


def _add_tag(cell: NotebookNode, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def prepare_for_learners(notebook: NotebookNode, solution: NotebookNode) -> NotebookNode:
    """Rewrite the released ``notebook`` in place (stubs, tags); ``solution`` tells what each answer defines."""
    defined_by = {nbgrader_meta(cell).get("grade_id"): names_defined(cell.source) for cell in solution.cells
                  if cell.cell_type == "code" and nbgrader_meta(cell).get("solution")}
    waiting: set[str] = set()  # names that may not exist until the learner has answered
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = nbgrader_meta(cell)
        question_id, role = knowledge_check_role(cell) or (None, None)
        if meta.get("solution"):
            if role == "answer":
                cell.source = cell.source.replace(QUIZ_STUB, f"answer_{question_id} = None")
            else:
                exercise = _exercise_after(notebook.cells, index)
                cell.source = STUB.sub(lambda m, exercise=exercise: f'{m["indent"]}raise NotAttempted("{exercise}")',
                                       cell.source)
            waiting |= defined_by.get(meta.get("grade_id"), set())
        elif is_graded_test(cell) or role == "check":
            _add_tag(cell, RAISES)
        elif _names(cell.source, ast.Load) & waiting:
            _add_tag(cell, RAISES)
            waiting |= _names(cell.source, ast.Store)  # what it would have made is missing too
    return notebook
