"""What grading each submission cost: its kernel's CPU seconds, peak memory and wall time, as recorded with
its grade (the marker, grader.grading.record), per notebook for the CSV export and summed for the class report."""

from dataclasses import dataclass
from pathlib import Path
from statistics import median

from grader.grading import layout
from grader.grading.record import read_marker

COLUMNS = ("cpu_seconds", "peak_memory_mib", "wall_seconds")  # as recorded by grader.safety.launcher
CSV_HEADER = ["kernel_cpu_seconds", "kernel_peak_memory_mib", "kernel_wall_seconds", "kernel_path"]


def cost_cells(course_root: Path, lesson: str, student: str) -> list[str]:
    """The CSV cells of one submission's cost (empty when it was not graded, or graded before costs were kept)."""
    cost = (read_marker(course_root, lesson, student) or {}).get("cost") or {}
    return [f"{cost[key]:g}" if key in cost else "" for key in COLUMNS] + [cost.get("path", "")]


@dataclass
class LessonCost:
    lesson: str
    notebooks: int
    median: dict[str, float]
    maximum: dict[str, float]
    total: dict[str, float]


def lesson_costs(course_root: Path) -> list[LessonCost]:
    """Per lesson: how many graded notebooks have a recorded cost, the median and the largest per notebook,
    and the sum over the class."""
    by_lesson: dict[str, list[dict]] = {}
    for student, lesson, _ in layout.each(course_root, "autograded", layout.MARKER):
        cost = (read_marker(course_root, lesson, student) or {}).get("cost") or {}
        if all(key in cost for key in COLUMNS):
            by_lesson.setdefault(lesson, []).append(cost)
    return [LessonCost(lesson, len(costs), *({key: function([cost[key] for cost in costs]) for key in COLUMNS}
                                             for function in (median, max, sum)))
            for lesson, costs in sorted(by_lesson.items())]


def class_total(lessons: list[LessonCost]) -> dict[str, float]:
    """The whole class: notebooks, CPU seconds and kernel wall seconds summed, the largest peak memory."""
    return {"notebooks": sum(lesson.notebooks for lesson in lessons),
            "cpu_seconds": sum(lesson.total["cpu_seconds"] for lesson in lessons),
            "wall_seconds": sum(lesson.total["wall_seconds"] for lesson in lessons),
            "peak_memory_mib": max((lesson.maximum["peak_memory_mib"] for lesson in lessons), default=0.0)}
