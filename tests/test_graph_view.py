"""Unit tests for helpers.graph_view (walking, printing and drawing a grad_fn graph)."""

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from matplotlib.figure import Figure

from helpers.graph_view import draw_graph, format_graph, walk_graph


def expression():
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    product = a * b
    result = product + a.sin()
    return a, b, product, result


def test_walk_graph_finds_nodes_edges_and_depths():
    a, b, product, result = expression()
    nodes, edges = walk_graph(result, {"a": a, "b": b, "product": product})
    assert [node.kind for node in nodes] == ["AddBackward0", "MulBackward0", "SinBackward0",
                                             "AccumulateGrad", "AccumulateGrad"]
    assert [node.name for node in nodes] == ["", "product", "", "a", "b"]
    assert [node.is_leaf for node in nodes] == [False, False, False, True, True]
    assert [node.depth for node in nodes] == [0, 1, 1, 2, 2]
    assert sorted(edges) == [(0, 1), (0, 2), (1, 3), (1, 4), (2, 3)]


def test_depth_is_the_longest_path():
    x = torch.tensor(1.0, requires_grad=True)
    result = x.exp().exp() + x
    nodes, _ = walk_graph(result, {"x": x})
    leaf = next(node for node in nodes if node.name == "x")
    assert leaf.depth == 3


def test_walk_graph_refuses_a_leaf():
    with pytest.raises(ValueError, match="no grad_fn"):
        walk_graph(torch.tensor(1.0, requires_grad=True))


def test_format_graph_prints_a_tree_and_marks_repeats():
    a, b, product, result = expression()
    assert format_graph(result, {"a": a, "b": b, "result": result}) == "\n".join([
        "result: AddBackward0",
        "├── MulBackward0",
        "│   ├── a: AccumulateGrad",
        "│   └── b: AccumulateGrad",
        "└── SinBackward0",
        "    └── a: AccumulateGrad  (shown above)",
    ])


def test_format_graph_contains_no_memory_addresses():
    a, b, product, result = expression()
    assert "0x" not in format_graph(result)


def test_draw_graph_returns_the_figure_of_the_given_axes():
    import matplotlib.pyplot as plt

    a, b, product, result = expression()
    figure, ax = plt.subplots()
    assert draw_graph(result, {"a": a}, ax=ax) is figure
    assert isinstance(draw_graph(a * a), Figure)
    plt.close("all")
