"""Which option did each learner pick first? Knowledge-check answers counted per question and option.

Knowledge checks carry no points; their value to an instructor is the misconceptions they reveal. The
recorded letters are read from the submitted notebooks' answer cells as text (``answer_logits = "c"``,
parsed, never executed), so nothing the student's code does at run time can change the counts. An
answer cell is the student's text: one too long, or one the parser cannot take (nesting past its
limits, a null byte), counts as "not one option letter" and never stops the report.
"""

import ast
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.warnings import DuplicateCellId

from grader.grading import layout
from grader.notebooks import knowledge_check_role
from grader.paths import LESSONS
from helpers.quiz import all_questions, is_correct, is_unanswered, recorded_letter

NOT_ANSWERED = "not answered"
NOT_A_LETTER = "not one option letter"
MAX_ANSWER_CHARS = 10_000  # an answer cell holds one assignment; longer text is not parsed at all


def read_quietly(path: Path) -> NotebookNode:
    """A notebook as nbformat reads it, without one DuplicateCellId warning per cell of a notebook whose
    cells share ids (integrity's report names that; the warnings would flood the instructor's terminal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateCellId)
        return nbformat.read(path, as_version=4)


@dataclass
class QuestionTally:
    """How a class answered one knowledge check."""

    lesson: str
    question_id: str
    question: str
    options: dict[str, str]
    right: str
    counts: Counter


def recorded_answer(cell: NotebookNode, question_id: str) -> str:
    """The option letter an answer cell assigns to ``answer_<id>``, or why there is none."""
    source = cell.get("source", "")
    if not isinstance(source, str) or len(source) > MAX_ANSWER_CHARS:
        return NOT_A_LETTER
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):  # what ast.parse raises on crafted text
        return NOT_A_LETTER
    values = [node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
              and any(isinstance(target, ast.Name) and target.id == f"answer_{question_id}" for target in node.targets)]
    if not values:
        return NOT_ANSWERED
    if not isinstance(values[-1], ast.Constant):
        return NOT_A_LETTER
    if is_unanswered(values[-1].value):
        return NOT_ANSWERED
    return recorded_letter(question_id, values[-1].value) or NOT_A_LETTER


def question_texts(lesson: str, lessons_folder: Path = LESSONS) -> dict[str, str]:
    """{question id: question} from the released lesson's ``knowledge_check(id, question)`` cells."""
    path = lessons_folder / f"{lesson}.ipynb"
    texts = {}
    if not path.exists():
        return texts
    for cell in nbformat.read(path, as_version=4).cells:
        for node in ast.walk(ast.parse(cell.source)) if cell.cell_type == "code" else ():
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "knowledge_check" \
                    and len(node.args) == 2 and all(isinstance(a, ast.Constant) for a in node.args):
                texts[node.args[0].value] = node.args[1].value
    return texts


def tally(course_root: Path) -> list[QuestionTally]:
    """Every knowledge check answered in the course's submissions, in lesson order, with its counts."""
    questions = all_questions()
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for _, lesson, path in layout.each(course_root, "submitted"):
        try:
            notebook = read_quietly(path)
        except Exception:  # a broken notebook is reported by autograde; it holds no answers to count
            continue
        for cell in notebook.cells:
            question_id, role = knowledge_check_role(cell) or (None, None)
            if role == "answer" and question_id in questions:
                counts[lesson, question_id][recorded_answer(cell, question_id)] += 1
    texts = {lesson: question_texts(lesson) for lesson in {lesson for lesson, _ in counts}}
    tallies = []
    for (lesson, question_id), counter in sorted(counts.items()):
        data = questions[question_id]
        right = next(letter for letter in data["options"] if is_correct(question_id, letter, data["digest"]))
        tallies.append(QuestionTally(lesson, question_id, texts[lesson].get(question_id, question_id),
                                     data["options"], right, counter))
    return tallies
