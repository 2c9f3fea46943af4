"""The integrity report of one submission, made outside the student's kernel.

Three sources, each a list of Findings:
- structure: the submission against the released lesson (deleted, duplicated, renamed, reordered or
  edited locked cells, changed cell types). nbgrader (edited locked cells, cell types) and
  grader.safety.repair (deleted tests, duplicated and renamed cells) put these right before running, so
  they never change a score; they are reported as "repaired".
- code: the student's cells read with ``ast`` (never run): patching torch, numpy or our helpers,
  classes that redefine ``==``, process, network and file tricks. Reported as "suspicious".
- runtime: what the kernel probe (grader.safety.probe) reported after each graded test, and graded
  tests that passed without a probe report (the probe was silenced). Reported as "tampering".

- outputs: what the graded notebook shows, scanned for hidden-test lines and the run's seed (a function a
  test calls can print its caller's source): "tampering", and grader.grading.feedback withholds the page.

A fifth source is the comparison with the reference run (grader.grading.differential): a test that
passed in the kernel but whose observed results differ from the reference's is "tampering" too.

Policy (grader.grading.record): a test's points need both nbgrader's pass and the comparison's, so
tampering never earns a point the code did not compute; any "tampering" finding flags the submission
for the instructor's review.
"""

import ast
import json
from dataclasses import asdict, dataclass

import nbformat
from nbformat import NotebookNode

from grader.notebooks import SECRET_BLOCKS, is_graded_test, nbgrader_meta
from grader.safety.probe import MAX_PROBLEM_CHARS, MAX_PROBLEMS
from grader.safety.probe import MIME as PROBE_MIME

TAMPERING, SUSPICIOUS, REPAIRED = "tampering", "suspicious", "repaired"
PROBE_CALL = "__import__('grader_probe').verify(globals())"

PROTECTED_ROOTS = {"torch", "nn", "F", "np", "numpy", "helpers", "builtins", "__builtins__", "math", "checks"}
COMPARISON_NAMES = {"allclose", "isclose", "equal", "assert_close", "assert_allclose", "array_equal",
                    "assert_equal", "assert_type", "assert_shape", "check_choice", "passed", "__eq__", "__ne__"}
RISKY_CALLS = {
    "_exit": "ends the process (os._exit)", "fork": "starts processes (os.fork)", "system": "runs shell commands",
    "popen": "runs shell commands", "exec": "runs code built at run time", "eval": "runs code built at run time",
    "compile": "compiles code at run time", "setattr": "sets attributes by name", "_getframe": "inspects frames",
}
RISKY_MODULES = {"socket": "opens network connections", "urllib": "opens network connections",
                 "requests": "opens network connections", "http": "opens network connections",
                 "subprocess": "runs other programs", "ctypes": "calls C code directly", "gc": "walks all objects",
                 "builtins": "changes Python's built-in functions", "unittest": "patches objects (unittest.mock)"}
BUILTIN_RISKS = {"exec", "eval", "compile", "setattr"}  # risky as the built-in functions only
REFLECTIVE_CALLS = {"globals", "vars", "locals"}
ERROR_DISPLAY = {"set_custom_exc", "showtraceback", "_showtraceback", "showsyntaxerror", "excepthook"}
GRADER_PATHS = ("solutions", "gradebook", ".db", "autograded", "submitted", "source/", "hidden", "/work", "/root")
PROBE_NAMES = {"verify", "problems_in", "_REMEMBERED", "_CODE", "_MODULES", "_HELPER_FUNCTIONS", "_TOOLS"}  # the
# probe's own (grader.safety.probe): only a forgery of the probe assigns them
MAX_PROBE_REPORTS = 8  # per test cell: the probe sends two (at the start and the end of the test)
MAX_PROBE_REPORT_CHARS = 64 * 1024  # a report as JSON text; the probe's own are far smaller
EVIDENCE_CHARS = 300  # how much of a malformed report the finding quotes
SHORTEST_HIDDEN_LINE = 20  # characters: shorter hidden-test lines are ordinary code (as grader.authoring.bundle)
GRADER_MIME_PREFIX = "application/vnd.grader."  # the probe's and the observations' reports: never shown


@dataclass(frozen=True)
class Finding:
    severity: str  # TAMPERING, SUSPICIOUS or REPAIRED
    kind: str
    where: str  # a grade_id or "cell N"
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def with_probe(source: NotebookNode) -> NotebookNode:
    """The lesson's source with the probe call added, hidden, at the start and the end of every graded
    test cell (at the start too, so that a patch undone before the test ends is seen)."""
    block = f"### BEGIN HIDDEN TESTS\n{PROBE_CALL}\n### END HIDDEN TESTS\n"
    for cell in source.cells:
        if cell.cell_type == "code" and is_graded_test(cell):
            cell.source = f"{block}{cell.source.rstrip()}\n{block}"
    return source


