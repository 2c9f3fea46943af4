"""The trusted writer: the only code that writes grading results into the class gradebook.

Student code runs elsewhere (grader.grading.runner); here we only read the autograded notebook it
returned and store the scores with nbgrader's own SaveAutoGrades, then 0 for every test that failed the
comparison with the reference run (grader.grading.differential), and zeros throughout when there is no
notebook. A submission with tampering findings keeps only the points verified outside its kernel and is
flagged for the instructor's review (needs_manual_grade); the integrity report goes in the marker.

Each submission's results are written in this order: autograded notebook, gradebook rows, then a
small marker file naming the submission's digest. A run killed at any point leaves either a complete
record or none (the marker is written last, atomically), so a re-run redoes exactly the unfinished
work and duplicates nothing.
"""

import json
import time
from pathlib import Path

import nbformat
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import SaveAutoGrades

from grader.files import write_atomically
from grader.grading import layout
from grader.grading.jobs import GradingResult
from grader.nbgrader_adapter import open_gradebook


def read_marker(course_root: Path, lesson: str, student: str) -> dict | None:
    path = layout.marker(course_root, lesson, student)
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def is_recorded(course_root: Path, db_url: str, lesson: str, student: str, digest: str) -> bool:
    """True when this exact submission's results are complete in the gradebook."""
    marker = read_marker(course_root, lesson, student)
    if not marker or marker.get("submission_sha256") != digest:
        return False
    with open_gradebook(db_url) as gradebook:
        try:
            notebook = gradebook.find_submission_notebook(lesson, lesson, student)
        except MissingEntry:
            return False
        return all(grade.auto_score is not None for grade in notebook.grades)


def record(course_root: Path, db_url: str, result: GradingResult, digest: str) -> None:
    """Store one grading result: autograded notebook, gradebook scores, then the completion marker."""
    notebook_path = layout.notebook(course_root, "autograded", result.lesson, result.student)
    with open_gradebook(db_url) as gradebook:
        gradebook.update_or_create_student(result.student)
        gradebook.update_or_create_submission(result.lesson, result.student)
    if result.autograded is not None:
        write_atomically(notebook_path, result.autograded)
        notebook = nbformat.reads(result.autograded.decode("utf-8"), as_version=4)
        resources = {"nbgrader": {"notebook": result.lesson, "assignment": result.lesson,
                                  "student": result.student, "db_url": db_url}}
        SaveAutoGrades().preprocess(notebook, resources)
    else:
        notebook_path.unlink(missing_ok=True)
    if result.autograded is None or result.rejected or result.tampered:
        with open_gradebook(db_url) as gradebook:
            submission = gradebook.find_submission_notebook(result.lesson, result.lesson, result.student)
            for grade in submission.grades:
                if result.autograded is None or grade.name in result.rejected:
                    grade.auto_score = 0
                grade.needs_manual_grade = grade.needs_manual_grade or result.tampered  # flagged for review
            gradebook.db.commit()
    marker = {"submission_sha256": digest, "error": result.error, "timings": result.timings,
              "tampered": result.tampered, "integrity": result.integrity, "rejected": result.rejected,
              "cost": result.cost, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    write_atomically(layout.marker(course_root, result.lesson, result.student), json.dumps(marker, indent=1))
