"""Class report: per-exercise score distributions and the most common failure messages (PNG + HTML)."""

import base64
import io
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from grader.files import write_atomically
from grader.grading import layout
from grader.grading.costs import class_total, lesson_costs
from grader.grading.export import exercise_scores
from grader.grading.misconceptions import NOT_A_LETTER, NOT_ANSWERED, read_quietly, tally
from grader.grading.pages import render
from grader.notebooks import graded_tests, nbgrader_meta


def failure_messages(course_root: Path) -> dict[tuple[str, str], Counter]:
    """{(lesson, exercise): Counter of 'Error: first line of message'} from the autograded notebooks."""
    found: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for _, lesson, path in layout.each(course_root, "autograded"):
        notebook = read_quietly(path)
        for cell in graded_tests(notebook):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    first_line = (str(output.get("evalue", ""))[:1000].strip().splitlines() or [""])[0][:160]
                    name = str(output.get("ename"))[:80]
                    found[lesson, nbgrader_meta(cell)["grade_id"]][f"{name}: {first_line}"] += 1
                    break
    return found


def _distribution_figure(rows) -> Figure:
    """One horizontal stacked bar per exercise: share of students with full, partial and no marks."""
    exercises = sorted({(r.lesson, r.exercise) for r in rows})
    full, partial, none = (Counter() for _ in range(3))
    for r in rows:
        key = (r.lesson, r.exercise)
        (full if r.score >= r.max_score else partial if r.score > 0 else none)[key] += 1
    figure = Figure(figsize=(8, 0.35 * len(exercises) + 1.2))
    ax = figure.add_subplot()
    labels = [f"{lesson[:2]} {exercise}" for lesson, exercise in exercises]
    left = [0] * len(exercises)
    for counter, colour, name in ((full, "#2a9d8f", "full marks"), (partial, "#e9c46a", "partial"),
                                  (none, "#e76f51", "no marks")):
        widths = [counter[key] for key in exercises]
        ax.barh(labels, widths, left=left, color=colour, label=name)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.invert_yaxis()
    ax.set_xlabel("students")
    ax.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def _misconceptions(course_root: Path) -> list[dict]:
    """One entry per knowledge check: how many learners recorded each option first, with the option's text."""
    questions = []
    for question in tally(course_root):
        options = [{"letter": letter, "text": text, "right": letter == question.right,
                    "count": question.counts[letter]} for letter, text in question.options.items()]
        others = [(reason, question.counts[reason]) for reason in (NOT_ANSWERED, NOT_A_LETTER)
                  if question.counts[reason]]
        questions.append({"lesson": question.lesson, "question": question.question, "options": options,
                          "others": others, "answered": sum(question.counts.values())})
    return questions


def _exercises(rows, failures: dict[tuple[str, str], Counter]) -> list[dict]:
    """One entry per graded cell: points, mean score, how many had full marks, the three commonest failures."""
    by_exercise = defaultdict(list)
    for r in rows:
        by_exercise[r.lesson, r.exercise].append(r)
    exercises = []
    for (lesson, exercise), scores in sorted(by_exercise.items()):
        maximum = scores[0].max_score
        exercises.append({"lesson": lesson, "exercise": exercise, "points": maximum,
                          "mean": sum(s.score for s in scores) / len(scores),
                          "full": sum(s.score >= maximum for s in scores), "students": len(scores),
                          "failures": failures.get((lesson, exercise), Counter()).most_common(3)})
    return exercises


def write_report(course_root: Path, db_url: str, out_folder: Path) -> tuple[Path, Path]:
    """Write class_report.png and class_report.html; return their paths."""
    matplotlib.use("Agg")
    rows = exercise_scores(db_url)
    buffer = io.BytesIO()
    _distribution_figure(rows).savefig(buffer, format="png", dpi=100)
    png = write_atomically(out_folder / "class_report.png", buffer.getvalue())
    costs = lesson_costs(course_root)
    page = render("class_report.html", students=len({r.student for r in rows}), costs=costs,
                  cost_total=class_total(costs),
                  exercises=_exercises(rows, failure_messages(course_root)),
                  png_base64=base64.b64encode(buffer.getvalue()).decode(), questions=_misconceptions(course_root))
    return png, write_atomically(out_folder / "class_report.html", page)
