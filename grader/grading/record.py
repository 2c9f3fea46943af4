"""The trusted writer: the only code that writes grading results into the class gradebook.

Student code runs elsewhere (grader.grading.runner); here we only read the autograded notebook it
returned and store one decision per test: nbgrader's own verdict (``nbgrader.utils.determine_grade``,
as its SaveAutoGrades reaches it), 0 for every test that failed the comparison with the reference run
(grader.grading.differential), and zeros throughout when there is no notebook. A submission with
tampering findings keeps only the points verified outside its kernel and is flagged for the
instructor's review (needs_manual_grade); the integrity report goes in the marker.

Each submission's results are written in this order: the old marker removed, the gradebook's rows in one
transaction (every score of the submission, the rejections already applied: one commit), the autograded
notebook, then a small marker file naming the submission's digest, written atomically. A run killed at
any point leaves the gradebook with the old scores or the new ones, never a mix, and no marker unless
the record is complete, so a re-run redoes exactly the unfinished work and duplicates nothing.
"""

import json
import time
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader import utils as nbgrader_utils
from nbgrader.api import Gradebook, MissingEntry

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


def _auto_score(cell: NotebookNode | None, rejected: bool) -> float | None:
    """The test's score: nbgrader's verdict on the cell (None for a task, graded by hand), 0 when the comparison
    rejected it or the cell is missing."""
    if cell is None or rejected:
        return 0
    return nbgrader_utils.determine_grade(cell)[0] if nbgrader_utils.is_grade(cell) else None


def _store_scores(gradebook: Gradebook, result: GradingResult, notebook: NotebookNode | None) -> None:
    """Every grade and comment of the submission set in the session, committed once (one transaction)."""
    cells = {cell.metadata.nbgrader["grade_id"]: cell for cell in (notebook.cells if notebook else [])
             if nbgrader_utils.is_grade(cell) or nbgrader_utils.is_solution(cell) or nbgrader_utils.is_task(cell)}
    submission = gradebook.find_submission_notebook(result.lesson, result.lesson, result.student)
    for grade in submission.grades:
        cell = cells.get(grade.name)
        grade.auto_score = _auto_score(cell, grade.name in result.rejected)
        grade.needs_manual_grade = (grade.manual_score is not None or grade.auto_score is None
                                    or result.tampered)  # tampering: flagged for review
    for comment in submission.comments:  # as nbgrader's SaveAutoGrades: "No response." for an untouched answer
        cell = cells.get(comment.name)
        untouched = (cell is not None and not nbgrader_utils.is_task(cell)
                     and cell.metadata.nbgrader.get("checksum") == nbgrader_utils.compute_checksum(cell))
        comment.auto_comment = "No response." if untouched else None
    gradebook.db.commit()


def record(course_root: Path, db_url: str, result: GradingResult, digest: str) -> None:
    """Store one grading result: old marker removed, gradebook scores (one commit), autograded notebook, marker."""
    marker_path = layout.marker(course_root, result.lesson, result.student)
    marker_path.unlink(missing_ok=True)  # from here until the new marker exists, the submission is not recorded
    notebook_path = layout.notebook(course_root, "autograded", result.lesson, result.student)
    notebook = None
    if result.autograded is not None:
        notebook = nbformat.reads(result.autograded.decode("utf-8"), as_version=4)
    with open_gradebook(db_url) as gradebook:
        gradebook.update_or_create_student(result.student)
        gradebook.update_or_create_submission(result.lesson, result.student)
        _store_scores(gradebook, result, notebook)
    if result.autograded is not None:
        write_atomically(notebook_path, result.autograded)
    else:
        notebook_path.unlink(missing_ok=True)
    marker = {"submission_sha256": digest, "error": result.error, "timings": result.timings,
              "tampered": result.tampered, "integrity": result.integrity, "rejected": result.rejected,
              "cost": result.cost, "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    write_atomically(marker_path, json.dumps(marker, indent=1))


def flag_for_review(course_root: Path, db_url: str, lesson: str, student: str, finding: dict) -> None:
    """Add a tampering finding to a recorded submission and flag it for the instructor's review: the
    gradebook first (one commit), then the marker, rewritten atomically (a repeat adds nothing)."""
    marker = read_marker(course_root, lesson, student)
    with open_gradebook(db_url) as gradebook:
        for grade in gradebook.find_submission_notebook(lesson, lesson, student).grades:
            grade.needs_manual_grade = True
        gradebook.db.commit()
    if finding not in marker["integrity"]:
        marker["integrity"].append(finding)
    marker["tampered"] = True
    write_atomically(layout.marker(course_root, lesson, student), json.dumps(marker, indent=1))
