"""Class report: per-exercise score distributions and the most common failure messages (PNG + HTML)."""

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

import matplotlib
import nbformat
from matplotlib.figure import Figure

from grader.grading import layout
from grader.grading.export import exercise_scores
from grader.grading.misconceptions import NOT_A_LETTER, NOT_ANSWERED, tally
from grader.notebooks import graded_tests, nbgrader_meta


def failure_messages(course_root: Path) -> dict[tuple[str, str], Counter]:
    """{(lesson, exercise): Counter of 'Error: first line of message'} from the autograded notebooks."""
    found: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for _, lesson, path in layout.each(course_root, "autograded"):
        notebook = nbformat.read(path, as_version=4)
        for cell in graded_tests(notebook):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    first_line = (output.evalue.strip().splitlines() or [""])[0][:160]
                    found[lesson, nbgrader_meta(cell)["grade_id"]][f"{output.ename}: {first_line}"] += 1
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
        left = [a + b for a, b in zip(left, widths)]
    ax.invert_yaxis()
    ax.set_xlabel("students")
    ax.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    return figure


def _misconceptions_table(course_root: Path) -> str:
    """One row per knowledge check: how many learners recorded each option first, with the option's text."""
    rows = []
    for question in tally(course_root):
        answered = sum(question.counts.values())
        options = "".join(
            f"<li>{'&#10004; ' if letter == question.right else ''}<b>{letter})</b> {html.escape(text)}: "
            f"{question.counts[letter]} of {answered}</li>" for letter, text in question.options.items())
        others = "".join(f"<li>{reason}: {question.counts[reason]}</li>"
                         for reason in (NOT_ANSWERED, NOT_A_LETTER) if question.counts[reason])
        rows.append(f"<tr><td>{question.lesson}</td><td>{html.escape(question.question)}</td>"
                    f"<td><ul>{options}{others}</ul></td></tr>")
    if not rows:
        return "<p>No knowledge-check answers were submitted.</p>"
    return ("<p>Knowledge checks carry no points; learners record the option they picked first. "
            "&#10004; marks the right option.</p><table><tr><th>lesson</th><th>question</th>"
            "<th>first picks</th></tr>" + "".join(rows) + "</table>")


def write_report(course_root: Path, db_url: str, out_folder: Path) -> tuple[Path, Path]:
    """Write class_report.png and class_report.html; return their paths."""
    matplotlib.use("Agg")
    rows = exercise_scores(db_url)
    out_folder.mkdir(parents=True, exist_ok=True)
    png = out_folder / "class_report.png"
    figure = _distribution_figure(rows)
    figure.savefig(png, dpi=100)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    failures = failure_messages(course_root)
    by_exercise = defaultdict(list)
    for r in rows:
        by_exercise[r.lesson, r.exercise].append(r)
    table = []
    for (lesson, exercise), scores in sorted(by_exercise.items()):
        maximum = scores[0].max_score
        mean = sum(s.score for s in scores) / len(scores)
        full = sum(s.score >= maximum for s in scores)
        common = "<br>".join(f"{count} &times; {html.escape(message)}"
                             for message, count in failures.get((lesson, exercise), Counter()).most_common(3))
        table.append(f"<tr><td>{lesson}</td><td>{html.escape(exercise)}</td><td>{maximum:g}</td><td>{mean:.2f}</td>"
                     f"<td>{full}/{len(scores)}</td><td>{common or '&mdash;'}</td></tr>")
    students = len({r.student for r in rows})
    page = out_folder / "class_report.html"
    page.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Class report</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:4px 8px;vertical-align:top;text-align:left}</style></head><body>"
        f"<h1>Class report</h1><p>{students} students, {len(by_exercise)} graded cells.</p>"
        f"<img alt='score distribution per exercise' src='data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}'>"
        "<h2>Exercises</h2><table><tr><th>lesson</th><th>exercise</th><th>points</th><th>mean</th>"
        "<th>full marks</th><th>most common failures</th></tr>" + "".join(table) + "</table>"
        "<h2>Misconceptions</h2>" + _misconceptions_table(course_root) + "</body></html>")
    return png, page
