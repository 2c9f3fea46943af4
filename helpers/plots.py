"""Pictures for the lessons.

Display rule, for every function here: draw on the Axes you pass (or on a new one), never touch
global settings such as rcParams, and return the Figure so a test can inspect it.
Introduced in lessons/01_quickstart.ipynb.
"""

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from torchvision.utils import make_grid


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    """``ax`` itself, or the Axes of a new Figure."""
    if ax is not None:
        return ax
    return plt.figure(figsize=figsize).add_subplot()


def show_images(images: torch.Tensor, labels: Sequence[int] | None = None,
                class_names: Sequence[str] | None = None, ncols: int = 8, ax: Axes | None = None) -> Figure:
    """Show a batch ``[N, C, H, W]`` (values in [0, 1]) as a grid, each tile titled with its class name."""
    images = torch.as_tensor(images).detach().cpu()
    if images.dim() == 3:
        images = images.unsqueeze(1)
    if images.dim() != 4:
        raise ValueError(f"show_images expects images shaped [N, C, H, W], got {tuple(images.shape)}")
    count, _, height, width = images.shape
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    padding = 2
    grid = make_grid(images, nrow=ncols, padding=padding, pad_value=1.0)
    ax = _axes(ax, figsize=(1.3 * ncols, 1.5 * nrows))
    ax.imshow(grid.permute(1, 2, 0).clamp(0, 1).numpy(), cmap="gray")
    ax.set_axis_off()
    if labels is not None:
        for index, label in enumerate(labels):
            row, col = divmod(index, ncols)
            name = class_names[int(label)] if class_names is not None else str(int(label))
            x = padding + col * (width + padding) + width / 2
            y = padding + row * (height + padding)
            ax.text(x, y, name, ha="center", va="bottom", fontsize=7)
    return ax.figure


def plot_history(history: dict[str, Sequence[float]], ax: Axes | None = None,
                 mark_epoch: int | None = None) -> Figure:
    """Training curves: every ``*loss*`` series on the left axis, every other series (accuracy) on the right.

    ``mark_epoch`` (counted from 1) draws a dotted vertical line at that epoch, for instance the one
    with the lowest validation loss (lessons/07_optimization.ipynb).
    """
    ax = _axes(ax, figsize=(6, 3.5))
    losses = {name: values for name, values in history.items() if "loss" in name}
    others = {name: values for name, values in history.items() if "loss" not in name}
    for name, values in losses.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
    if mark_epoch is not None:
        ax.axvline(mark_epoch, color="gray", linestyle=":", label=f"epoch {mark_epoch}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    handles, names = ax.get_legend_handles_labels()
    if others:
        right = ax.twinx()
        for name, values in others.items():
            right.plot(range(1, len(values) + 1), values, marker="s", linestyle="--", label=name)
        right.set_ylabel("accuracy")
        more_handles, more_names = right.get_legend_handles_labels()
        handles, names = handles + more_handles, names + more_names
    if handles:
        ax.legend(handles, names, loc="center right")
    return ax.figure
