"""Differential grading's parts, without a kernel: the observation format (helpers/observations.py),
the verdict per test (grader/grading/differential.py) and saved files read outside the kernel
(grader/safety/artifacts.py)."""

import base64
import io
import json
import os

import pytest
import torch
from nbformat import v4

from grader.grading.differential import disagreement, observations, reference_problem, verdicts
from grader.safety.artifacts import read_files
from helpers.observations import MIME, SEED_VARIABLE, difference, encode, inputs


def _json(value):
    return json.loads(json.dumps(encode(value)))


def test_the_format_keeps_what_tests_check_and_survives_json():
    value = {"shape": (2, 3), "dtype": torch.float32, "device": "cpu", "values": torch.tensor([[1.5, float("nan")]]),
             "flags": torch.tensor([True, False]), "count": 3, "nothing": None}
    assert difference(_json(value), _json(value)) is None
    assert difference(_json((2, 3)), _json([2, 3])) == "the value: expected a tuple, found [2, 3]"
    assert "expected dtype float32" in difference(_json(torch.float32), _json(torch.float64))
    assert "expected 'torch.float32'" in difference(_json("torch.float32"), _json(torch.float32))
    assert "expected the number 3, found 3.0" in difference(_json(3), _json(3.0))
    assert difference(_json({"a": 1, "b": 2}), _json({"b": 2, "a": 1})) is None, "dicts compare by key"
    assert "expected the keys" in difference(_json({"a": 1, "b": 2}), _json({"a": 1, "c": 2}))
    assert "['b']: expected 2, found 3" in difference(_json({"a": 1, "b": 2}), _json({"b": 3, "a": 1}))
    assert "value 1 of the tensor" in difference(_json(torch.tensor([True, False])), _json(torch.tensor([True, True])))
    with pytest.raises(TypeError, match="cannot observe a Linear"):
        encode(torch.nn.Linear(2, 2))


def test_floats_compare_within_the_reference_tolerance():
    expected = _json(torch.tensor([1.0, 100.0]))
    assert difference(expected, _json(torch.tensor([1.00001, 100.001]))) is None
    assert "value 0 of the tensor" in difference(expected, _json(torch.tensor([1.01, 100.0])))
    assert difference(expected, _json(torch.tensor([1.01, 100.0])), rtol=0.1) is None
    assert "expected a tensor of shape [2]" in difference(expected, _json(torch.tensor([1.0, 100.0, 3.0])))


@pytest.mark.parametrize("forged", ["garbage", None, 7, [1, 2], {"tensor": "x"}, {"tensor": {"dtype": "float32"}},
                                    {"tensor": {"dtype": "float32", "shape": [2], "values": ["a", {}]}},
                                    {"dict": [[1]]}, {"tuple": "ab"}, {"float": "nan"}, {"unknown": 1}])
def test_a_forged_report_is_a_difference_and_never_an_error(forged):
    assert difference(_json({"t": torch.tensor([1.0, 2.0])}), forged) is not None
    assert difference(_json(torch.tensor([1.0, 2.0])), forged) is not None


def test_inputs_follow_the_graders_seed(monkeypatch):
    monkeypatch.setitem(os.environ, SEED_VARIABLE, "11")
    first = torch.rand(3, generator=inputs(0))
    assert torch.equal(first, torch.rand(3, generator=inputs(0)))
    assert not torch.equal(first, torch.rand(3, generator=inputs(1)))
    monkeypatch.setitem(os.environ, SEED_VARIABLE, "12")
    assert not torch.equal(first, torch.rand(3, generator=inputs(0)))


def _test_cell(grade_id: str, reports: dict, error: bool = False):
    cell = v4.new_code_cell("...", metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": grade_id,
                                                          "points": 1}})
    cell.outputs = [v4.new_output("display_data", data={MIME: {"name": name, "value": encode(value),
                                                               "rtol": 1e-4, "atol": 1e-6}})
                    for name, value in reports.items()]
    if error:
        cell.outputs.append(v4.new_output("error", ename="CheckFailed", evalue="wrong", traceback=[]))
    return cell


