"""Does a released lesson show its solutions? Solution code found in a visible test or knowledge check.

A learner reads every visible test cell and knowledge-check cell. If one of them holds a line of the
reference solution (or the telling part of it: the expression after ``=`` or ``return``, or the
condition of an ``if``), the test gives the answer away. Lines the lesson's own narrative teaches
(markdown outside the hints, demo code cells) are public and never count; trivial lines (imports,
``pass``, ``def``/``class`` lines, ``return x``, short fragments) never count either.
Whitespace is ignored when comparing, so code pasted with other spacing or inside a string is found.
"""

import re
from dataclasses import dataclass

from nbformat import NotebookNode

from grader.notebooks import SECRET_BLOCKS, is_graded_test, knowledge_check_role, nbgrader_meta

SOLUTION_BLOCK = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)
SHORTEST_TELLING = 12  # characters, whitespace removed: shorter fragments are ordinary PyTorch
NAMES_ONLY = re.compile(r"^[\w.]+(\s*,\s*[\w.]+)*,?$")  # `self.transform`, `image, label`: not telling
TRIVIAL = re.compile(r"^(import |from \S+ import |pass$|def |class |return [\w.]+(\s*,\s*[\w.]+)*$|"
                     r"else:$|try:$|finally:$|except\b|raise NotImplementedError|[\])}]+,?$|#)")


@dataclass(frozen=True)
class Leak:
    """A solution line (or pair of lines) that a visible cell of the released lesson shows."""

    lesson: str
    cell: str
    text: str

    def __str__(self) -> str:
        return f"{self.lesson}, cell {self.cell}: shows solution code {self.text!r}"


def squeezed(text: str) -> str:
    """``text`` without any whitespace, for comparisons that ignore spacing."""
    return re.sub(r"\s+", "", text)


def telling_parts(line: str) -> list[str]:
    """What of one solution line would give the answer away: the line, and its expression or condition."""
    line = line.strip()
    if not line or TRIVIAL.match(line):
        return []
    parts = [line]
    assignment = re.match(r"^[\w\s,.\[\]()*]+?(?<![=!<>])(?:[-+*/@]?=)(?!=)(.+)$", line)
    keyword = re.match(r"^(?:return|if|elif|while|with|for .+? in|yield)\s+(.+?):?$", line)
    if assignment and NAMES_ONLY.match(line[:assignment.start(1)].rstrip(" =+-*/@")) \
            and NAMES_ONLY.match(assignment.group(1).strip()):
        return []  # `x = self.transform`: renaming, not telling
    for match in (assignment, keyword):
        if match:
            parts.append(match.group(1).strip())
    return [part for part in dict.fromkeys(parts)
            if len(squeezed(part)) >= SHORTEST_TELLING and not NAMES_ONLY.match(part)]


def _solution_lines(solution: NotebookNode) -> list[list[str]]:
    """Each solution block of the answer cells, as its non-empty lines."""
    blocks = []
    for cell in solution.cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            for block in SOLUTION_BLOCK.findall(cell.source):
                blocks.append([line.strip() for line in block.splitlines() if line.strip()])
    return blocks


def is_knowledge_check(cell: NotebookNode) -> bool:
    """A knowledge-check cell the learner reads (the question, or the check of the recorded letter)."""
    role = knowledge_check_role(cell)
    return role is not None and role[1] != "answer"


def _narrative(solution: NotebookNode) -> str:
    """What the lesson teaches in the open: markdown outside the hints, and demo code cells."""
    texts = []
    for cell in solution.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "markdown" and "<details>" not in cell.source:
            texts.append(cell.source)
        elif cell.cell_type == "code" and not meta.get("solution") and not meta.get("grade") \
                and not is_knowledge_check(cell):
            texts.append(SECRET_BLOCKS.sub("", cell.source))
    return squeezed("\n".join(texts))


def visible_checks(lesson: NotebookNode) -> list[NotebookNode]:
    """The released lesson's visible test cells and knowledge-check cells."""
    return [cell for cell in lesson.cells if cell.cell_type == "code"
            and (is_graded_test(cell) or is_knowledge_check(cell))]


def find_leaks(stem: str, solution: NotebookNode, lesson: NotebookNode) -> list[Leak]:
    """Every solution line, or pair of consecutive solution lines, shown by a visible check of ``lesson``."""
    public = _narrative(solution)
    blocks = _solution_lines(solution)
    found = []
    for cell in visible_checks(lesson):
        shown = squeezed(cell.source)
        grade_id = nbgrader_meta(cell).get("grade_id", "?")
        for lines in blocks:
            for line in lines:
                found += [Leak(stem, grade_id, part) for part in telling_parts(line)
                          if squeezed(part) in shown and squeezed(part) not in public]
            for first, second in zip(lines, lines[1:], strict=False):
                pair = squeezed(first + second)
                if len(pair) >= 2 * SHORTEST_TELLING and pair in shown and pair not in public:
                    found.append(Leak(stem, grade_id, f"{first}\n{second}"))
    return list(dict.fromkeys(found))


def leaking_exercises(leaks: list[Leak]) -> set[tuple[str, str]]:
    """The (lesson, test cell) pairs that leak."""
    return {(leak.lesson, leak.cell) for leak in leaks}
