"""zengrad.viz: the autograd graph as DOT (rendered when Graphviz is installed) and image grids."""

import shutil

import numpy as np
import pytest

import zengrad as zg
from zengrad import viz


def test_graph_shows_ops_shapes_values_and_grads():
    x = zg.tensor([[1.0, 2.0]], requires_grad=True)
    w = zg.tensor([[0.5], [-1.0]], requires_grad=True)
    loss = (x @ w).tanh().sum()
    dot = viz.draw_graph(loss, names={x: "x", w: "w"})
    for op in ("MatMul", "Tanh", "Sum"):
        assert f'label="{op}"' in dot
    assert "x\\n(1, 2) float32" in dot and "value [[1., 2.]]" in dot
    assert 'label="(1, 1)"' in dot  # the edge MatMul -> Tanh carries the shape between them
    loss.backward(retain_graph=True)
    assert "grad [[" in viz.to_dot(loss, names={x: "x"})
    assert dot.count("->") == 5  # x, w -> MatMul -> Tanh -> Sum -> loss


def test_graph_after_backward_marks_freed_nodes():
    x = zg.randn(3, requires_grad=True)
    y = x.exp().sum()
    y.backward()
    assert "freed by backward" in viz.to_dot(y)


def test_large_tensors_show_shapes_only():
    x = zg.randn(50, 50, requires_grad=True)
    dot = viz.to_dot((x * 2).sum())
    assert "(50, 50) float32" in dot and "value" not in dot.split("(50, 50)")[1].split("]")[0]


def test_render_or_clear_error(tmp_path):
    loss = (zg.randn(2, requires_grad=True) * 3).sum()
    target = tmp_path / "graph.svg"
    if shutil.which("dot"):
        viz.draw_graph(loss, target)
        assert target.read_text().lstrip().startswith(("<?xml", "<svg"))
    else:
        with pytest.raises(RuntimeError, match="dot` is not installed"):
            viz.draw_graph(loss, target)
        assert (tmp_path / "graph.dot").read_text().startswith("digraph")
    viz.draw_graph(loss, tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text().startswith("digraph")


def test_image_grid_places_every_image():
    images = np.random.default_rng(0).random((5, 3, 2))
    grid = viz.image_grid(images, columns=2)
    assert grid.shape == (3 * 3 + 2, 2 * 2 + 1)
    np.testing.assert_array_equal(grid[4:7, 3:5], images[3])
    np.testing.assert_array_equal(grid[8:11, 0:2], images[4])
