"""See the computational graph autograd recorded: walk a tensor's ``grad_fn`` chain, print it, draw it.

Every tensor made by an operation on tensors that require gradients has a ``grad_fn``: the backward
function of that operation. ``grad_fn.next_functions`` links it to the backward functions of the
operation's inputs, and a leaf tensor (one you created, with ``requires_grad=True``) shows up as an
``AccumulateGrad`` node whose ``.variable`` is the leaf itself. Following those links from a result
back to the leaves gives the graph that ``.backward()`` walks.

:func:`walk_graph` collects the nodes and edges, :func:`format_graph` prints them as a tree and
:func:`draw_graph` draws them with matplotlib (no graphviz needed; it draws on the Axes you pass or a
new one and returns the Figure). Only class names are shown, never reprs, whose memory addresses
change from run to run. Introduced in lessons/06_autograd.ipynb.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure


@dataclass
class GraphNode:
    """One backward function in the graph."""

    index: int     # position in discovery order (root first)
    kind: str      # class name, e.g. "AddBackward0" or "AccumulateGrad"
    name: str      # the tensor it belongs to, when you named it ("" otherwise)
    depth: int     # longest number of steps from the root
    is_leaf: bool  # an AccumulateGrad node, i.e. a leaf tensor collecting .grad

    @property
    def label(self) -> str:
        return f"{self.name}: {self.kind}" if self.name else self.kind


def walk_graph(root: torch.Tensor, names: dict[str, torch.Tensor] | None = None
               ) -> tuple[list[GraphNode], list[tuple[int, int]]]:
    """Nodes and edges of the graph behind ``root``; an edge (a, b) means a passes gradients to b.

    ``names`` maps names to tensors (leaves or intermediate results) so their nodes get labelled.
    Raises ValueError when ``root`` has no ``grad_fn`` (nothing was recorded).
    """
    if root.grad_fn is None:
        raise ValueError("this tensor has no grad_fn: it is a leaf, or it was computed without gradient tracking")
    names = names or {}
    functions: list = []          # backward function objects, in discovery order
    position: dict[int, int] = {}  # id(function) -> index; the objects stay alive in `functions`
    edges: list[tuple[int, int]] = []
    pending = [root.grad_fn]
    position[id(root.grad_fn)] = 0
    functions.append(root.grad_fn)
    while pending:
        function = pending.pop(0)
        for child, _ in function.next_functions:
            if child is None:
                continue
            if id(child) not in position:
                position[id(child)] = len(functions)
                functions.append(child)
                pending.append(child)
            edges.append((position[id(function)], position[id(child)]))

    depth = [0] * len(functions)
    for _ in range(len(functions)):  # longest-path relaxation; a DAG settles in at most n rounds
        changed = False
        for parent, child in edges:
            if depth[child] < depth[parent] + 1:
                depth[child], changed = depth[parent] + 1, True
        if not changed:
            break

    def name_of(function) -> str:
        for name, tensor in names.items():
            if getattr(function, "variable", None) is tensor or tensor.grad_fn is function:
                return name
        return ""

    nodes = [GraphNode(index, type(function).__name__, name_of(function), depth[index],
                       hasattr(function, "variable"))
             for index, function in enumerate(functions)]
    return nodes, edges


def format_graph(root: torch.Tensor, names: dict[str, torch.Tensor] | None = None) -> str:
    """The graph as an indented tree, root first; a node reached twice is marked "(shown above)"."""
    nodes, edges = walk_graph(root, names)
    children: dict[int, list[int]] = {node.index: [] for node in nodes}
    for parent, child in edges:
        children[parent].append(child)
    lines: list[str] = []
    shown: set[int] = set()

    def visit(index: int, prefix: str, connector: str, child_prefix: str) -> None:
        repeat = index in shown
        lines.append(f"{prefix}{connector}{nodes[index].label}{'  (shown above)' if repeat else ''}")
        shown.add(index)
        if repeat:
            return
        kids = children[index]
        for position, kid in enumerate(kids):
            last = position == len(kids) - 1
            visit(kid, prefix + child_prefix, "└── " if last else "├── ", "    " if last else "│   ")

    visit(0, "", "", "")
    return "\n".join(lines)


def _layout(nodes: list[GraphNode], edges: list[tuple[int, int]]) -> dict[int, tuple[float, float]]:
    """x, y for each node: one row per depth, each row ordered by where its parents sit."""
    parents: dict[int, list[int]] = {node.index: [] for node in nodes}
    for parent, child in edges:
        parents[child].append(parent)
    where: dict[int, tuple[float, float]] = {}
    for depth in range(max(node.depth for node in nodes) + 1):
        row = [node.index for node in nodes if node.depth == depth]
        row.sort(key=lambda i: (sum(where[p][0] for p in parents[i]) / len(parents[i])) if parents[i] else 0.0)
        for slot, index in enumerate(row):
            where[index] = (slot - (len(row) - 1) / 2, -float(depth))
    return where


def draw_graph(root: torch.Tensor, names: dict[str, torch.Tensor] | None = None, ax: Axes | None = None,
               title: str | None = None) -> Figure:
    """Draw the graph behind ``root``: root at the top, leaves (green) at the bottom.

    Arrows point the way gradients travel during ``backward()``: from the result to the leaves.
    """
    nodes, edges = walk_graph(root, names)
    where = _layout(nodes, edges)
    widest = max(sum(1 for node in nodes if node.depth == depth) for depth in {node.depth for node in nodes})
    levels = max(node.depth for node in nodes) + 1
    if ax is None:
        ax = plt.figure(figsize=(max(5.0, 3.3 * widest), 1.0 + 0.9 * levels)).add_subplot()
    artists = {}
    for node in nodes:
        colour = "#b6d7a8" if node.is_leaf else ("#f9cb9c" if node.index == 0 else "#cfe2f3")
        x, y = where[node.index]
        artists[node.index] = ax.text(x, y, node.label, ha="center", va="center", fontsize=8, zorder=3,
                                      bbox={"boxstyle": "round,pad=0.4", "facecolor": colour,
                                            "edgecolor": "#555555"})
    drawn: dict[tuple[int, int], int] = {}
    for parent, child in edges:
        repeat = drawn[(parent, child)] = drawn.get((parent, child), -1) + 1  # an input used twice: bend it
        ax.annotate("", xy=(0.5, 1.0), xycoords=artists[child], xytext=(0.5, 0.0), textcoords=artists[parent],
                    arrowprops={"arrowstyle": "->", "color": "#444444", "shrinkA": 2, "shrinkB": 2,
                                "connectionstyle": f"arc3,rad={0.3 * repeat}"}, zorder=2)
    xs = [x for x, _ in where.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(-levels + 0.5, 0.5)
    ax.set_axis_off()
    ax.set_title(title or "backward graph: gradients flow from the result (top) to the leaves (green)", fontsize=9)
    return ax.figure
