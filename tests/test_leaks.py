"""grader.authoring.leaks: a visible test or knowledge check that shows solution code is caught, naming lesson,
cell and line."""

import copy

import nbformat
import pytest

from grader import cli
from grader.authoring.leaks import find_leaks, leaking_exercises, telling_parts
from grader.notebooks import graded_tests, nbgrader_meta, read
from grader.paths import LESSONS, SOLUTIONS, written_lessons

SOLUTION_CODE = '''def tile(t, times):
    """Repeat t side by side."""
    ### BEGIN SOLUTION
    copy = t.clone()
    copy[:, 0] = 0
    return torch.cat([copy] * times, dim=1)
    ### END SOLUTION'''


def _cell(kind: str, source: str, **nbgrader) -> nbformat.NotebookNode:
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "solution": False, "grade": False, "locked": False,
                                     **nbgrader}
    return cell


def _pair(test_source: str, narrative: str = "", quiz_source: str = "check_choice('q')"):
    """A solution notebook and its released lesson, whose visible test cell holds ``test_source``."""
    cells = [_cell("markdown", narrative or "Tiles."),
             _cell("code", SOLUTION_CODE, grade_id="tile", solution=True),
             _cell("code", test_source, grade_id="tile_test", grade=True, locked=True, points=1),
             _cell("markdown", "<details><summary>Hint 1</summary>copy = t.clone()</details>"),
             _cell("code", quiz_source, grade_id="quiz_q_check", locked=True)]
    solution = nbformat.v4.new_notebook(cells=cells)
    lesson = copy.deepcopy(solution)
    lesson.cells[1].source = 'def tile(t, times):\n    """Repeat t side by side."""\n    raise NotImplementedError()'
    return solution, lesson


def test_a_solution_line_in_a_visible_test_is_caught_with_lesson_cell_and_line():
    solution, lesson = _pair("expected = torch.cat([copy] * times, dim=1)\nassert_close('tile', tile(x, 2), expected)")
    leaks = find_leaks("99_demo", solution, lesson)
    assert leaks and {leak.cell for leak in leaks} == {"tile_test"}
    assert any("torch.cat([copy] * times, dim=1)" in leak.text for leak in leaks)
    assert "99_demo, cell tile_test" in str(leaks[0])


def test_whitespace_and_quoting_in_a_message_do_not_hide_a_leak():
    solution, lesson = _pair('assert ok, "Try torch.cat( [copy]*times,  dim=1 )."')
    assert [leak.text for leak in find_leaks("99_demo", solution, lesson)] == ["torch.cat([copy] * times, dim=1)"]


def test_a_solution_line_in_a_knowledge_check_is_caught():
    solution, lesson = _pair("assert_close('tile', tile(x, 2), literal)",
                             quiz_source="# copy = t.clone()\ncheck_choice('q')")
    assert leaking_exercises(find_leaks("99_demo", solution, lesson)) == {("99_demo", "quiz_q_check")}


def test_two_consecutive_short_solution_lines_are_caught_together():
    solution, lesson = _pair("copy = t.clone()\ncopy[:, 0] = 0\nassert_close('tile', tile(x, 2), literal)")
    texts = [leak.text for leak in find_leaks("99_demo", solution, lesson)]
    assert "copy = t.clone()\ncopy[:, 0] = 0" in texts


def test_lines_the_narrative_teaches_and_the_hints_may_show_are_not_leaks():
    taught = "Concatenate with `torch.cat([copy] * times, dim=1)` and copy with `t.clone()`."
    solution, lesson = _pair("y = t.clone()\nexpected = torch.cat([copy] * times, dim=1)", narrative=taught)
    assert find_leaks("99_demo", solution, lesson) == []
    # the hint shows `copy = t.clone()`, but hints are not narrative: the test must not show it
    solution, lesson = _pair("copy = t.clone()\nassert_close('tile', tile(x, 2), literal)")
    assert "copy = t.clone()" in [leak.text for leak in find_leaks("99_demo", solution, lesson)]


@pytest.mark.parametrize("line", ["import torch", "from torch import nn", "pass", "def forward(self, x):",
                                  "return logits", "return image, label", "else:", "x = self.transform",
                                  "raise NotImplementedError()"])
def test_trivial_lines_never_count(line):
    assert telling_parts(line) == []


def test_telling_parts_are_the_line_and_its_expression():
    assert telling_parts("grads = torch.autograd.grad(loss, (w, b))") == [
        "grads = torch.autograd.grad(loss, (w, b))", "torch.autograd.grad(loss, (w, b))"]
    assert telling_parts("if torch.cuda.is_available():") == [
        "if torch.cuda.is_available():", "torch.cuda.is_available()"]


@pytest.mark.parametrize("stem", written_lessons())
def test_no_released_lesson_shows_solution_code(stem):
    leaks = find_leaks(stem, read(SOLUTIONS / f"{stem}.ipynb"), read(LESSONS / f"{stem}.ipynb"))
    assert not leaks, "\n".join(map(str, leaks))


def test_grader_check_fails_on_a_planted_leak_and_names_it(tmp_path, monkeypatch, capsys):
    stem = "02_tensors"
    solution, lesson = read(SOLUTIONS / f"{stem}.ipynb"), read(LESSONS / f"{stem}.ipynb")
    answer = next(cell for cell in solution.cells if nbgrader_meta(cell).get("solution")
                  and not nbgrader_meta(cell)["grade_id"].startswith("quiz_"))
    planted = next(line.strip() for line in answer.source.split("### BEGIN SOLUTION")[1].splitlines()
                   if telling_parts(line))
    test_cell = graded_tests(lesson)[0]
    test_cell.source = f"# {planted}\n{test_cell.source}"
    nbformat.write(lesson, tmp_path / f"{stem}.ipynb")
    monkeypatch.setattr(cli, "LESSONS", tmp_path)
    assert cli.main(["check", "--sync-only", stem]) == 1
    out, err = capsys.readouterr()
    assert "leaks: 1 of" in out
    assert f"{stem}, cell {nbgrader_meta(test_cell)['grade_id']}: shows solution code {planted!r}" in err
