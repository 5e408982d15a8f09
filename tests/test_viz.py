"""zengrad.viz: the autograd graph as DOT (rendered when Graphviz is installed) and image grids."""

import re
import shutil

import numpy as np
import pytest

import zengrad as zg
from zengrad import viz


def _tensor_labels(dot: str) -> list[str]:
    return re.findall(r'shape=ellipse, label="([^"]*)"', dot)


def test_graph_shows_ops_and_every_tensor_with_shape_values_and_grads():
    x = zg.tensor([[1.0, 2.0]], requires_grad=True)
    w = zg.tensor([[0.5], [-1.0]], requires_grad=True)
    loss = (x @ w).tanh().sum()
    dot = viz.draw_graph(loss, names={x: "x", "w": w})  # tensor -> name and name -> tensor both work
    for op in ("MatMul", "Tanh", "Sum"):
        assert f'label="{op}"' in dot
    labels = _tensor_labels(dot)
    assert len(labels) == 5  # x, w, the product, its tanh, the loss
    assert "x\\n(1, 2) float32\\nvalue [[1., 2.]]" in labels
    assert any(label.startswith("w\\n(2, 1) float32") for label in labels)
    assert sum(label.startswith("(1, 1) float32") for label in labels) == 2  # the intermediates are nodes
    assert dot.count("->") == 7  # x, w -> MatMul -> t -> Tanh -> t -> Sum -> loss
    loss.backward(retain_graph=True)
    assert "grad [[" in viz.to_dot(loss, names={x: "x"})


def test_grads_true_shows_the_gradient_of_every_small_intermediate():
    x = zg.tensor([0.3, -1.2], dtype=zg.float64, requires_grad=True)
    inner = x * 2.0
    loss = inner.tanh().sum()
    dot = viz.to_dot(loss, names={"inner": inner}, grads=True)
    (label,) = [label for label in _tensor_labels(dot) if label.startswith("inner")]
    shown = np.array([float(v) for v in re.search(r"grad \[([^\]]*)\]", label).group(1).split(",")])
    np.testing.assert_allclose(shown, 1 - np.tanh(inner._data) ** 2, atol=1e-3)  # printed to 3 digits
    assert x.grad is None  # drawing computes gradients without touching .grad


def test_composed_lstm_gates_are_labelled_i_f_g_o():
    from zengrad.ops.recurrent import composed_lstm_layer

    zg.manual_seed(0)
    hidden = 3
    x = zg.randn(2, 1, 5, dtype=zg.float64)
    h0, c0 = zg.zeros(1, hidden, dtype=zg.float64), zg.zeros(1, hidden, dtype=zg.float64)
    w_ih = zg.randn(4 * hidden, 5, dtype=zg.float64, requires_grad=True)
    w_hh = zg.randn(4 * hidden, hidden, dtype=zg.float64, requires_grad=True)
    _, h_last, _ = composed_lstm_layer(x, h0, c0, w_ih, w_hh)
    labels = _tensor_labels(viz.to_dot(h_last.sum()))
    for gate in "ifgo":
        assert sum(label.startswith(f"gate {gate}\\n(1, {hidden})") for label in labels) == 2  # one per step


def test_a_four_way_split_that_is_not_an_lstm_is_not_labelled():
    a = zg.randn(2, 8, requires_grad=True)
    pieces = a.chunk(4, dim=1)
    loss = sum(piece.sigmoid().sum() for piece in pieces)
    assert "gate" not in viz.to_dot(loss)


def test_names_must_pair_tensors_with_strings():
    x = zg.randn(2, requires_grad=True)
    with pytest.raises(TypeError, match="names must pair tensors with strings"):
        viz.to_dot((x * 2).sum(), names={"x": 3})


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
