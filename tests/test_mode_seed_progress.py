"""helpers.mode, helpers.seed and helpers.progress."""

import random

import numpy as np
import torch

from helpers.mode import demo_size, is_grading
from helpers.progress import progress
from helpers.seed import set_seed


def test_learner_mode_by_default(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not is_grading()
    assert demo_size(full=5, short=1) == 5


def test_grading_mode_under_nbgrader(monkeypatch):
    for value in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", value)
        assert is_grading()
        assert demo_size(full=5, short=1) == 1


def test_set_seed_repeats_every_random_source():
    def draw():
        generator = set_seed(3)
        return (random.random(), np.random.rand(), torch.rand(2).tolist(),
                torch.randperm(5, generator=generator).tolist())

    assert draw() == draw()


def test_progress_is_silent_while_grading(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert list(progress(range(3), "epoch 1")) == [0, 1, 2]
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_progress_shows_a_text_bar_on_stdout_that_clears_itself(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert list(progress(range(3), "epoch 1")) == [0, 1, 2]
    print("epoch 1: loss 0.5")
    captured = capsys.readouterr()
    assert captured.err == "", "stderr is drawn red in JupyterLab and fails a graded cell"
    assert "\repoch 1:   0%|" in captured.out and "0/3" in captured.out  # drawn, redrawn after a carriage return
    # what a notebook or terminal shows once the loop is over: each line from its last carriage return on
    shown = [line.rsplit("\r", 1)[-1] for line in captured.out.split("\n")]
    assert shown == ["epoch 1: loss 0.5", ""], shown


def test_progress_is_text_not_a_widget(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    bar = progress(range(3), "epoch 1")
    assert not hasattr(bar, "container"), "a notebook widget bar: its output dies with the kernel"
    list(bar)


def test_a_bars_redraws_are_stored_as_the_line_a_front_end_shows(monkeypatch, capsys):
    """grader refresh coalesces a cell's stream outputs: a bar's many redraws (one stream message per flush)
    become the cell's own lines, not hundreds of stored outputs."""
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    for _ in progress(range(3), "epoch 1"):
        print("", end="", flush=True)
    print("Epoch 1: done")
    written = capsys.readouterr().out
    pieces = [written[i:i + 7] for i in range(0, len(written), 7)]  # as a kernel might flush it
    cell = new_code_cell("...", outputs=[new_output("stream", name="stdout", text=piece) for piece in pieces])
    notebook, _ = CoalesceStreamsPreprocessor().preprocess(new_notebook(cells=[cell]), {})
    assert [output.text for output in notebook.cells[0].outputs] == ["Epoch 1: done\n"]
