"""Differential grading: each graded test's verdict, reached outside every student's kernel.

Each graded test ends with a hidden block that observes what the code produced on inputs drawn from
a seed the batch chose (helpers.observations). The reference solution runs once per lesson and batch,
with that seed, in a sandboxed kernel of its own. Here, in the grader's process, each submission's
observations are compared with the reference's: a test earns its points only when nbgrader scored it
passed in the student's kernel *and* its observations agree. A test that passed in the kernel but
disagrees is tampering: something in that kernel made a wrong answer pass.
"""

import nbformat
from nbformat import NotebookNode

from grader.grading.evaluation import judged
from grader.notebooks import is_graded_test, nbgrader_meta
from grader.safety.integrity import TAMPERING, Finding
from helpers.observations import DEFAULT_ATOL, DEFAULT_RTOL, MIME, difference

REFERENCE = "_reference"  # the student id of a batch's reference runs (in the worker's private course only)


def observations(notebook: NotebookNode) -> dict[str, dict[str, dict]]:
    """The observation reports of each graded test cell, by grade_id then name (the first report of a name)."""
    found: dict[str, dict[str, dict]] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code" or not is_graded_test(cell):
            continue
        reports = found.setdefault(nbgrader_meta(cell)["grade_id"], {})
        for output in cell.get("outputs", []):
            report = output.get("data", {}).get(MIME) if output.output_type == "display_data" else None
            if isinstance(report, dict) and isinstance(report.get("name"), str):
                reports.setdefault(report["name"], report)
    return found


def passed_in_kernel(notebook: NotebookNode) -> dict[str, bool]:
    """Whether each graded test cell ran without an error, which is how nbgrader scores it."""
    return {nbgrader_meta(cell)["grade_id"]: not any(o.output_type == "error" for o in cell.get("outputs", []))
            for cell in notebook.cells if cell.cell_type == "code" and is_graded_test(cell)}


def disagreement(reference: dict[str, dict], found: dict[str, dict]) -> str | None:
    """How the observations of one test differ from the reference's (tolerances as the reference states
    them: the student's kernel cannot loosen them), or None when they agree."""
    for name, expected in reference.items():
        report = found.get(name)
        if not isinstance(report, dict) or "value" not in report:
            return f"no value was observed for {name}"
        rtol, atol = expected.get("rtol", DEFAULT_RTOL), expected.get("atol", DEFAULT_ATOL)
        by_grader, problem = judged(name, report["value"])  # a trained network: measured by the grader
        if not by_grader:
            problem = difference(expected["value"], report["value"], rtol, atol, where=name)
        if problem:
            return problem
    return None


def verdicts(reference: dict[str, dict[str, dict]], student: dict[str, dict[str, dict]],
             autograded: NotebookNode) -> tuple[dict[str, str], list[Finding]]:
    """The tests that fail the comparison (grade_id -> why), and tampering findings for those of them
    that passed in the student's kernel. Tests the reference observed nothing for keep nbgrader's verdict."""
    passed = passed_in_kernel(autograded)
    rejected, findings = {}, []
    for grade_id, expected in reference.items():
        if not expected:
            continue
        problem = disagreement(expected, student.get(grade_id, {}))
        if problem is None:
            continue
        rejected[grade_id] = problem
        if passed.get(grade_id):
            findings.append(Finding(TAMPERING, "results disagree", grade_id,
                                    f"test {grade_id} passed in the student's kernel, but on the grader's inputs "
                                    f"the code's results differ from the reference solution's ({problem})"))
    return rejected, findings


def reference_problem(autograded: bytes | None, error: str | None) -> str | None:
    """Why a reference run cannot serve as the reference (the lesson's solution is broken), or None."""
    if autograded is None:
        return f"the reference solution could not be run: {error}"
    notebook = nbformat.reads(autograded.decode("utf-8"), as_version=4)
    failed = [grade_id for grade_id, ok in passed_in_kernel(notebook).items() if not ok]
    if failed:
        return f"the reference solution failed its own tests {', '.join(failed)}"
    return None
