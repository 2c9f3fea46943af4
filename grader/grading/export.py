"""Export grades from the gradebook: per lesson, per exercise, and a CSV shaped for LMS import."""

import csv
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import MissingEntry

from grader.grading import layout
from grader.grading.costs import CSV_HEADER, cost_cells
from grader.grading.record import read_marker
from grader.nbgrader_adapter import open_gradebook


@dataclass
class ExerciseScore:
    student: str
    lesson: str
    exercise: str
    score: float
    max_score: float


def exercise_scores(db_url: str) -> list[ExerciseScore]:
    """Every student x lesson x graded cell; missing submissions count 0."""
    rows = []
    with open_gradebook(db_url) as gradebook:
        students = sorted(student.id for student in gradebook.students)
        for assignment in sorted(gradebook.assignments, key=lambda a: a.name):
            cells = [(cell.name, cell.max_score) for notebook in assignment.notebooks for cell in notebook.grade_cells]
            for student in students:
                try:
                    submission = gradebook.find_submission_notebook(assignment.name, assignment.name, student)
                    scores = {grade.name: grade.score for grade in submission.grades}
                except MissingEntry:
                    scores = {}
                rows += [ExerciseScore(student, assignment.name, name, float(scores.get(name) or 0.0), float(maximum))
                         for name, maximum in cells]
    return rows


def _lesson_totals(rows: list[ExerciseScore]) -> dict[tuple[str, str], tuple[float, float]]:
    totals: dict[tuple[str, str], tuple[float, float]] = {}
    for row in rows:
        score, maximum = totals.get((row.student, row.lesson), (0.0, 0.0))
        totals[row.student, row.lesson] = (score + row.score, maximum + row.max_score)
    return totals


def _status(course_root: Path, lesson: str, student: str) -> str:
    marker = read_marker(course_root, lesson, student)
    if marker is None:
        return "not graded yet" if layout.notebook(course_root, "submitted", lesson, student).exists() else "missing"
    if marker.get("tampered"):
        return "tampering found: only points verified outside the kernel kept; see integrity.csv and review"
    return f"not gradable: {marker['error']}" if marker.get("error") else "graded"


def _write_integrity(course_root: Path, path: Path) -> None:
    """Every integrity finding of every graded submission, one per row."""
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student_id", "lesson", "severity", "kind", "where", "message"])
        for student, lesson, _ in layout.each(course_root, "autograded", layout.MARKER):
            for finding in (read_marker(course_root, lesson, student) or {}).get("integrity", []):
                writer.writerow([student, lesson, finding["severity"], finding["kind"], finding["where"],
                                 finding["message"]])


def export(course_root: Path, db_url: str, out_folder: Path) -> list[Path]:
    """Write grades_by_lesson.csv, grades_by_exercise.csv, lms_gradebook.csv and integrity.csv; return their paths."""
    rows = exercise_scores(db_url)
    out_folder.mkdir(parents=True, exist_ok=True)
    by_exercise, by_lesson, lms = (out_folder / name for name in
                                   ("grades_by_exercise.csv", "grades_by_lesson.csv", "lms_gradebook.csv"))
    with open(by_exercise, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student_id", "lesson", "exercise", "score", "max_score"])
        writer.writerows([r.student, r.lesson, r.exercise, f"{r.score:g}", f"{r.max_score:g}"] for r in rows)
    totals = _lesson_totals(rows)
    with open(by_lesson, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student_id", "lesson", "score", "max_score", "status", *CSV_HEADER])
        for (student, lesson), (score, maximum) in sorted(totals.items()):
            writer.writerow([student, lesson, f"{score:g}", f"{maximum:g}", _status(course_root, lesson, student),
                             *cost_cells(course_root, lesson, student)])
    lessons = sorted({lesson for _, lesson in totals})
    students = sorted({student for student, _ in totals})
    possible = {lesson: next(m for (s, name), (_, m) in totals.items() if name == lesson) for lesson in lessons}
    with open(lms, "w", newline="") as stream:  # Canvas-style: a "Points Possible" row under the header
        writer = csv.writer(stream)
        writer.writerow(["Student", "SIS User ID"] + [f"{lesson} ({possible[lesson]:g})" for lesson in lessons]
                        + ["Total"])
        writer.writerow(["Points Possible", ""] + [f"{possible[lesson]:g}" for lesson in lessons]
                        + [f"{sum(possible.values()):g}"])
        for student in students:
            scores = [totals[student, lesson][0] for lesson in lessons]
            writer.writerow([student, student] + [f"{score:g}" for score in scores] + [f"{sum(scores):g}"])
    _write_integrity(course_root, out_folder / "integrity.csv")
    return [by_lesson, by_exercise, lms, out_folder / "integrity.csv"]
