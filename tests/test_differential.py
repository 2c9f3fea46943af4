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
