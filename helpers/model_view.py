"""Look inside a model: the shape of a batch after each layer, and where the parameters are.

:func:`trace_shapes` runs one batch through a model with a forward hook on every layer and records
what came out; :func:`format_shapes` prints that as a table and :func:`draw_shapes` draws it.
:func:`draw_parameter_counts` shows how many parameters each layer holds. Drawing functions follow
the rule of ``helpers.plots``: they draw on the Axes you pass (or a new one) and return the Figure.
Introduced in lessons/05_build_model.ipynb.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torch import nn


@dataclass(frozen=True)
class LayerRow:
    """One layer's step in a forward pass."""

    name: str                        # its name inside the model, e.g. "linear_relu_stack.0"
    kind: str                        # its class name, e.g. "Linear"
    output_shape: tuple[int, ...]    # the shape of what it returned
    parameters: int                  # how many numbers it learns itself (not counting sub-layers)


def _layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The layers that do the work: modules without children (the model itself if it has none)."""
    leaves = [(name, module) for name, module in model.named_modules() if not list(module.children())]
    return leaves or [("", model)]


def trace_shapes(model: nn.Module, example: torch.Tensor) -> list[LayerRow]:
    """Run ``example`` through ``model`` once (no gradients) and record each layer's output shape.

    A forward hook is registered on every layer without sub-layers and removed afterwards, even if
    the forward pass fails. A layer used twice appears twice, in the order it ran.
    """
    rows: list[LayerRow] = []

    def recorder(name: str):
        def hook(module: nn.Module, inputs, output) -> None:
            shape = tuple(output.shape) if isinstance(output, torch.Tensor) else ()
            own = sum(p.numel() for p in module.parameters(recurse=False))
            rows.append(LayerRow(name or type(module).__name__, type(module).__name__, shape, own))
        return hook

    handles = [module.register_forward_hook(recorder(name)) for name, module in _layers(model)]
    try:
        with torch.no_grad():
            model(example)
    finally:
        for handle in handles:
            handle.remove()
    return rows


def format_shapes(rows: list[LayerRow], input_shape: tuple[int, ...]) -> str:
    """A plain-text table: one line per layer with its output shape and parameter count."""
    header = f"{'layer':<24} {'kind':<12} {'output shape':<20} {'parameters':>10}"
    lines = [header, "-" * len(header), f"{'(input)':<24} {'':<12} {str(list(input_shape)):<20} {'':>10}"]
    for row in rows:
        lines.append(f"{row.name:<24} {row.kind:<12} {str(list(row.output_shape)):<20} {row.parameters:>10,}")
    lines.append(f"{'total':<24} {'':<12} {'':<20} {sum(row.parameters for row in rows):>10,}")
    return "\n".join(lines)


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    return plt.figure(figsize=figsize).add_subplot()


def draw_shapes(rows: list[LayerRow], input_shape: tuple[int, ...], ax: Axes | None = None,
                per_row: int = 7) -> Figure:
    """Draw the layers as boxes in the order they ran, with the batch's shape under each one.

    Boxes of layers that learn parameters are blue, the others grey; ``per_row`` boxes per line.
    """
    items = [("input", tuple(input_shape), None)] + [(row.kind, row.output_shape, row) for row in rows]
    lines = -(-len(items) // per_row)
    columns = min(per_row, len(items))
    ax = _axes(ax, figsize=(max(6.0, 1.9 * columns), 0.4 + 2.0 * lines))
    for index, (label, shape, row) in enumerate(items):
        line, column = divmod(index, per_row)
        x, y = 2.0 * column, -2.0 * line
        if row is None:
            ax.text(x, y, label, ha="center", va="center", fontsize=9, style="italic")
        else:
            colour = "#cfe2f3" if row.parameters else "#eeeeee"
            ax.add_patch(plt.Rectangle((x - 0.6, y - 0.45), 1.2, 0.9, facecolor=colour, edgecolor="#555555"))
            ax.text(x, y + 0.12, label, ha="center", va="center", fontsize=9, weight="bold")
            ax.text(x, y - 0.2, f"{row.parameters:,} params", ha="center", va="center", fontsize=7)
            start = x - 1.38 if column else x - 1.0
            ax.annotate("", xy=(x - 0.62, y), xytext=(start, y), arrowprops={"arrowstyle": "->", "color": "#333333"})
        ax.text(x, y - 0.8, str(list(shape)), ha="center", va="center", fontsize=8, family="monospace",
                color="#1f4e79")
    ax.set_xlim(-1.1, 2.0 * (columns - 1) + 1.0)
    ax.set_ylim(-2.0 * (lines - 1) - 1.1, 0.8)
    ax.set_axis_off()
    ax.set_title("layers in the order they ran, with the shape each one returns", fontsize=9)
    return ax.figure


def parameter_counts(model: nn.Module) -> dict[str, int]:
    """Number of elements of each named parameter, in registration order."""
    return {name: parameter.numel() for name, parameter in model.named_parameters()}


def draw_parameter_counts(model: nn.Module, ax: Axes | None = None) -> Figure:
    """A horizontal bar per parameter tensor (weights and biases), labelled with its size and count."""
    counts = parameter_counts(model)
    shapes = {name: tuple(parameter.shape) for name, parameter in model.named_parameters()}
    fresh = ax is None
    ax = _axes(ax, figsize=(7, 0.45 * max(len(counts), 1) + 1.0))
    names = list(counts)[::-1]
    values = [counts[name] for name in names]
    ax.barh(range(len(names)), values, color="#6fa8dc")
    ax.set_yticks(range(len(names)), [f"{name} {list(shapes[name])}" for name in names], fontsize=8)
    for position, value in enumerate(values):
        ax.text(value, position, f" {value:,}", va="center", fontsize=8)
    ax.set_xlim(0, max(values, default=1) * 1.25)
    ax.set_xlabel("number of parameters")
    ax.set_title(f"{sum(values):,} parameters in total", fontsize=9)
    if fresh:
        ax.figure.tight_layout()
    return ax.figure
