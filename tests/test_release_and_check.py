"""The single-source pipeline: release through nbgrader, the sync check, both-ways validation, the CLI."""

import re
import shutil

import nbformat
import pytest

from grader.authoring.release import generate_into
from grader.authoring.sync import stale_lessons
from grader.authoring.validate import check_solution, check_untouched
from grader.cli import main
from grader.notebooks import NotebookError, graded_tests, nbgrader_meta, read
from grader.paths import LESSONS, SOLUTIONS, resolve_stems, written_lessons

STEMS = written_lessons()


def test_all_eight_lessons_are_known_in_order():
    assert resolve_stems(["1", "08", "02_tensors"]) == ["01_quickstart", "08_save_and_load", "02_tensors"]
    with pytest.raises(ValueError, match="unknown lesson '09'"):
        resolve_stems(["09"])


def test_committed_lessons_match_a_fresh_release():
    assert stale_lessons(STEMS) == {}


def test_released_lesson_hides_solutions_and_hidden_tests(tmp_path):
    released = read(generate_into(["01_quickstart"], tmp_path)[0])
    text = "\n".join(cell.source for cell in released.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert 'raise NotAttempted("Exercise 1.1")' in text  # the stub names its exercise (grader.authoring.run_all)
    assert all(not cell.get("outputs") for cell in released.cells if cell.cell_type == "code")
    assert all(nbgrader_meta(cell)["locked"] for cell in graded_tests(released))


def test_an_edited_lesson_is_reported_stale(tmp_path):
    shutil.copy(LESSONS / "01_quickstart.ipynb", tmp_path)
    path = tmp_path / "01_quickstart.ipynb"
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[1].source += "\nA hand edit."
    nbformat.write(notebook, path)
    assert stale_lessons(["01_quickstart"], tmp_path) == {
        "01_quickstart": "lessons/01_quickstart.ipynb is stale (cell 1 differs): run `python -m grader release`"}


def test_a_missing_lesson_is_reported(tmp_path):
    assert "(missing)" in stale_lessons(["01_quickstart"], tmp_path)["01_quickstart"]


def test_a_broken_source_notebook_is_a_clear_error(tmp_path):
    (tmp_path / "01_quickstart.ipynb").write_text('{"cells": [ this is not json')
    with pytest.raises(NotebookError, match="01_quickstart.ipynb: not a readable notebook"):
        generate_into(["01_quickstart"], tmp_path / "out", source_folder=tmp_path)


def test_cli_reports_bad_input_with_exit_code_2(capsys):
    assert main(["release", "nine"]) == 2
    assert "unknown lesson 'nine'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0 and "release" in capsys.readouterr().out


VALIDATED = "06_autograd"
"""`grader check`'s validation is tried on one lesson. That every lesson's tests pass on its solution and
fail on its untouched lesson is proved for all eight by grading them (tests/test_sandboxed_lessons.py)."""


@pytest.mark.slow
@pytest.mark.notebooks
def test_tests_pass_on_the_solution_and_fail_on_the_untouched_lesson():
    solution = check_solution(SOLUTIONS / f"{VALIDATED}.ipynb")
    lesson = check_untouched(LESSONS / f"{VALIDATED}.ipynb")
    assert solution.graded_cells > 0 and solution.ok, solution.problems
    assert lesson.graded_cells == solution.graded_cells and lesson.ok, lesson.problems


@pytest.mark.slow
@pytest.mark.notebooks
def test_validation_can_fail(tmp_path):
    """Swap the roles: the checks must complain about every graded cell."""
    shutil.copy(SOLUTIONS / f"{VALIDATED}.ipynb", tmp_path / "solution.ipynb")
    shutil.copy(LESSONS / f"{VALIDATED}.ipynb", tmp_path / "lesson.ipynb")
    as_untouched = check_untouched(tmp_path / "solution.ipynb")
    as_solution = check_solution(tmp_path / "lesson.ipynb")
    assert len(as_untouched.problems) == as_untouched.graded_cells > 0
    assert len(as_solution.problems) >= as_solution.graded_cells > 0


def test_readme_lists_every_lesson_and_each_notebook_has_its_numbered_title():
    from grader.paths import LESSON_STEMS, REPO

    readme = (REPO / "README.md").read_text()
    assert all(f"| {stem[:2]} | `{stem}` |" in readme for stem in LESSON_STEMS)
    for stem in STEMS:
        first = read(SOLUTIONS / f"{stem}.ipynb").cells[0]
        assert first.cell_type == "markdown" and first.source.startswith(f"# {stem[:2]} · "), (
            f"{stem}: the first cell must be the title '# {stem[:2]} · ...'")


def test_readme_gives_each_lessons_exercises_points_and_knowledge_checks():
    from grader.notebooks import lesson_counts
    from grader.paths import REPO

    readme = (REPO / "README.md").read_text()
    for stem in STEMS:
        counts = lesson_counts(read(SOLUTIONS / f"{stem}.ipynb"))
        row = re.search(rf"^\| {stem[:2]} \| `{stem}` \|.*\| (\d+) \| ([\d.]+) \| (\d+) \|$", readme, re.MULTILINE)
        assert row, f"README's lesson table has no counts for {stem}"
        assert (int(row[1]), float(row[2]), int(row[3])) == (
            counts["exercises"], counts["points"], counts["knowledge_checks"]), f"README's counts for {stem} are stale"


@pytest.mark.parametrize("folder", [SOLUTIONS, LESSONS], ids=["solutions", "lessons"])
def test_no_notebook_ships_saved_widget_state(folder):
    """Saved widget models make a reopened notebook say "Error displaying widget: model not found"."""
    with_state = [path.name for path in sorted(folder.glob("*.ipynb")) if "widgets" in read(path).metadata]
    assert not with_state, (f"{folder.name}/ notebooks with saved widget state: {with_state} "
                            "(run `python -m grader refresh`)")


@pytest.mark.parametrize("stem", STEMS)
def test_each_lesson_ends_with_a_glossary_and_further_reading(stem):
    cells = read(SOLUTIONS / f"{stem}.ipynb").cells
    headings = [cell.source.splitlines()[0] for cell in cells[-2:] if cell.cell_type == "markdown" and cell.source]
    assert headings == ["## Glossary", "## Further reading"], (
        f"{stem}: the last two cells must be '## Glossary' and '## Further reading', found {headings}")
    glossary, reading = cells[-2].source, cells[-1].source
    terms = re.findall(r"^- \*\*[^*]+\*\*: \S.*$", glossary, re.MULTILINE)
    assert len(terms) >= 3, f"{stem}: the glossary has {len(terms)} entries of the form '- **term**: one line.'"
    links = re.findall(r"^- \[[^\]]+\]\((https://docs\.pytorch\.org/[^)\s]+)\)", reading, re.MULTILINE)
    assert links, f"{stem}: further reading links no official documentation page (https://docs.pytorch.org/...)"
