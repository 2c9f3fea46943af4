"""The integrity audit's parts that run without a kernel: the code audit, the probe's rules (wrappers,
swapped code), and the reading of probe reports of any shape."""

import copy
import functools
import json
import types

import nbformat
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.notebooks import graded_tests, read
from grader.paths import LESSONS
from grader.safety import probe as kernel_probe
from grader.safety.integrity import (
    EVIDENCE_CHARS,
    MAX_PROBLEM_CHARS,
    TAMPERING,
    code_findings,
    probe_report_problem,
    runtime_findings,
)

LESSON_DEMO = "from unittest import mock\nwith mock.patch.object(torch, 'load'):\n    pass\n"


def audit(code: str) -> set[str]:
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LESSON_DEMO)])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LESSON_DEMO), nbformat.v4.new_code_cell(code)])
    return {finding.message for finding in code_findings(notebook, release)}


def test_ordinary_pytorch_is_not_suspicious():
    assert audit("model.eval()\npattern = re.compile('x')\nmodel.train()\nresult = torch.allclose(a, b)") == set()


def test_the_lessons_own_demonstrations_are_not_the_students_code():
    assert audit("x = 1") == set()
    assert audit(LESSON_DEMO.replace("'load'", "'save'")) == {"imports unittest, which patches objects (unittest.mock)",
                                                              "mock.patch.object() replaces objects while running"}


def test_the_real_tricks_are_named():
    found = audit("eval('1 + 1')\nimport os\nos._exit(3)\ntorch.allclose = lambda *a, **k: True\n"
                  "class Anything:\n    def __eq__(self, other):\n        return True\n")
    assert found == {"eval(): runs code built at run time", "os._exit(): ends the process (os._exit)",
                     "assigns torch.allclose", "replaces torch.allclose, which the tests rely on",
                     "defines __eq__, which the tests rely on"}


def severities(code: str) -> dict[str, str]:
    release = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LESSON_DEMO)])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    return {finding.message: finding.severity for finding in code_findings(notebook, release)}


def test_setattr_with_a_literal_name_is_read_as_the_assignment_it_is():
    """The v2 probe forgery: the probe's verify and torch.allclose replaced through setattr."""
    found = severities("import sys\n_probe = sys.modules['grader_probe']\nsetattr(_probe, 'verify', print)\n"
                       "setattr(torch, 'allclose', lambda *a, **k: True)\nsetattr(check, '__code__', f.__code__)\n")
    assert found["assigns _probe.verify, a part of the grader's integrity probe"] == TAMPERING
    assert found["replaces torch.allclose, which the tests rely on"] == TAMPERING
    assert found["writes through check.__code__, which only tampering needs"] == TAMPERING


def test_ordinary_attribute_setting_is_no_tampering():
    found = severities("self.verify = True\nsetattr(model, 'weight', w)\ntorch.backends.cudnn.benchmark = True\n"
                       "setattr(torch.backends.cudnn, 'deterministic', True)\n")
    assert TAMPERING not in found.values(), found


def test_torch_wrapping_its_own_function_is_not_tampering(monkeypatch):
    monkeypatch.setitem(kernel_probe._TOOLS, "torch_dir", torch.__file__.rsplit("/", 1)[0] + "/")
    original = torch.manual_seed
    assert kernel_probe._library_wrapper(torch._disable_dynamo(original), original)
    disguised = functools.wraps(original)(lambda *args, **kwargs: None)
    assert not kernel_probe._library_wrapper(disguised, original), "a student's wrapper is not torch's"


def test_a_swapped_code_or_default_is_found_though_the_function_is_the_same_object(monkeypatch):
    checks = types.ModuleType("fake_checks")
    exec("def check(value, expected=1):\n    assert value == expected\n", vars(checks))
    for name, empty in (("_REMEMBERED", []), ("_CODE", {}), ("_MODULES", {}), ("_HELPER_FUNCTIONS", {})):
        monkeypatch.setattr(kernel_probe, name, empty)
    kernel_probe._remember(checks, ["check"])
    assert kernel_probe.problems_in({}) == []
    original = checks.check
    checks.check.__code__ = (lambda value, expected=1: None).__code__
    assert checks.check is original, "the same object: an identity check alone would not see it"
    assert kernel_probe.problems_in({}) == ["the __code__ of fake_checks.check was swapped"]
    checks.check.__code__, checks.check.__defaults__ = kernel_probe._CODE[id(original)][2][0], (2,)
    assert kernel_probe.problems_in({}) == ["the __defaults__ of fake_checks.check was swapped"]