def test_a_test_earns_nothing_unless_its_observations_agree_and_a_disagreeing_pass_is_tampering():
    reference = observations(v4.new_notebook(cells=[_test_cell("a", {"x": 1.0}), _test_cell("b", {"y": (1, 2)}),
                                                   _test_cell("c", {"z": "ok"}), _test_cell("d", {})]))
    student = v4.new_notebook(cells=[
        _test_cell("a", {"x": 1.0}),              # right: agrees
        _test_cell("b", {"y": (1, 3)}),           # passed in its kernel, but its value is wrong: forged
        _test_cell("c", {}, error=True),          # failed honestly, observed nothing
        _test_cell("d", {"w": 5})])               # the reference observed nothing here: nbgrader's verdict stands
    rejected, findings = verdicts(reference, observations(student), student)
    assert set(rejected) == {"b", "c"}
    assert [(f.where, f.kind, f.severity) for f in findings] == [("b", "results disagree", "tampering")]
    assert "y[1]: expected 2, found 3" in rejected["b"] and "no value was observed for z" in rejected["c"]
    assert disagreement(reference["a"], {"x": {"value": "not a dict entry"}}) is not None


def test_a_reference_that_fails_its_own_tests_is_refused():
    passing = v4.new_notebook(cells=[_test_cell("a", {"x": 1})])
    failing = v4.new_notebook(cells=[_test_cell("a", {"x": 1}, error=True)])
    assert reference_problem(v4.writes(passing).encode(), None) is None
    assert "failed its own tests a" in reference_problem(v4.writes(failing).encode(), None)
    assert "could not be run: boom" in reference_problem(None, "boom")


class Exploit:
    """Unpickling this would run a command: a file that is not plain tensors."""

    def __reduce__(self):
        return (os.system, ("touch /tmp/grader-artifact-exploit",))


def _saved(value) -> str:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return base64.b64encode(buffer.getvalue()).decode()


def test_saved_files_are_read_by_the_grader_in_a_separate_process_with_weights_only():
    if os.path.exists("/tmp/grader-artifact-exploit"):
        os.remove("/tmp/grader-artifact-exploit")
    state = {"weight": torch.tensor([[1.0, 2.0]]), "bias": torch.tensor([0.5])}
    observed = {"t": {"weights": {"name": "weights", "value": {"file": _saved(state)}},
                      "exploit": {"name": "exploit", "value": {"file": _saved(Exploit())}},
                      "junk": {"name": "junk", "value": {"file": "not base64 at all!"}},
                      "plain": {"name": "plain", "value": 3}}}
    read = read_files(observed)["t"]
    assert difference({"file holds": encode(state)}, read["weights"]["value"]) is None
    assert read["exploit"]["value"] == {"file holds": {"unreadable": "UnpicklingError"}}
    assert read["junk"]["value"] == {"file holds": {"unreadable": "Error"}}
    assert read["plain"]["value"] == 3
    assert not os.path.exists("/tmp/grader-artifact-exploit"), "loading the file ran its code"


# --- What a kernel sends is bounded and checked before the grader uses it ---------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from grader.grading import batch  # noqa: E402
from grader.grading.differential import BEGIN, REFUSED, refused, with_nonces  # noqa: E402
from grader.grading.jobs import GradingResult  # noqa: E402
from grader.notebooks import nbgrader_meta  # noqa: E402
from grader.paths import SOLUTIONS  # noqa: E402
from helpers import observations as observation_format  # noqa: E402
from helpers.observations import HEADING, MAX_DEPTH, report_problem  # noqa: E402

ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=10**399, max_value=10**401)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8)
    | st.sampled_from([{"float": "nan"}, {"float": "inf"}, {"float": [1]}, {"tensor": {}}, {"dict": [[1]]}]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["tensor", "array", "tuple", "dict", "dtype", "device", "file holds", "float", "values",
                         "shape", "x"]), children, max_size=3),
    max_leaves=20)
FORMAT_VALUES = st.sampled_from([_json(value) for value in (
    1.0, 3, float("nan"), True, "cpu", None, (2, 3), [1, 2.5], {"a": 1, "b": (1.0,)}, torch.float32,
    torch.tensor([[1.0, float("inf")], [2.0, 3.0]]), torch.tensor([1, 2]), torch.tensor([True]))])


@settings(max_examples=600, deadline=None)
@given(expected=ANY_JSON | FORMAT_VALUES, found=ANY_JSON | FORMAT_VALUES,
       rtol=st.floats(allow_nan=True) | st.integers(min_value=-10**400, max_value=10**400), atol=st.floats())
