"""`grader check`'s two-seed run (grader/authoring/observation_seeds.py): every graded observation that is
the same under two observation seeds (a verdict, a constant property) is named with its test."""

from nbformat import v4

from grader.authoring.observation_seeds import constant_observations, unchanged
from grader.files import write_notebook_atomically
from helpers.observations import encode


def _graded(grade_id: str, source: str):
    return v4.new_code_cell(source, metadata={"nbgrader": {"grade": True, "solution": False, "locked": True,
                                                           "grade_id": grade_id, "points": 1, "schema_version": 3}})


def _reports(**values) -> dict:
    return {name: {"name": name, "value": encode(value), "rtol": 1e-4, "atol": 1e-6} for name, value in values.items()}


def test_values_that_move_with_the_seed_pass_and_the_rest_are_named():
    first = {"a": _reports(sums=[1.5, 2.0], verdict=True, shape=(3, 4)), "b": _reports(loss=0.25)}
    second = {"a": _reports(sums=[1.7, 2.0], verdict=True, shape=(3, 4)), "b": _reports(loss=0.25000001)}
    assert [line.split(" is the same")[0] for line in unchanged(first, second)] == [
        "test a: the observation 'verdict'", "test a: the observation 'shape'",
        "test b: the observation 'loss'"], "equal within the graded tolerance counts as the same"
    files = {"c": {"w": {"name": "w", "value": {"file": "AAAA"}}}}
    assert unchanged(files, {"c": {"w": {"name": "w", "value": {"file": "AAAB"}}}}) == []
    assert len(unchanged(files, files)) == 1


def test_a_solution_is_run_under_two_seeds_and_its_constant_observations_named(tmp_path):
    observing = ("import torch\nfrom helpers.observations import inputs, observe\n"
                 "values = torch.rand(3, generator=inputs(0))\n")
    notebook = v4.new_notebook(cells=[
        v4.new_code_cell(observing),
        _graded("moves_test", "observe('values', values)\nobserve('sum', float(values.sum()))"),
        _graded("verdict_test", "observe('in range', bool((values < 1).all()))\nobserve('count', len(values))\n"
                                "observe('largest', values.max())"),
        v4.new_code_cell("observe('ungraded constant', 1)")])
    path = write_notebook_atomically(notebook, tmp_path / "lesson.ipynb")
    found = constant_observations(path)
    assert [line.split(" is the same")[0] for line in found] == [
        "test verdict_test: the observation 'in range'", "test verdict_test: the observation 'count'"], found
