"""helpers.training: live figure redrawn in place, run comparison plot, dataset-to-tensors conversion, one-line
stops; helpers.mode's quick mode."""

import os

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch
from torch.utils.data import Dataset, TensorDataset

from grader.notebooks import read
from grader.paths import LESSONS, REPO, SOLUTIONS, written_lessons
from grader.safety.integrity import TAMPERING, code_findings
from helpers.checks import NotAttempted
from helpers.mode import demo_size, is_short
from helpers.plots import plot_history
from helpers.training import (
    LivePlot,
    Stopped,
    Unfinished,
    mark_unfinished,
    names_assigned,
    plot_runs,
    to_tensor_dataset,
)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


class FakeDisplay:
    """Records what a notebook display would do."""

    def __init__(self):
        self.shown, self.updates = [], []

    def __call__(self, figure):
        self.shown.append(figure)
        return self

    def update(self, figure):
        self.updates.append(figure)


def test_plot_runs_draws_one_labelled_line_per_run():
    before = dict(matplotlib.rcParams)
    figure = plot_runs({"SGD": [0.5, 0.6], "Adam": [0.8, 0.85]})
    (ax,) = figure.axes
    assert [line.get_label() for line in ax.lines] == ["SGD", "Adam"]
    assert list(ax.lines[1].get_xdata()) == [1, 2]
    assert ax.get_ylabel() == "test accuracy"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["SGD", "Adam"]
    assert dict(matplotlib.rcParams) == before


def test_plot_runs_uses_the_given_axes():
    figure, (left, right) = plt.subplots(1, 2)
    assert plot_runs({"run": [1.0]}, ax=right, ylabel="loss") is figure
    assert len(right.lines) == 1 and len(left.lines) == 0 and right.get_ylabel() == "loss"


def test_live_plot_shows_once_then_updates_the_same_output():
    display = FakeDisplay()
    live = LivePlot(plot_history, show=display)
    history = {"train loss": [2.0], "test loss": [2.1], "test accuracy": [0.5]}
    first = live.update(history)
    history = {"train loss": [2.0, 1.5], "test loss": [2.1, 1.6], "test accuracy": [0.5, 0.6]}
    second = live.update(history)
    assert first is second is live.figure
    assert display.shown == [live.figure] and display.updates == [live.figure]
    left, right = live.figure.axes            # redrawn, not stacked: still two Axes (loss, accuracy)
    assert list(left.lines[0].get_ydata()) == [2.0, 1.5]
    assert list(right.lines[0].get_ydata()) == [0.5, 0.6]


def test_live_plot_is_not_managed_by_pyplot():
    LivePlot(plot_runs, show=FakeDisplay()).update({"a": [0.1, 0.2]})
    assert plt.get_fignums() == []


def test_live_plot_tolerates_a_display_without_handle():
    calls = []
    live = LivePlot(plot_runs, show=lambda figure: calls.append(figure))
    live.update({"a": [0.1]})
    live.update({"a": [0.1, 0.2]})
    assert len(calls) == 1


class Doubling(Dataset):
    """A dataset with a transform: sample i is (tensor of i * 2, i % 3)."""

    def __len__(self):
        return 5

    def __getitem__(self, index):
        return torch.full((1, 2), float(index) * 2), index % 3


def test_to_tensor_dataset_holds_the_transformed_samples():
    converted = to_tensor_dataset(Doubling())
    assert isinstance(converted, TensorDataset) and len(converted) == 5
    inputs, targets = converted.tensors
    assert inputs.shape == (5, 1, 2) and targets.dtype == torch.int64
    for index in range(5):
        image, label = converted[index]
        assert torch.equal(image, Doubling()[index][0]) and int(label) == index % 3


def test_to_tensor_dataset_rejects_an_empty_dataset():
    with pytest.raises(ValueError, match="at least one sample"):
        to_tensor_dataset(TensorDataset(torch.zeros(0, 2), torch.zeros(0)))


def test_notebook_output_sends_png_images_to_one_display(monkeypatch):
    import helpers.training as training

    sent = []

    class Handle:
        def update(self, image):
            sent.append(("update", image))

    def fake_display(image, display_id=False):
        sent.append(("display", image))
        assert display_id is True
        return Handle()

    monkeypatch.setattr(training, "display", fake_display)
    live = LivePlot(plot_runs)
    live.update({"a": [0.1]})
    live.update({"a": [0.1, 0.2]})
    assert [kind for kind, _ in sent] == ["display", "update"]
    assert all(image.data.startswith(b"\x89PNG") for _, image in sent)


# Quick mode (helpers.mode) and one-line stops (helpers.training.one_line_stops)

