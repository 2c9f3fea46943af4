"""helpers.plots: draw on the given Axes, return the Figure, leave global settings alone."""

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch

from helpers.plots import plot_history, show_images


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_images_draws_one_grid_with_class_names():
    before = dict(matplotlib.rcParams)
    figure = show_images(torch.rand(10, 1, 28, 28), list(range(10)), [f"class {i}" for i in range(10)], ncols=5)
    ax = figure.axes[0]
    assert len(figure.axes) == 1 and len(ax.images) == 1
    assert ax.images[0].get_array().shape[:2] == (2 + 2 * 30, 2 + 5 * 30)
    assert [text.get_text() for text in ax.texts] == [f"class {i}" for i in range(10)]
    assert dict(matplotlib.rcParams) == before


def test_show_images_uses_the_given_axes_and_accepts_unbatched_channels():
    figure, (left, right) = plt.subplots(1, 2)
    assert show_images(torch.rand(3, 8, 8), ax=right) is figure
    assert len(right.images) == 1 and len(left.images) == 0


def test_show_images_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match=r"expects images shaped \[N, C, H, W\], got \(8,\)"):
        show_images(torch.rand(8))


def test_plot_history_puts_losses_left_and_accuracy_right():
    figure = plot_history({"train loss": [2.0, 1.5, 1.0], "test loss": [2.1, 1.6, 1.2],
                           "test accuracy": [0.5, 0.6, 0.7]})
    left, right = figure.axes
    assert [line.get_label() for line in left.lines] == ["train loss", "test loss"]
    assert [line.get_label() for line in right.lines] == ["test accuracy"]
    assert list(left.lines[0].get_xdata()) == [1, 2, 3]
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["train loss", "test loss", "test accuracy"]


def test_plot_history_marks_the_chosen_epoch():
    figure = plot_history({"train loss": [2.0, 1.0, 0.5], "validation loss": [2.1, 1.4, 1.6]}, mark_epoch=2)
    (ax,) = figure.axes
    marker = ax.lines[-1]
    assert list(marker.get_xdata()) == [2, 2] and marker.get_linestyle() == ":"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train loss", "validation loss", "epoch 2"]
