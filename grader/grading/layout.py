"""The course folder's layout, nbgrader's own: every path of a step, a lesson and a student comes from here.

nbgrader's ``CourseDirectory.format_path`` owns the pattern (``{nbgrader_step}/{student_id}/{assignment_id}``);
each lesson is one assignment holding one notebook of the same name. Steps without a student (``source``,
``release``) use nbgrader's ".".
"""

import shutil
from pathlib import Path

from nbgrader.coursedir import CourseDirectory

from grader.paths import LESSON_STEMS, SOLUTIONS

MARKER = "grader-result.json"  # written last for each graded submission: see grader.grading.record
NO_STUDENT = "."


def folder(course_root: Path, step: str, lesson: str, student: str = NO_STUDENT) -> Path:
    """``<course>/<step>/<student>/<lesson>``, as nbgrader lays it out."""
    return Path(CourseDirectory(root=str(Path(course_root))).format_path(step, student, lesson))


def notebook(course_root: Path, step: str, lesson: str, student: str = NO_STUDENT) -> Path:
    return folder(course_root, step, lesson, student) / f"{lesson}.ipynb"


def marker(course_root: Path, lesson: str, student: str) -> Path:
    return folder(course_root, "autograded", lesson, student) / MARKER


def feedback_page(course_root: Path, lesson: str, student: str) -> Path:
    return folder(course_root, "feedback", lesson, student) / f"{lesson}.html"


def each(course_root: Path, step: str, file_name: str = "{lesson}.ipynb") -> list[tuple[str, str, Path]]:
    """(student, lesson, path) of every course lesson's file of ``step``, sorted by path."""
    found = []
    step_root = folder(course_root, step, NO_STUDENT, NO_STUDENT)  # <course>/<step>
    for path in sorted(step_root.glob("*/*/" + file_name.format(lesson="*"))):
        lesson, student = path.parent.name, path.parent.parent.name
        if lesson in LESSON_STEMS and path.name == file_name.format(lesson=lesson):
            found.append((student, lesson, path))
    return found


def stage_sources(course_root: Path, stems: list[str], source_folder: Path = SOLUTIONS) -> None:
    """Copy each lesson where nbgrader's generate_assignment reads it: ``source/<stem>/<stem>.ipynb``."""
    for stem in stems:
        target = notebook(course_root, "source", stem)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source_folder / f"{stem}.ipynb", target)