def test_quick_mode_takes_the_short_size_from_the_lesson_line_or_the_environment(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    assert demo_size(full=5, short=1) == 5 and not is_short()
    assert demo_size(full=5, short=1, quick=True) == 1
    for value in ("1", "true", "YES", " on "):
        monkeypatch.setenv("COURSE_QUICK", value)
        assert demo_size(full=5, short=1) == 1, value
    for value in ("0", "", "no", "false"):
        monkeypatch.setenv("COURSE_QUICK", value)
        assert demo_size(full=5, short=1) == 5, value


def test_grading_takes_the_short_size_whatever_the_lesson_line_says(monkeypatch):
    monkeypatch.delenv("COURSE_QUICK", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert demo_size(full=None, short=2000, quick=False) == 2000


def test_names_assigned_at_a_cells_top_level():
    source = ("epochs = 3\nmodel, (a, b) = make(), (1, 2)\nfor epoch in range(epochs):\n    loss = step()\n"
              "def helper(x):\n    inner = x\nclass Net:\n    size = 1\nsquares = [k * k for k in range(3)]\n"
              "total += 1\n")
    assert names_assigned(source) == ({"epochs", "model", "a", "b", "epoch", "loss", "squares", "total"},
                                      {"helper", "Net"})
    assert names_assigned("%%time\nx = 1") == (set(), set())


def test_results_of_a_cell_stopped_by_an_exercise_name_that_exercise_when_used():
    namespace = {"model": "an untrained network", "keep": 1, "helper": print}
    mark_unfinished(namespace, "model = Net()\nhistory = fit(model)\ndef helper():\n    pass\n"
                               "def later():\n    pass\n", "Exercise 7.3")
    assert namespace["keep"] == 1 and namespace["helper"] is print          # untouched, and a def it reached
    assert {name for name, value in namespace.items() if isinstance(value, Unfinished)} == {"model", "history", "later"}
    assert repr(namespace["model"]) == "<not made yet: needs Exercise 7.3>"
    for use in (lambda m: m.eval(), lambda m: m(1), lambda m: list(m), lambda m: f"{m:.1f}", lambda m: m[0],
                lambda m: len(m), lambda m: bool(m), lambda m: m + 1, lambda m: str(m), lambda m: torch.as_tensor(m)):
        with pytest.raises(NotAttempted) as stopped:
            use(namespace["model"])
        assert stopped.value.exercise == "Exercise 7.3"


def test_stops_render_in_one_line():
    (line,) = Stopped()._render_traceback_()
    assert "Stopped: you interrupted this cell" in line and "Traceback" not in line


def _run_in_kernel(cells: list[str], environment: dict[str, str], interrupt_last: bool = False) -> list[dict]:
    """The error contents ({ename, evalue, traceback}) each cell gave in a fresh kernel ({} when none)."""
    import time

    from jupyter_client.manager import start_new_kernel

    environment = {**os.environ, **environment, "PYTHONPATH": str(REPO)}
    manager, client = start_new_kernel(kernel_name="python3", env=environment)
    errors = []
    try:
        for index, code in enumerate(cells):
            message_id = client.execute(code)
            if interrupt_last and index == len(cells) - 1:
                time.sleep(2)
                manager.interrupt_kernel()
            error = {}
            while True:
                message = client.get_iopub_msg(timeout=60)
                if message["parent_header"].get("msg_id") != message_id:
                    continue
                if message["msg_type"] == "error":
                    error = message["content"]
                if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                    break
            errors.append(error)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return errors


LOOP = "import time\nfor step in range(10**6):\n    time.sleep(0.01)"


@pytest.mark.slow
def test_a_learner_who_stops_a_cell_sees_one_line_and_real_errors_stay_whole(tmp_path):
    learner = {"NBGRADER_EXECUTION": "", "IPYTHONDIR": str(tmp_path), "MPLCONFIGDIR": str(tmp_path)}
    setup, name_error, stopped = _run_in_kernel(
        ["from helpers.training import one_line_stops\none_line_stops()\none_line_stops()", "print(undefined_name)",
         LOOP], learner, interrupt_last=True)
    assert setup == {}
    assert name_error["ename"] == "NameError" and len(name_error["traceback"]) > 1     # other errors as they are
    assert stopped["ename"] == "Stopped" and len(stopped["traceback"]) == 1
    assert "you interrupted this cell" in stopped["traceback"][0]


@pytest.mark.slow
def test_while_grading_a_stopped_cell_shows_its_real_traceback(tmp_path):
    grading = {"NBGRADER_EXECUTION": "autograde", "IPYTHONDIR": str(tmp_path), "MPLCONFIGDIR": str(tmp_path)}
    _, stopped = _run_in_kernel(["from helpers.training import one_line_stops\none_line_stops()", LOOP], grading,
                                interrupt_last=True)
    assert stopped["ename"] == "KeyboardInterrupt" and len(stopped["traceback"]) > 1


def _set_up_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def _lessons_with_a_quick_switch() -> list[str]:
    """The lessons whose set-up cell has the quick switch (those with heavy cells: 02 and 04 have none)."""
    return [stem for stem in written_lessons(LESSONS)
            if "quick = False" in _set_up_cell(read(SOLUTIONS / f"{stem}.ipynb")).source]


def test_every_lesson_with_training_cells_has_the_quick_switch():
    assert {"01_quickstart", "05_build_model", "07_optimization", "08_save_and_load"} <= set(
        _lessons_with_a_quick_switch())


@pytest.mark.parametrize("stem", _lessons_with_a_quick_switch())
def test_a_learner_who_turns_quick_mode_on_is_not_flagged_by_the_code_audit(stem):
    release = read(LESSONS / f"{stem}.ipynb")
    submission = read(SOLUTIONS / f"{stem}.ipynb")
    set_up = _set_up_cell(submission)
    set_up.source = set_up.source.replace("quick = False", "quick = True", 1)
    assert "one_line_stops()" in set_up.source
    # the edited set-up cell is read as the learner's code: what it holds may be reported as suspicious (08 imports
    # unittest.mock for its demonstrations), but nothing in it is tampering
    assert [finding for finding in code_findings(submission, release) if finding.severity == TAMPERING] == []
