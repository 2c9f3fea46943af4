"""Tensors as pictures: small heat-maps that show a tensor's shape, values and dtype at a glance.

Display rule, as in ``helpers.plots``: draw on the Axes you pass (or on a new Figure), never touch
global settings such as rcParams, and return the Figure so a test can inspect it.
Introduced in lessons/02_tensors.ipynb; lessons/04_transforms.ipynb uses it for value ranges.
"""

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

MAX_ANNOTATED_CELLS = 144  # above this, numbers would not fit in their cells


def as_matrix(value) -> torch.Tensor:
    """``value`` (tensor, NumPy array, PIL image, number) as a 2-D tensor for drawing.

    0-d becomes 1x1 and 1-D becomes one row; a 3-D tensor whose first dimension is 1 (a one-channel
    image ``[1, H, W]``) loses that dimension. Anything else raises ValueError.
    """
    # np.array copies: PIL images give read-only arrays, which torch warns about.
    tensor = value.detach().cpu() if isinstance(value, torch.Tensor) else torch.from_numpy(np.array(value))
    if tensor.dim() == 3 and tensor.shape[0] == 1:
        tensor = tensor[0]
    if tensor.dim() <= 1:
        tensor = tensor.reshape(1, -1)
    if tensor.dim() != 2:
        raise ValueError(f"can draw 0-D, 1-D, 2-D or [1, H, W] tensors, got shape {tuple(tensor.shape)}")
    return tensor


def _describe(value) -> str:
    """'(3, 4) float32': the shape and dtype of what was passed, before any reshaping."""
    if isinstance(value, torch.Tensor):
        return f"{tuple(value.shape)} {str(value.dtype).removeprefix('torch.')}"
    array = np.asarray(value)
    return f"{tuple(array.shape)} {array.dtype}"


def show_tensor(value, ax: Axes | None = None, title: str | None = None, annotate: bool = True,
                fmt: str | None = None, cmap: str = "viridis", vmin: float | None = None,
                vmax: float | None = None, colorbar: bool = False) -> Figure:
    """Draw ``value`` as a heat-map titled with its shape and dtype; return the Figure.

    Small tensors get their values written in the cells (``fmt`` defaults to ``"{:.2f}"`` for
    floats and ``"{}"`` otherwise). ``vmin``/``vmax`` fix the colour scale, e.g. to compare a tensor
    before and after an operation; ``colorbar=True`` adds a scale showing the value range.
    """
    matrix = as_matrix(value)
    floating = matrix.is_floating_point()
    numbers = matrix.double()
    rows, cols = matrix.shape
    if ax is None:
        ax = plt.figure(figsize=(max(1.6, 0.45 * cols + 0.6), max(1.2, 0.45 * rows + 0.7))).add_subplot()
    image = ax.imshow(numbers.numpy(), cmap=cmap, vmin=vmin, vmax=vmax, aspect="equal")
    heading = _describe(value)
    ax.set_title(f"{title}\n{heading}" if title else heading, fontsize=9)
    if rows * cols <= MAX_ANNOTATED_CELLS:
        ax.set_xticks(range(cols))
        ax.set_yticks(range(rows))
        ax.tick_params(labelsize=7, length=0)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    if annotate and rows * cols <= MAX_ANNOTATED_CELLS:
        pattern = fmt or ("{:.2f}" if floating else "{}")
        low, high = image.get_clim()
        span = (high - low) or 1.0
        for (row, col), number in np.ndenumerate(numbers.numpy()):
            shown = matrix[row, col].item()
            shade = (number - low) / span
            ax.text(col, row, pattern.format(shown), ha="center", va="center", fontsize=7,
                    color="black" if shade > 0.6 else "white")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax.figure


def show_tensors(tensors: Mapping[str, object], ncols: int | None = None, annotate: bool = True,
                 same_scale: bool = False, colorbar: bool = False, cmap: str = "viridis",
                 fmt: str | None = None, figsize: tuple[float, float] | None = None) -> Figure:
    """Draw several tensors side by side (``{title: tensor}``), e.g. before and after an operation.

    ``ncols`` tensors per row (default: all in one row). ``same_scale=True`` gives every panel
    the same colour scale, so equal values get equal colours across panels.
    """
    if not tensors:
        raise ValueError("show_tensors needs at least one tensor")
    matrices = {name: as_matrix(value) for name, value in tensors.items()}
    ncols = max(1, min(ncols or len(tensors), len(tensors)))
    nrows = -(-len(tensors) // ncols)
    if figsize is None:
        widest = max(m.shape[1] for m in matrices.values())
        tallest = max(m.shape[0] for m in matrices.values())
        cell = 0.42 if widest * tallest <= MAX_ANNOTATED_CELLS else 2.2 / max(widest, tallest)
        panel_width = max(1.8, cell * widest + 0.8 + (0.5 if colorbar else 0))
        if nrows == 1:
            panel_width = sum(max(1.8, cell * m.shape[1] + 0.8 + (0.5 if colorbar else 0))
                              for m in matrices.values()) / ncols
        figsize = (ncols * panel_width, nrows * max(1.4, cell * tallest + 0.9))
    layout = {}
    if nrows == 1:  # one row: give each panel room in proportion to its number of columns
        layout["gridspec_kw"] = {"width_ratios": [max(2, m.shape[1]) for m in matrices.values()]}
    figure, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **layout)
    scale = {}
    if same_scale:
        values = torch.cat([m.double().flatten() for m in matrices.values()])
        scale = {"vmin": values.min().item(), "vmax": values.max().item()}
    for ax, (name, value) in zip(axes.flat, tensors.items(), strict=False):
        show_tensor(value, ax=ax, title=name, annotate=annotate, fmt=fmt, cmap=cmap, colorbar=colorbar, **scale)
    for ax in list(axes.flat)[len(tensors):]:
        ax.set_axis_off()
    figure.tight_layout()
    return figure
