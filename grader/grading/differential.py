"""Differential grading: each graded test's verdict, reached outside every student's kernel.

Each graded test ends with a hidden block that observes what the code produced on inputs drawn from
a seed the batch chose (helpers.observations). The reference solution runs once per lesson and batch,
with that seed, in a sandboxed kernel of its own. Here, in the grader's process, each submission's
observations are compared with the reference's: a test earns its points only when nbgrader scored it
passed in the student's kernel *and* its observations agree. A test that passed in the kernel but
disagrees is tampering: something in that kernel made a wrong answer pass.
"""

import re
import secrets

import nbformat
from nbformat import NotebookNode

from grader.grading.evaluation import judged
from grader.notebooks import is_graded_test, nbgrader_meta
from grader.safety.integrity import TAMPERING, Finding
from helpers.observations import DEFAULT_ATOL, DEFAULT_RTOL, HEADING, MIME, difference, report_problem

REFERENCE = "_reference"  # the student id of a batch's reference runs (in the worker's private course only)
REFUSED = "\x00refused"  # in place of a test's reports when they are not one genuine report per name
BEGIN = '__import__("helpers.observations").observations.begin("{nonce}")  # added by the grader for this run'
NONCE = re.compile(r'observations\.begin\("([0-9a-f]{32})"\)')
MAX_PROBLEMS = 3  # named per test


def with_nonces(source: bytes) -> bytes:
    """The lesson's source notebook with a fresh nonce opening each observation block (helpers.observations.begin).

    The nonce is only in the hidden block's source, which no student code sees before the test cell runs."""
    notebook = nbformat.reads(source.decode("utf-8"), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and is_graded_test(cell) and HEADING in cell.source:
            cell.source = "\n".join(line + "\n" + BEGIN.format(nonce=secrets.token_hex(16))
                                    if line.startswith(HEADING) else line for line in cell.source.split("\n"))
    return nbformat.writes(notebook).encode("utf-8")


def _reports_of(cell: NotebookNode) -> dict[str, dict]:
    """One test cell's reports by name; or {REFUSED: why} when its outputs hold anything but exactly one
    well-formed report per name, shown by the cell's own observation block (carrying its nonce)."""
    nonces = set(NONCE.findall(cell.source))
    reports, problems = {}, []
    for output in cell.get("outputs", []):
        data = output.get("data")
        if not isinstance(data, dict) or MIME not in data:
            continue
        report = data[MIME]
        problem = report_problem(report)
        if problem is None and output.output_type != "display_data":
            problem = f"a report of {report['name']!r} shown as a cell's result, not displayed by observe"
        if problem is None and nonces and report.get("nonce") not in nonces:
            problem = f"a report of {report['name']!r} shown outside the test's observation block (no nonce of its own)"
        if problem is None and report["name"] in reports:
            problem = f"a second report of {report['name']!r} (exactly one is shown by the observation block)"
        if problem:
            problems.append(problem)
        else:
            reports[report["name"]] = report
    if problems:
        more = f" and {len(problems) - MAX_PROBLEMS} more" if len(problems) > MAX_PROBLEMS else ""
        return {REFUSED: {"refused": "; ".join(problems[:MAX_PROBLEMS]) + more}}
    return reports


def observations(notebook: NotebookNode) -> dict[str, dict[str, dict]]:
    """The observation reports of each graded test cell, by grade_id then name (see _reports_of)."""
    return {nbgrader_meta(cell)["grade_id"]: _reports_of(cell) for cell in notebook.cells
            if cell.cell_type == "code" and is_graded_test(cell)}


def refused(observed: dict[str, dict[str, dict]]) -> dict[str, str]:
    """The tests whose reports were refused (grade_id -> why)."""
    return {grade_id: reports[REFUSED]["refused"] for grade_id, reports in observed.items()
            if isinstance(reports, dict) and isinstance(reports.get(REFUSED), dict)}


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
    that passed in the student's kernel, and for every test whose reports were refused (a second report
    of a name, one without its block's nonce, one no report of observe could be). Tests the reference
    observed nothing for keep nbgrader's verdict."""
    passed = passed_in_kernel(autograded)
    rejected, findings = {}, []
    for grade_id, why in refused(student).items():
        rejected[grade_id] = f"its reports to the grader were refused: {why}"
        findings.append(Finding(TAMPERING, "forged report", grade_id,
                                f"test {grade_id}: reports no observation block shows: {why}"))
    for grade_id, expected in reference.items():
        if grade_id in rejected:
            continue
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