def _grade_ids(notebook: NotebookNode) -> list[tuple[str, NotebookNode]]:
    return [(nbgrader_meta(cell)["grade_id"], cell) for cell in notebook.cells if nbgrader_meta(cell).get("grade_id")]


def structure_findings(submission: NotebookNode, release: NotebookNode) -> list[Finding]:
    """How the submission's nbgrader cells differ from the released lesson's."""
    released = dict(_grade_ids(release))
    submitted = _grade_ids(submission)
    found, seen = [], set()
    for grade_id, cell in submitted:
        if grade_id in seen:
            found.append(Finding(REPAIRED, "duplicated cell", grade_id,
                                 f"cell {grade_id} appears more than once; the first copy was graded, "
                                 "the others ran as ordinary cells"))
            continue
        seen.add(grade_id)
        original = released.get(grade_id)
        if original is None:
            found.append(Finding(REPAIRED, "unknown cell", grade_id,
                                 f"cell {grade_id} is not in the lesson (renamed?); it ran as an ordinary cell"))
        elif cell.cell_type != original.cell_type:
            found.append(Finding(REPAIRED, "cell type changed", grade_id,
                                 f"cell {grade_id} was turned from {original.cell_type} into {cell.cell_type}; "
                                 f"it was graded as {original.cell_type}, as in the lesson"))
        elif nbgrader_meta(original).get("locked") and cell.source.strip() != original.source.strip():
            found.append(Finding(REPAIRED, "locked cell edited", grade_id,
                                 f"locked cell {grade_id} was edited; the lesson's version was graded"))
    for grade_id in released:
        if grade_id not in seen:
            restored = is_graded_test(released[grade_id])  # grader.safety.repair puts deleted tests back
            outcome = "the lesson's test was put back and run" if restored else "it was not graded"
            found.append(Finding(REPAIRED if restored else SUSPICIOUS, "cell deleted", grade_id,
                                 f"cell {grade_id} is missing; {outcome}"))
    common = [grade_id for grade_id, _ in submitted if grade_id in released]
    if list(dict.fromkeys(common)) != [grade_id for grade_id in released if grade_id in common]:
        found.append(Finding(REPAIRED, "cells reordered", "notebook", "the lesson's cells are in a different order"))
    ids = [cell.get("id") for cell in submission.cells if cell.get("id")]
    if len(ids) != len(set(ids)):
        found.append(Finding(REPAIRED, "duplicate cell ids", "notebook", "several cells share one id"))
    return found


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif isinstance(node, ast.Subscript):
        parts.append(_dotted(node.value) + "[...]")
    return ".".join(reversed(parts))


def _reflective_write(target: ast.AST) -> str | None:
    """``globals()[...]``, ``vars(x)[...]``, ``x.__dict__[...]`` or a ``__code__`` as an assignment's target."""
    if isinstance(target, ast.Subscript):
        holder = target.value
        if isinstance(holder, ast.Call) and isinstance(holder.func, ast.Name) and holder.func.id in REFLECTIVE_CALLS:
            return f"{holder.func.id}()[...]"
        if isinstance(holder, ast.Attribute) and holder.attr == "__dict__":
            return f"{_dotted(holder)}[...]"
    if isinstance(target, ast.Attribute) and target.attr in ("__code__", "__dict__", "__class__"):
        return _dotted(target)
    return None