def test_the_probes_own_report_stays_within_what_the_grader_reads():
    found = [f"{'x' * 1000} is an object that claims to equal anything"] + [f"p{i}" for i in range(300)]
    report = {"problems": kernel_probe._bounded(found)}
    assert probe_report_problem(report) is None
    assert report["problems"][-1] == "and 252 more problems"


def test_the_probe_watches_the_observation_helpers_without_claiming_their_names():
    assert "helpers.observations" in kernel_probe.MODULES
    assert "helpers.observations" not in kernel_probe.NAMED_HELPERS, "a student's own `inputs` is no tampering"


@functools.cache
def _lesson() -> nbformat.NotebookNode:
    return read(LESSONS / "02_tensors.ipynb")


def _graded_with(outputs: list) -> nbformat.NotebookNode:
    """Lesson 02 as autograded, its first graded test holding ``outputs``, the others a clean probe report."""
    notebook = copy.deepcopy(_lesson())
    clean = nbformat.v4.new_output("display_data", data={kernel_probe.MIME: {"problems": []}})
    for index, cell in enumerate(graded_tests(notebook)):
        cell.outputs = outputs if index == 0 else [clean]
    return notebook


def _probe_output(report) -> nbformat.NotebookNode:
    return nbformat.NotebookNode(output_type="display_data", data={kernel_probe.MIME: report}, metadata={})


def _nested(depth: int):
    report = {"problems": []}
    for _ in range(depth):
        report = {"problems": [report]}
    return report


def test_malformed_probe_reports_are_forgeries_with_their_evidence_kept():
    for report in ({"problems": [["torch.allclose was replaced"]]}, {"problems": "none"}, [], None, 7,
                   {"problems": ["x" * (MAX_PROBLEM_CHARS + 1)]}, {"problems": ["p"] * 1000},
                   "{" * 100_000, json.dumps({"problems": [[1]]}), "z" * 10**6, _nested(5000)):
        found = runtime_findings(_graded_with([_probe_output(report)]))
        forged = [f for f in found if f.kind == "forged probe report"]
        assert len(forged) == 1 and forged[0].severity == TAMPERING, (str(report)[:80], found)
        assert len(forged[0].message) < EVIDENCE_CHARS + 300, "the evidence is quoted, bounded"
    found = runtime_findings(_graded_with([_probe_output({"problems": [["nested"]]})]))
    assert "[[\"nested\"]]" in found[0].message, "what the report held is kept as evidence"


def test_a_flood_of_probe_reports_is_read_no_further_than_the_bound():
    report = _probe_output({"problems": []})
    found = runtime_findings(_graded_with([report] * 10_000))
    assert [f.kind for f in found] == ["forged probe report"]


def test_well_formed_reports_are_read_as_before():
    found = runtime_findings(_graded_with([_probe_output({"problems": ["torch.allclose was replaced"]}),
                                           _probe_output(json.dumps({"problems": ["torch.allclose was replaced"]}))]))
    assert [(f.kind, f.message) for f in found] == [("tampering", "torch.allclose was replaced")]
    assert runtime_findings(_graded_with([_probe_output({"problems": []})])) == []


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
                    lambda inner: st.lists(inner, max_size=5)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=5),
                    max_leaves=30)


@settings(max_examples=100, deadline=None)
@given(report=JSON | st.fixed_dictionaries({"problems": JSON}), data=JSON)
def test_a_probe_report_or_output_of_any_json_shape_never_crashes_the_reader(report, data):
    outputs = [_probe_output(report), nbformat.NotebookNode(output_type="display_data", data=data, metadata={})]
    for finding in runtime_findings(_graded_with(outputs)):
        assert finding.severity == TAMPERING
