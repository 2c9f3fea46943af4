"""Unit tests for helpers.model_view (layer shapes through forward hooks, parameter counts)."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from helpers.model_view import (
    LayerRow,
    draw_parameter_counts,
    draw_shapes,
    format_shapes,
    parameter_counts,
    trace_shapes,
)


def small_network() -> nn.Module:
    return nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.ReLU(), nn.Linear(5, 3))


def test_trace_shapes_records_each_layer_in_order():
    rows = trace_shapes(small_network(), torch.rand(4, 3, 2, 2))
    assert [row.kind for row in rows] == ["Flatten", "Linear", "ReLU", "Linear"]
    assert [row.output_shape for row in rows] == [(4, 12), (4, 5), (4, 5), (4, 3)]
    assert [row.parameters for row in rows] == [0, 65, 0, 18]
    assert [row.name for row in rows] == ["0", "1", "2", "3"]


def test_trace_shapes_names_nested_layers_and_repeats_shared_ones():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.block = nn.Sequential(nn.Linear(3, 3))

        def forward(self, x):
            return self.block(self.block(x))

    rows = trace_shapes(Twice(), torch.rand(2, 3))
    assert [row.name for row in rows] == ["block.0", "block.0"]


def test_trace_shapes_removes_its_hooks_even_when_forward_fails():
    model = small_network()
    with pytest.raises(RuntimeError):
        trace_shapes(model, torch.rand(4, 5))
    assert all(not module._forward_hooks for module in model.modules())
    trace_shapes(model, torch.rand(1, 12))
    assert all(not module._forward_hooks for module in model.modules())


def test_trace_shapes_of_a_single_layer_and_without_gradients():
    layer = nn.Linear(2, 2)
    rows = trace_shapes(layer, torch.rand(1, 2))
    assert rows == [LayerRow("Linear", "Linear", (1, 2), 6)]


def test_format_shapes_lists_input_layers_and_total():
    text = format_shapes(trace_shapes(small_network(), torch.rand(4, 3, 2, 2)), (4, 3, 2, 2))
    lines = text.splitlines()
    assert "[4, 3, 2, 2]" in lines[2]
    assert "Linear" in lines[4] and "[4, 5]" in lines[4] and "65" in lines[4]
    assert lines[-1].split() == ["total", "83"]


def test_drawings_return_figures_on_a_given_axes():
    import matplotlib.pyplot as plt

    model = small_network()
    rows = trace_shapes(model, torch.rand(4, 3, 2, 2))
    figure, axes = plt.subplots(1, 2)
    assert draw_shapes(rows, (4, 3, 2, 2), ax=axes[0]) is figure
    assert draw_parameter_counts(model, ax=axes[1]) is figure
    assert isinstance(draw_shapes(rows, (4, 3, 2, 2), per_row=2), Figure)
    plt.close("all")


def test_parameter_counts_per_tensor():
    assert parameter_counts(small_network()) == {"1.weight": 60, "1.bias": 5, "3.weight": 15, "3.bias": 3}