def test_difference_never_raises_whatever_either_report_holds(expected, found, rtol, atol):
    result = difference(expected, found, rtol, atol)
    assert result is None or isinstance(result, str)
    assert difference(expected, expected) is None or isinstance(difference(expected, expected), str)


def test_a_400_digit_integer_where_a_float_is_expected_is_a_difference_not_an_overflow():
    assert "not in the observation format" in difference(1.5, 10**400)
    assert "not in the observation format" in difference(_json(torch.tensor([1.0])),
                                                         {"tensor": {"dtype": "float32", "shape": [1],
                                                                     "values": [-(10**400)]}})
    assert "expected 1.5, found 18446744073709551616" in difference(1.5, 2**64)
    assert difference(float("inf"), 2**64) is not None and difference(2**64, 2**64) is None


def test_nesting_deeper_than_a_report_may_is_a_difference_not_a_recursion_error():
    deep = current = []
    for _ in range(100_000):
        current.append([])
        current = current[0]
    assert f"nested more than {MAX_DEPTH} levels" in difference([[]], deep)
    assert "the reference's report is not in the observation format" in difference(deep, [[]])
    with pytest.raises(TypeError, match="nested more than"):
        encode(deep)


def test_observe_refuses_values_past_the_reports_bounds_in_the_kernel():
    with pytest.raises(TypeError, match="more than the 2\\*\\*64 allowed"):
        encode({"shape": (10**400,)})
    assert encode(2**64) == 2**64 and report_problem({"name": "n", "value": encode(2**64)}) is None


@pytest.mark.parametrize("report, says", [
    ("a string", "not a dict"), ({"name": "x"}, "not a dict"), ({"name": "x", "value": 1, "extra": 2}, "not a dict"),
    ({"name": 3, "value": 1}, "name is not a string"), ({"name": "x" * 201, "value": 1}, "name is not a string"),
    ({"name": "x", "value": 1, "rtol": "loose"}, "rtol is not a number"),
    ({"name": "x", "value": 1, "atol": 10**400}, "atol is not a number"),
    ({"name": "x", "value": 1, "nonce": 5}, "nonce is not a string"),
    ({"name": "x", "value": [10**400]}, "larger than 2**64"),
    ({"name": "x", "value": {"dict": {1: 2}}}, "keys are not all strings"),
    ({"name": "x", "value": "y" * (13 * 2**20)}, "larger than"),
    ({"name": "x", "value": object()}, "JSON does not")])
def test_a_report_observe_could_not_have_shown_is_named(report, says):
    assert says in report_problem(report)


def _graded(grade_id: str, source: str, outputs: list):
    cell = v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": grade_id,
                                                           "points": 1}})
    cell.outputs = outputs
    return cell


def _report(name, value, nonce=None, kind="display_data"):
    report = {"name": name, "value": encode(value), "rtol": 1e-4, "atol": 1e-6, "nonce": nonce}
    if kind == "execute_result":
        return v4.new_output(kind, data={MIME: report}, execution_count=1)
    return v4.new_output(kind, data={MIME: report})


def _shown(report):
    return v4.new_output("display_data", data={MIME: report})


NONCE = "0123456789abcdef" * 2
BLOCK = f"check(1)\n{HEADING}: x\n{BEGIN.format(nonce=NONCE)}\nobserve('x', f(1))\n"


def test_exactly_one_report_per_name_from_the_tests_own_block_is_kept_anything_else_is_refused():
    cells = [_graded("own", BLOCK, [_report("x", 1.0, NONCE), _report("y", 2, NONCE)]),
             _graded("early", BLOCK, [_report("x", 1.0), _report("x", 2.0, NONCE)]),
             _graded("twice", BLOCK, [_report("x", 2.0, NONCE), _report("x", 1.0, NONCE)]),
             _graded("result", BLOCK, [_report("x", 1.0, NONCE, "execute_result")]),
             _graded("huge", BLOCK, [_shown({"name": "x", "value": 10**400, "nonce": NONCE})]),
             _graded("unnonced", "check(1)\n", [_report("x", 1.0)])]  # a test run without the grader's nonces
    found = observations(v4.new_notebook(cells=cells))
    assert found["own"] == {"x": cells[0].outputs[0].data[MIME], "y": cells[0].outputs[1].data[MIME]}
    assert found["unnonced"]["x"]["value"] == 1.0
    why = refused(found)
    assert set(why) == {"early", "twice", "result", "huge"}
    assert "outside the test's observation block" in why["early"]
    assert "a second report of 'x'" in why["twice"]
    assert "shown as a cell's result" in why["result"]
    assert "larger than 2**64" in why["huge"]


