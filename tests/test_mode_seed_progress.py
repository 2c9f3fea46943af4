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


def test_progress_shows_a_bar_for_learners(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert list(progress(range(3), "epoch 1")) == [0, 1, 2]
    assert "epoch 1" in capsys.readouterr().err
