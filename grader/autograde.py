"""Grade submissions with nbgrader's own autograde, in a course folder of nbgrader's layout.

The course folder holds ``source/<lesson>/<lesson>.ipynb`` (from solutions/), the gradebook, and
``submitted/<student>/<lesson>/<lesson>.ipynb``; nbgrader writes ``autograded/`` and scores.
"""

from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry

from grader.classroom import prepare_lessons
from grader.course import open_gradebook, require_success


def create_course(course_root: Path, stems: list[str]):
    """A course with the lessons generated into its own SQLite gradebook; return nbgrader's API."""
    return prepare_lessons(course_root, f"sqlite:///{Path(course_root).resolve() / 'gradebook.db'}", stems)


def submit(course_root: Path, stem: str, student: str, notebook) -> Path:
    """Place a student's notebook where nbgrader's autograde looks for it."""
    folder = course_root / "submitted" / student / stem
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.ipynb"
    nbformat.write(notebook, path)
    return path


def autograde(api, stem: str, student: str) -> None:
    """Autograde one submission with nbgrader (creating the student if new)."""
    require_success(api.autograde(stem, student, force=True, create=True), f"autograde {stem} for {student}")


def cell_scores(api, stem: str, student: str) -> dict[str, tuple[float, float]]:
    """{grade_id: (score, max_score)} of one autograded submission, from the gradebook."""
    with open_gradebook(api.coursedir.db_url) as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(stem, stem, student)
        except MissingEntry:
            return {}
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}
