"""The class's course folder: nbgrader's layout plus the gradebook (SQLite by default, or a database URL)."""

import os
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory

from grader.grading.layout import MARKER, stage_sources
from grader.nbgrader_adapter import api_for, load_config, require_success

DB_ENV_VAR = "GRADER_DB_URL"


def default_db_url(course_root: Path) -> str:
    """$GRADER_DB_URL if set, else SQLite in the course folder."""
    return os.environ.get(DB_ENV_VAR) or f"sqlite:///{Path(course_root).resolve() / 'gradebook.db'}"


def class_api(course_root: Path, db_url: str, **overrides: dict) -> NbGraderAPI:
    """nbgrader's API on the class's course folder and gradebook. nbgrader copies every other file of
    a graded folder into the student's feedback; the marker (with the integrity findings) stays out."""
    ignore = [*CourseDirectory.class_traits()["ignore"].default(), MARKER]
    config = load_config(course_root, CourseDirectory={"db_url": db_url, "ignore": ignore}, **overrides)
    return api_for(course_root, config)


def prepare_lessons(course_root: Path, db_url: str, lessons: list[str]) -> NbGraderAPI:
    """Stage the lessons' sources and record their tests in the gradebook (nbgrader generate_assignment)."""
    stage_sources(course_root, lessons)
    api = class_api(course_root, db_url)
    for lesson in lessons:
        require_success(api.generate_assignment(lesson, force=True, create=True), f"generate_assignment {lesson}")
    return api
