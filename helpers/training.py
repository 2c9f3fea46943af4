"""Training aids: a figure that redraws in place once per epoch, a plot comparing runs, and the
"convert the dataset once" speed trick.

Display rule, as in ``helpers.plots``: drawing functions draw on the Axes you pass (or a new one)
and return the Figure; nothing touches global settings. Introduced in lessons/07_optimization.ipynb.
"""

import io
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch.utils.data import DataLoader, Dataset, TensorDataset


def plot_runs(runs: dict[str, Sequence[float]], ax: Axes | None = None, ylabel: str = "test accuracy") -> Figure:
    """One line per run (for instance one per optimizer): epoch on the x axis, ``ylabel`` on the y axis."""
    if ax is None:
        ax = plt.figure(figsize=(6, 3.5)).add_subplot()
    for name, values in runs.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=name)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    if runs:
        ax.legend(loc="lower right")
    return ax.figure


def as_png(figure: Figure) -> Image:
    """The figure rendered as a PNG image that notebooks can show, whatever matplotlib backend is active."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return Image(data=buffer.getvalue(), format="png")


class NotebookOutput:
    """A notebook output showing a figure, which :meth:`update` replaces with the figure's new state."""

    def __init__(self, figure: Figure):
        self.handle = display(as_png(figure), display_id=True)

    def update(self, figure: Figure) -> None:
        if self.handle is not None:
            self.handle.update(as_png(figure))


class LivePlot:
    """A figure shown once and then redrawn in place: call :meth:`update` after every epoch.

    ``draw(data, ax=...)`` is any drawing function of the course, such as
    ``helpers.plots.plot_history`` or :func:`plot_runs`. The first ``update`` displays the figure;
    later ones replace that same output (``IPython.display`` display handles), so the notebook keeps
    one up-to-date picture instead of one picture per epoch. The figure is a plain
    ``matplotlib.figure.Figure``, outside pyplot, so it is not shown a second time when the cell ends;
    it is sent to the notebook as a PNG image (:func:`as_png`), which works with any backend.

    ``show`` replaces the notebook display (tests pass a fake): a callable taking the Figure and
    returning an object with an ``update(figure)`` method.
    """

    def __init__(self, draw: Callable[..., Figure], figsize: tuple[float, float] = (6, 3.5),
                 show: Callable[[Figure], object] | None = None):
        self.draw = draw
        self.figure = Figure(figsize=figsize)
        self._show = show or NotebookOutput
        self._shown = False
        self._handle = None

    def update(self, data) -> Figure:
        """Redraw the figure from ``data`` (for example the history so far) and refresh the output."""
        self.figure.clear()
        self.draw(data, ax=self.figure.add_subplot())
        if not self._shown:
            self._handle, self._shown = self._show(self.figure), True
        elif self._handle is not None:
            self._handle.update(self.figure)
        return self.figure


def to_tensor_dataset(dataset: Dataset) -> TensorDataset:
    """Run every sample through the dataset's transforms once and keep the results as one tensor pair.

    Worth it when the transforms are deterministic (no random augmentation) and the data fits in
    memory: each later epoch then slices tensors instead of decoding every image again.
    """
    if len(dataset) == 0:
        raise ValueError("to_tensor_dataset needs a dataset with at least one sample")
    inputs, targets = next(iter(DataLoader(dataset, batch_size=len(dataset))))
    return TensorDataset(inputs, torch.as_tensor(targets))