def _set_by_name(node: ast.AST) -> ast.Attribute | None:
    """``setattr(x, "name", value)`` with a literal name, as the assignment target ``x.name`` it amounts to."""
    if (isinstance(node, ast.Call) and _dotted(node.func) in ("setattr", "builtins.setattr") and len(node.args) == 3
            and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        return ast.Attribute(value=node.args[0], attr=node.args[1].value, ctx=ast.Store())
    return None


def _code_findings_in(tree: ast.AST, where: str) -> list[Finding]:
    found = []

    def note(kind: str, message: str, severity: str = SUSPICIOUS) -> None:
        finding = Finding(severity, kind, where, message)
        if finding not in found:
            found.append(finding)

    for node in ast.walk(tree):
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif _set_by_name(node) is not None:
            targets = [_set_by_name(node)]
        for target in targets:
            reach = _reflective_write(target)
            if reach:
                note("reflective write", f"writes through {reach}, which only tampering needs", TAMPERING)
            if isinstance(target, ast.Attribute) and target.attr in ERROR_DISPLAY:
                note("replaces error display", f"assigns {_dotted(target)}, which hides failing tests", TAMPERING)
            name = _dotted(target)
            if isinstance(target, ast.Attribute) and target.attr in PROBE_NAMES and name.split(".")[0] != "self":
                note("forges the probe", f"assigns {name}, a part of the grader's integrity probe", TAMPERING)
            if isinstance(target, (ast.Attribute, ast.Subscript)) and name.split(".")[0] in PROTECTED_ROOTS:
                note("patches a library", f"assigns {name}")
                if isinstance(target, ast.Attribute) and target.attr in COMPARISON_NAMES:
                    note("replaces a check", f"replaces {name}, which the tests rely on", TAMPERING)
            elif isinstance(target, ast.Subscript) and name.startswith("sys.modules"):
                note("patches a library", "replaces a module in sys.modules")
            elif isinstance(target, ast.Name) and target.id in COMPARISON_NAMES:
                note("rebinds a check", f"rebinds the name {target.id}")
        if isinstance(node, ast.FunctionDef) and node.name in COMPARISON_NAMES:
            note("redefines equality" if node.name.startswith("__") else "rebinds a check",
                 f"defines {node.name}, which the tests rely on")
        if isinstance(node, ast.Call):
            name = _dotted(node.func).split(".")[-1]
            builtin_only = name in BUILTIN_RISKS and not isinstance(node.func, ast.Name)  # model.eval() is fine
            if name in RISKY_CALLS and not builtin_only:
                note("risky call", f"{_dotted(node.func)}(): {RISKY_CALLS[name]}")
            if name in ERROR_DISPLAY:
                note("replaces error display", f"{_dotted(node.func)}(): hides failing tests", TAMPERING)
            if name == "getattr" and len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant):
                note("reaches into internals", "getattr() with a name computed at run time")
            if name in REFLECTIVE_CALLS and isinstance(node.func, ast.Name):
                note("reaches into internals", f"{name}(): reads a namespace as a dictionary")
            if name == "patch" or _dotted(node.func).endswith("patch.object"):
                note("patches a library", f"{_dotted(node.func)}() replaces objects while running")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for module in modules:
                root = module.split(".")[0]
                if root in RISKY_MODULES:
                    note("risky import", f"imports {module}, which {RISKY_MODULES[root]}")
        if isinstance(node, ast.Attribute) and node.attr in ("__closure__", "__globals__", "__code__", "modules"):
            if node.attr != "modules" or _dotted(node) == "sys.modules":
                note("reaches into internals", f"uses {_dotted(node)}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            hits = [path for path in GRADER_PATHS if path in node.value]
            if hits:
                note("reaches for grader files", f"mentions {node.value[:60]!r}")
    return found


def code_findings(submission: NotebookNode, release: NotebookNode) -> list[Finding]:
    """Suspicious constructs in the code the student wrote: answer cells, added cells and edited lesson
    cells (the lesson's own demonstrations, as released, are not the student's)."""
    found = []
    released_code = {cell.source.strip() for cell in release.cells if cell.cell_type == "code"}
    for index, cell in enumerate(submission.cells):
        meta = nbgrader_meta(cell)
        written_by_student = cell.source.strip() not in released_code
        if cell.cell_type != "code" or meta.get("locked") or meta.get("grade") or not written_by_student:
            continue
        where = meta.get("grade_id") or f"cell {index + 1}"
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue  # IPython magics or plain mistakes: the run shows them
        found += _code_findings_in(tree, where)
    return found


def probe_report_problem(report) -> str | None:
    """What is wrong with the shape of one probe report read from a kernel (a dict holding ``problems``, a
    short list of short strings; JSON text of one), or None; checked before anything else reads it."""
    if isinstance(report, str):
        if len(report) > MAX_PROBE_REPORT_CHARS:
            return f"a report of {len(report)} characters"
        try:
            report = json.loads(report)
        except (ValueError, RecursionError):
            return "a report that is not JSON"
    if not isinstance(report, dict) or not isinstance(report.get("problems"), list):
        return "a report without a list of problems"
    problems = report["problems"]
    if len(problems) > MAX_PROBLEMS:
        return f"a report of {len(problems)} problems"
    if not all(isinstance(problem, str) and len(problem) <= MAX_PROBLEM_CHARS for problem in problems):
        return "problems that are not short sentences"
    return None


def _problems(report) -> list[str]:
    """The problems of a report that passed :func:`probe_report_problem`."""
    return (json.loads(report) if isinstance(report, str) else report)["problems"]


def _evidence(report) -> str:
    """A bounded quotation of a report, whatever it holds."""
    if isinstance(report, str):
        return repr(report[:EVIDENCE_CHARS])
    try:
        text = json.dumps(report, default=repr)
    except (TypeError, ValueError, RecursionError):
        text = f"a {type(report).__name__}"
    return text[:EVIDENCE_CHARS] + ("..." if len(text) > EVIDENCE_CHARS else "")


def runtime_findings(autograded: NotebookNode) -> list[Finding]:
    """What the probe reported in each graded test cell, passed tests it never reported on, and reports no
    probe sends (malformed or too many: the probe was forged). Every report is shape-checked before use."""
    found, reported = [], set()

    def add(finding: Finding) -> None:
        if finding not in found:
            found.append(finding)

    for cell in autograded.cells:
        if cell.cell_type != "code" or not is_graded_test(cell):
            continue
        grade_id = nbgrader_meta(cell)["grade_id"]
        outputs = cell.get("outputs", [])
        failed = any(output.get("output_type") == "error" for output in outputs)
        reports = [output["data"][PROBE_MIME] for output in outputs if _is_probe_report(output)]
        if len(reports) > MAX_PROBE_REPORTS:
            add(Finding(TAMPERING, "forged probe report", grade_id,
                        f"test {grade_id} holds {len(reports)} integrity reports; the probe sends two"))
        for report in reports[:MAX_PROBE_REPORTS]:
            shape = probe_report_problem(report)
            if shape:
                add(Finding(TAMPERING, "forged probe report", grade_id,
                            f"test {grade_id} holds an integrity report the probe never sends ({shape}): "
                            f"{_evidence(report)}"))
                continue
            for problem in _problems(report):
                if problem not in reported:  # name each problem once, at the first test that saw it
                    reported.add(problem)
                    add(Finding(TAMPERING, "tampering", grade_id, problem))
        if not reports and not failed:
            add(Finding(TAMPERING, "probe silenced", grade_id,
                        f"test {grade_id} passed but its integrity check never reported"))
    return found


def _is_probe_report(output: NotebookNode) -> bool:
    data = output.get("data")
    return output.get("output_type") == "display_data" and isinstance(data, dict) and PROBE_MIME in data


def is_tampered(findings: list[Finding]) -> bool:
    return any(finding.severity == TAMPERING for finding in findings)


def _stripped_lines(text: str) -> str:
    """``text`` with every line stripped of indentation, so code is found wherever it is pasted."""
    return "\n".join(line.strip() for line in text.splitlines())


def hidden_test_lines(source: NotebookNode) -> set[str]:
    """The lesson's secrets a learner must never be shown: every hidden-test line long enough to be telling
    and found nowhere in the open part of the lesson, and the probe's call (the markers alone tell nothing)."""
    public, hidden = [], {PROBE_CALL}
    for cell in source.cells:
        public.append(_stripped_lines(SECRET_BLOCKS.sub("", cell.source)))
        for kind, text in SECRET_BLOCKS.findall(cell.source):
            if kind == "HIDDEN TESTS":
                hidden |= {line for line in _stripped_lines(text).splitlines() if len(line) >= SHORTEST_HIDDEN_LINE}
    public_text = "\n".join(public)
    return {line for line in hidden if line not in public_text}


def shown_text(output: NotebookNode) -> str:
    """Everything an output shows on a feedback page, as text: streams, errors (their name and message: the page
    never shows a traceback, which quotes a failing hidden line), and every textual form of its data."""
    parts = [output.get("text"), output.get("ename"), output.get("evalue")]
    data = output.get("data")
    if isinstance(data, dict):
        parts += [value if isinstance(value, str) else json.dumps(value, default=str)
                  for mime, value in data.items() if not str(mime).startswith(GRADER_MIME_PREFIX)]
    return _stripped_lines("\n".join(part if isinstance(part, str) else "" for part in parts))


def leaked_secrets(text: str, secrets: set[str], seed: int | None) -> list[str]:
    """What of the secrets (and the run's seed) ``text`` holds, as descriptions that do not repeat them."""
    shown = sum(secret in text for secret in secrets)
    found = [f"{shown} hidden-test lines"] if shown else []
    if seed is not None and str(seed) in text:
        found.append("the grading run's seed")
    return found


def leak_findings(autograded: NotebookNode, source: bytes | NotebookNode, seed: int | None) -> list[Finding]:
    """Cells whose outputs show hidden-test lines of the lesson (``source``, with its hidden tests) or the run's
    seed: what only a function reading its caller's code or the grader's settings could print."""
    if isinstance(source, bytes):
        source = nbformat.reads(source.decode("utf-8"), as_version=4)
    secrets = hidden_test_lines(source)
    found = []
    for index, cell in enumerate(autograded.cells):
        text = "\n".join(shown_text(output) for output in cell.get("outputs", []))
        leaked = leaked_secrets(text, secrets, seed)
        if leaked:
            where = nbgrader_meta(cell).get("grade_id") or f"cell {index + 1}"
            found.append(Finding(TAMPERING, "hidden tests shown", where,
                                 f"the outputs of {where} show {' and '.join(leaked)}, which only reading the "
                                 "grader's code or settings can print; its feedback is withheld"))
    return found
