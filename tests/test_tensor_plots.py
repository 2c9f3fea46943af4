"""Unit tests of helpers.tensor_plots: what is drawn, where, and what is refused."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from helpers.tensor_plots import MAX_ANNOTATED_CELLS, as_matrix, show_tensor, show_tensors


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.mark.parametrize("value, shape", [
    (torch.tensor(3.5), (1, 1)),
    (torch.arange(4), (1, 4)),
    (torch.zeros(2, 3), (2, 3)),
    (torch.zeros(1, 5, 6), (5, 6)),
    (np.ones((3, 2), dtype=np.uint8), (3, 2)),
    (7, (1, 1)),
])
def test_as_matrix_gives_two_dimensions(value, shape):
    assert tuple(as_matrix(value).shape) == shape


@pytest.mark.parametrize("shape", [(2, 3, 4), (1, 1, 2, 2)])
def test_as_matrix_refuses_what_it_cannot_draw(shape):
    with pytest.raises(ValueError, match="can draw"):
        as_matrix(torch.zeros(shape))


def test_show_tensor_draws_on_the_given_axes_and_returns_its_figure():
    figure, ax = plt.subplots()
    returned = show_tensor(torch.arange(6).reshape(2, 3), ax=ax, title="x")
    assert returned is figure
    assert len(ax.images) == 1
    assert ax.get_title() == "x\n(2, 3) int64"
    assert [text.get_text() for text in ax.texts] == ["0", "1", "2", "3", "4", "5"]


def test_show_tensor_makes_a_figure_when_no_axes_is_given():
    figure = show_tensor(torch.tensor([[0.5, 0.25]]))
    assert isinstance(figure, Figure)
    assert [text.get_text() for text in figure.axes[0].texts] == ["0.50", "0.25"]


def test_show_tensor_formats_and_omits_numbers_when_asked():
    figure = show_tensor(torch.tensor([1.0, 2.0]), fmt="{:.0f}")
    assert [text.get_text() for text in figure.axes[0].texts] == ["1", "2"]
    assert len(show_tensor(torch.ones(2, 2), annotate=False).axes[0].texts) == 0


def test_large_tensors_are_not_annotated():
    side = int(MAX_ANNOTATED_CELLS ** 0.5) + 1
    assert len(show_tensor(torch.rand(side, side)).axes[0].texts) == 0


def test_show_tensor_scale_and_colorbar():
    figure = show_tensor(torch.rand(3, 3), vmin=-1, vmax=2, colorbar=True)
    image = figure.axes[0].images[0]
    assert image.get_clim() == (-1, 2)
    assert len(figure.axes) == 2  # the heat-map and its colour bar


def test_show_tensor_accepts_bool_and_images():
    assert show_tensor(torch.tensor([True, False])).axes[0].texts[0].get_text() == "True"
    title = show_tensor(np.zeros((28, 28), dtype=np.uint8), annotate=False).axes[0].get_title()
    assert title == "(28, 28) uint8"


def test_show_tensors_lays_out_panels_and_shares_the_scale():
    figure = show_tensors({"a": torch.zeros(2, 2), "b": torch.full((2, 3), 4.0), "c": torch.ones(3)},
                          ncols=2, same_scale=True)
    assert len(figure.axes) == 4
    assert not figure.axes[3].axison
    assert {ax.images[0].get_clim() for ax in figure.axes[:3]} == {(0.0, 4.0)}
    assert figure.axes[1].get_title() == "b\n(2, 3) float32"


def test_show_tensors_needs_something_to_show():
    with pytest.raises(ValueError):
        show_tensors({})


def test_no_global_settings_change():
    before = dict(matplotlib.rcParams)
    show_tensors({"x": torch.rand(2, 2)}, colorbar=True)
    assert dict(matplotlib.rcParams) == before