def test_a_refused_test_earns_nothing_and_is_tampering_even_if_it_failed_in_its_kernel():
    reference = {"t": {"x": {"name": "x", "value": 1.0}}, "u": {"y": {"name": "y", "value": 2}}}
    student = {"t": {REFUSED: {"refused": "a second report of 'x'"}}, "u": {"y": {"name": "y", "value": 2}}}
    autograded = v4.new_notebook(cells=[_graded("t", "", [v4.new_output("error", ename="E", evalue="",
                                                                        traceback=[])]), _graded("u", "", [])])
    rejected, findings = verdicts(reference, student, autograded)
    assert list(rejected) == ["t"] and "a second report of 'x'" in rejected["t"]
    assert [(f.where, f.kind, f.severity) for f in findings] == [("t", "forged report", "tampering")]


def test_each_observation_block_of_a_lesson_gets_a_fresh_nonce_and_still_observes_after_it():
    source = (SOLUTIONS / "02_tensors.ipynb").read_bytes()
    first, second = (v4.reads(with_nonces(source).decode()) for _ in range(2))
    blocks = {nbgrader_meta(cell)["grade_id"]: cell.source for cell in first.cells if HEADING in cell.source}
    nonces = [observation_format_nonce(text) for text in blocks.values()]
    assert len(blocks) == 5 and len(set(nonces)) == 5
    assert nonces != [observation_format_nonce(cell.source) for cell in second.cells if HEADING in cell.source]
    for text in blocks.values():
        heading = text.index(HEADING)
        assert text.index("observations.begin(") > heading and text.index("observe(") > text.index("begin(")
    observation_format.begin(nonces[0])
    try:
        assert observation_format._block["nonce"] == nonces[0]
    finally:
        observation_format.begin(None)


def observation_format_nonce(source: str) -> str:
    from grader.grading.differential import NONCE as PATTERN

    return PATTERN.findall(source)[0]


def test_judging_a_result_that_holds_a_huge_integer_flags_that_test_and_keeps_the_batch_going(monkeypatch):
    reference = {"t": {"x": {"name": "x", "value": 1.5}}}
    references = batch.References({})
    references.read["02_tensors"] = (reference, None)
    notebook = v4.new_notebook(cells=[_graded("t", BLOCK, [_shown({"name": "x", "value": 10**400, "nonce": NONCE})])])
    result = GradingResult("02_tensors", "mallory", v4.writes(notebook).encode(), None,
                           observations=observations(notebook))
    judged = batch.judge(result, references)
    assert judged.rejected["t"].startswith("its reports to the grader were refused") and judged.tampered


class _Done:
    def __init__(self, result):
        self.value = result

    def result(self):
        return self.value


def test_one_notebook_whose_judging_fails_is_recorded_as_ungradable_and_the_batch_goes_on(monkeypatch):
    recorded = []
    monkeypatch.setattr(batch, "record", lambda course, db, result, digest: recorded.append(result))
    monkeypatch.setattr(batch.differential, "verdicts", lambda *args: 1 / 0)
    references = batch.References({})
    references.read["02_tensors"] = ({"t": {}}, None)
    notebook = v4.writes(v4.new_notebook(cells=[_graded("t", "", [])])).encode()
    report = batch.BatchReport()
    submission = batch.Submission("02_tensors", "mallory", None)
    batch._settle(_Done(GradingResult("02_tensors", "mallory", notebook, None)), submission, "d", references,
                  None, "sqlite://", report)
    assert recorded[0].error.startswith("could not be graded: comparing its results with the reference failed")
    assert report.failed == [("mallory", "02_tensors", recorded[0].error)]
    monkeypatch.setattr(batch, "record", lambda *args: (_ for _ in ()).throw(OSError(28, "No space left")))
    batch._settle(_Done(GradingResult("02_tensors", "eve", None, "broken")), batch.Submission(
        "02_tensors", "eve", None), "d", references, None, "sqlite://", report)
    assert "could not be recorded" in report.failed[-1][2] and "grade it again" in report.failed[-1][2]
