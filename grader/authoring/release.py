"""Release: regenerate ``lessons/`` from ``solutions/`` with nbgrader's generate_assignment."""

from pathlib import Path

from grader.authoring.run_all import prepare_for_learners
from grader.files import write_notebook_atomically
from grader.grading.layout import notebook as course_notebook
from grader.grading.layout import stage_sources
from grader.nbgrader_adapter import api_for, load_config, require_success, temporary_course
from grader.notebooks import read
from grader.paths import LESSONS, SOLUTIONS

GENERATED_NOTE = "Generated from solutions/ by `python -m grader release`; edit solutions/ instead."


def generate_into(stems: list[str], destination: Path, source_folder: Path = SOLUTIONS) -> list[Path]:
    """Generate learner notebooks for ``stems`` into ``destination``; return the files written."""
    for stem in stems:
        read(source_folder / f"{stem}.ipynb")  # a clear error for a broken source, before nbgrader's
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    with temporary_course() as course_root:
        stage_sources(course_root, stems, source_folder)
        config = load_config(course_root)
        api = api_for(course_root, config)
        for stem in stems:
            require_success(api.generate_assignment(stem, force=True, create=True), f"generate_assignment {stem}")
            notebook = read(course_notebook(course_root, "release", stem))
            prepare_for_learners(notebook, read(source_folder / f"{stem}.ipynb"))
            written.append(_write_lesson(notebook, destination / f"{stem}.ipynb"))
    return written


def _write_lesson(notebook, path: Path) -> Path:
    """Write a released notebook with stable, diff-friendly content."""
    notebook.metadata["course"] = {"generated": GENERATED_NOTE}
    notebook.metadata.pop("widgets", None)  # saved widget models: a reopened lesson would show "model not found"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
    return write_notebook_atomically(notebook, path)


def release(stems: list[str]) -> list[Path]:
    """Regenerate ``lessons/<stem>.ipynb`` for each stem."""
    return generate_into(stems, LESSONS)
