"""Training aids: a figure that redraws in place once per epoch, a plot comparing runs, the
"convert the dataset once" speed trick, and one-line messages for stopped cells (:func:`one_line_stops`).

Display rule, as in ``helpers.plots``: drawing functions draw on the Axes you pass (or a new one)
and return the Figure; nothing touches global settings. Introduced in lessons/07_optimization.ipynb.
"""

import ast
import io
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import torch
from IPython.display import Image, display
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from torch.utils.data import DataLoader, Dataset, TensorDataset

from helpers.checks import RED, RESET, NotAttempted
from helpers.mode import is_grading


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


class Stopped(KeyboardInterrupt):
    """A cell the learner stopped (Ctrl-C, the ■ button), shown as one line instead of a traceback through torch."""

    def _render_traceback_(self) -> list[str]:
        return [f"{RED}\u25a0 Stopped: you interrupted this cell. What it had done so far is kept; run it again "
                f"to start it over.{RESET}"]


def _show_stop(shell, kind, value, traceback, tb_offset=None) -> list[str]:
    """IPython's handler for KeyboardInterrupt: the one line of :class:`Stopped`, still recorded as an error."""
    shell.showtraceback((Stopped, Stopped(), None))
    return []


class Unfinished:
    """What a cell stopped by an exercise not attempted yet would have made: any use says which exercise."""

    def __init__(self, exercise: str):
        object.__setattr__(self, "_exercise", exercise)

    def _stop(self, *args, **kwargs):
        raise NotAttempted(object.__getattribute__(self, "_exercise"))

    def __getattr__(self, name):
        if name.startswith("_repr_") or name in ("_ipython_display_", "_ipython_canary_method_should_not_exist_"):
            raise AttributeError(name)   # IPython's display probes: fall back to __repr__
        self._stop()

    def __repr__(self) -> str:
        return f"<not made yet: needs {object.__getattribute__(self, '_exercise')}>"

    __call__ = __iter__ = __len__ = __bool__ = __getitem__ = __format__ = __str__ = __float__ = __int__ = _stop
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __matmul__ = _stop
    __lt__ = __le__ = __gt__ = __ge__ = __setattr__ = __setitem__ = __array__ = _stop


def names_assigned(source: str) -> tuple[set[str], set[str]]:
    """The names a cell binds at its top level: (assigned, defined by ``def``/``class``); none if not Python."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(), set()
    assigned, defined, pending = set(), set(), list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            assigned.add(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return assigned, defined


def mark_unfinished(namespace: dict, source: str, exercise: str) -> None:
    """Bind what a cell stopped by ``NotAttempted(exercise)`` makes to :class:`Unfinished`: each assigned name
    (a value it assigned before stopping belongs to an unfinished run), and each ``def``/``class`` it never reached."""
    assigned, defined = names_assigned(source)
    for name in assigned:
        namespace[name] = Unfinished(exercise)
    for name in defined - namespace.keys():
        namespace[name] = Unfinished(exercise)


def _after_cell(result) -> None:
    error = getattr(result, "error_in_exec", None)
    source = getattr(getattr(result, "info", None), "raw_cell", None)
    if isinstance(error, NotAttempted) and isinstance(source, str):
        from IPython import get_ipython
        mark_unfinished(get_ipython().user_ns, source, error.exercise)


def one_line_stops() -> None:
    """In a learner's IPython kernel: a stopped cell shows one line (not a traceback through torch), and the
    results of a cell stopped by an exercise not attempted yet say, in one line, which exercise they need
    (not a NameError in the cells below). Nothing changes while grading: nbgrader sees every error as it is."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or is_grading():
        return
    shell.set_custom_exc((KeyboardInterrupt,), _show_stop)
    if _after_cell not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", _after_cell)
