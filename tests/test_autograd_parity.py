"""Autograd as a PyTorch user meets it, compared with PyTorch: in-place ops on tensors that other
nodes or views still use, the grad-mode context managers and decorators, ``backward(inputs=...)``."""

import warnings

import numpy as np
import pytest

import zengrad as zg
from hypothesis import given, settings, strategies as st

torch = pytest.importorskip("torch")


def _both(fn):
    """``fn(m)`` with m = zengrad and m = torch, each result as float64 NumPy arrays."""
    def arrays(result):
        results = result if isinstance(result, tuple) else (result,)
        return [np.asarray(r.detach().numpy() if hasattr(r, "detach") else r, dtype=np.float64)
                for r in results]
    return arrays(fn(zg)), arrays(fn(torch))


IN_PLACE = {
    "consumer recorded before mul_": lambda m: _grad_after(m, lambda x: _consumer_then_mul(x)),
    "mul_ of the base seen by a view": lambda m: _values_of(m, lambda y: (y[0], y.mul_(3))),
    "mul_ of a view seen by the base": lambda m: _values_of(m, lambda y: (y[0].mul_(3), y)),
    "setitem on a transpose seen by the base": lambda m: _values_of(m, lambda y: (_set(y.t(), (0, 1), 0.0), y)),
    "add_ then a saved-free use": lambda m: _grad_after(m, lambda x: _add_then_sum(x)),
}


def _consumer_then_mul(x):
    y = x * 2
    z = y + 1
    y.mul_(3)
    return (z + y * y).sum()


def _add_then_sum(x):
    y = x.sin()
    w = y + 1
    y.add_(1)
    return (w * 3 + y).sum()


def _set(t, index, value):
    t[index] = value
    return t


def _values_of(m, action):
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    return action(x * 2)


def _grad_after(m, loss):
    x = m.tensor([[1.0, -2.0, 0.5], [3.0, 4.0, -1.5]], requires_grad=True)
    loss(x).backward()
    return x.grad


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_in_place_ops_under_recording_match_pytorch_for_values_and_gradients(name):
    ours, theirs = _both(IN_PLACE[name])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_in_place_on_a_view_of_a_leaf_that_requires_grad_raises_as_in_pytorch():
    for m in (torch, zg):
        x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        with pytest.raises(RuntimeError):
            x.t()[0].mul_(2)
        with m.no_grad():
            x[0].mul_(2)
        assert x[0, 1].item() == 4.0


def test_grad_modes_work_bare_as_decorators_and_set_grad_enabled_acts_at_once():
    for m in (torch, zg):
        x = m.ones(2, requires_grad=True)

        @m.no_grad
        def doubled(a):
            return a * 2

        @m.enable_grad
        def tripled(a):
            return a * 3

        @m.inference_mode
        def halved(a):
            return a / 2

        assert not doubled(x).requires_grad and not halved(x).requires_grad
        with m.no_grad():
            assert tripled(x).requires_grad
        with m.inference_mode():
            assert m.is_inference_mode_enabled() and not (x * 2).requires_grad
        assert not m.is_inference_mode_enabled() and m.is_grad_enabled()
        m.set_grad_enabled(False)
        assert not (x * 2).requires_grad and not m.is_grad_enabled()
        m.set_grad_enabled(True)

        @m.set_grad_enabled(False)
        def quartered(a):
            return a / 4

        assert m.is_grad_enabled() and not quartered(x).requires_grad and m.is_grad_enabled()


def test_backward_with_inputs_fills_only_their_grad_as_in_pytorch(rng):
    values, weights = rng.standard_normal((3, 5)), rng.standard_normal(5)
    results = []
    for m in (zg, torch):
        x = m.tensor(values, requires_grad=True)
        w = m.tensor(weights, requires_grad=True)
        h = x * 1
        (h @ w).sin().sum().backward(inputs=[h, w])
        assert x.grad is None
        results.append((h.grad.detach().numpy(), w.grad.detach().numpy()))
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12)


# ---- ±inf, NaN and 0: no NumPy warning escapes, forward or backward ---------------------------

SPECIAL = [0.0, -0.0, 1.0, -1.0, float("inf"), -float("inf"), float("nan"), 1e-45, 1e38, 0.5, -2.5]
UNARY = ["exp", "log", "sqrt", "rsqrt", "sin", "cos", "tan", "tanh", "sigmoid", "abs", "log1p", "expm1",
         "reciprocal", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "erfc",
         "erfinv", "floor", "frac", "square", "sinc", "logit", "neg", "sum", "mean", "norm", "std", "max"]


def _special_run(m, fn, *columns):
    tensors = [m.tensor(column, requires_grad=True) for column in columns]
    out = fn(m, *tensors)
    out.sum().backward()
    return [out.detach().numpy()] + [t.grad.numpy() for t in tensors]


def _assert_special_parity(fn, *columns):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = _special_run(zg, fn, *columns)
    theirs = _special_run(torch, fn, *columns)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6, equal_nan=True)


@pytest.mark.parametrize("name", UNARY)
def test_unary_ops_on_special_values_give_pytorchs_values_and_gradients_without_warnings(name):
    _assert_special_parity(lambda m, x: getattr(x, name)(), SPECIAL)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "atan2", "maximum", "fmod", "remainder",
                                  "hypot", "xlogy", "logaddexp", "copysign"])
def test_binary_ops_on_special_values_give_pytorchs_values_and_gradients_without_warnings(name):
    values = [0.0, -0.0, 1.0, -1.0, float("inf"), -float("inf"), float("nan"), 2.0, -3.0]
    left, right = (list(column) for column in zip(*[(a, b) for a in values for b in values]))
    _assert_special_parity(lambda m, a, b: getattr(m, name)(a, b), left, right)


@pytest.mark.parametrize("expression", [
    lambda x: x * float("inf") + x * -float("inf"), lambda x: x * x.log(), lambda x: x ** 0.5 + x ** -1 + x ** 2.5,
    lambda x: x.cumsum(0) * x.logsumexp(0), lambda x: (x - x).exp() / x], ids=range(5))
def test_gradient_sums_meeting_inf_and_nan_give_pytorchs_values_without_warnings(expression):
    _assert_special_parity(lambda m, x: expression(x), [0.0, -1.0, 2.0, float("inf")])


def _rows(lib):
    return lib.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]], dtype=lib.float64, requires_grad=True)


def _copy_into_zeros(lib):
    y = _rows(lib)
    out = lib.zeros(3, 3, dtype=lib.float64)
    out[0].copy_(y[1])
    return out * lib.arange(9.0, dtype=lib.float64).reshape(3, 3), y


def _scale_a_row(lib):
    x = _rows(lib)
    y = x * 1
    y[0].mul_(10)
    return y * y, x


def _slice_of_a_flat_view(lib):
    x = _rows(lib)
    y = x * 2
    y.view(-1)[1:4].mul_(3)
    return y ** 2, x


def _view_made_before_the_base_changed(lib):
    x = _rows(lib)
    y = x * 1
    v = y[0]
    y.mul_(2)
    v.add_(1)
    return v * v, x


def _base_read_after_a_column_changed(lib):
    x = _rows(lib)
    y = x * 1
    v = y[:, 1]
    v.mul_(5)
    return lib.cat([(y * y).reshape(-1), v]), x


def _diagonal_filled(lib):
    x = _rows(lib)
    y = x * 1
    y.diagonal().fill_(0)
    return y * y, x


def _narrowed_then_unbound(lib):
    x = _rows(lib)
    y = x * 1
    y.narrow(1, 0, 2).mul_(3)
    y.select(0, 1).add_(y.select(0, 0).detach())
    return y * y, x


def _assigned_through_views_of_zeros(lib):
    x = _rows(lib)
    z = lib.zeros(2, 2, 3, dtype=lib.float64)
    z[1][0] = x[0]
    z[1][1, :2] = x[1, 1:]
    return z * z, x


def _view_of_a_view(lib):
    x = _rows(lib)
    y = (x * 1).reshape(3, 2)
    w = y[1:]
    w[0].mul_(7)
    return y * x.reshape(3, 2), x


def _permuted_view(lib):
    x = _rows(lib)
    y = x * 1
    y.unsqueeze(0).permute(2, 1, 0)[0].mul_(4)
    y.t()[2].sub_(x[:, 0])
    return y * y, x


def _transposed_base(lib):
    x = _rows(lib)
    y = (x * 1).t()
    y[1:].mul_(y[:1].detach() + 1)
    return y.exp(), x


def _sibling_read_after_the_write(lib):
    x = _rows(lib)
    out = lib.zeros(2, 3, dtype=lib.float64)
    first, second = out[0], out[:, 1]
    first.copy_(x[0] * 2)
    return second * lib.tensor([3.0, 5.0], dtype=lib.float64), x


@pytest.mark.parametrize("scenario", [
    _copy_into_zeros, _scale_a_row, _slice_of_a_flat_view, _view_made_before_the_base_changed,
    _base_read_after_a_column_changed, _diagonal_filled, _narrowed_then_unbound, _assigned_through_views_of_zeros,
    _view_of_a_view, _permuted_view, _transposed_base, _sibling_read_after_the_write], ids=lambda f: f.__name__[1:])
def test_in_place_through_a_view_rewrites_the_base_history_as_pytorch(scenario):
    """An in-place op on a view (y[0].mul_(10), zeros(3, 3)[0].copy_(h), y.diagonal().fill_(0))
    changes the base, and gradients through the base, the view and views made before the change
    include it, as PyTorch's CopySlices gives them."""
    results = {}
    for lib in (zg, torch):
        out, x = scenario(lib)
        upstream = lib.tensor(np.linspace(-1.0, 2.0, out.numel()).reshape(out.shape), dtype=lib.float64)
        out.backward(upstream)
        results[lib] = (out.detach().numpy(), x.grad.numpy())
    for mine, theirs in zip(results[zg], results[torch]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)


def test_in_place_through_a_view_of_a_leaf_or_with_repeated_elements_is_refused():
    for lib in (zg, torch):
        x = lib.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf"):
            x[0].mul_(2)
        with pytest.raises(RuntimeError, match="single memory location"):
            (x * 1)[:1].expand(3, 3).add_(1)


def test_an_in_place_layer_on_a_view_gives_pytorchs_gradient():
    grads = []
    for lib in (zg, torch):
        layer = lib.nn.Linear(3, 4)
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=lib.float32))
            layer.bias.copy_(lib.tensor([0.5, -0.5, 0.1, -0.1]))
        out = layer(lib.tensor([[1.0, 2.0, -3.0], [0.5, -1.0, 2.0]]))
        lib.nn.ReLU(inplace=True)(out.view(8)[1:])
        (out * out).sum().backward()
        grads.append(layer.weight.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_a_factor_changed_in_place_is_refused_only_where_backward_reads_it_as_in_pytorch():
    for lib in (zg, torch):
        x = lib.ones(2, 2, requires_grad=True)
        y = x * 1
        y[0] = y[0] * 10
        y.sum().backward()
        assert x.grad.tolist() == [[10.0, 10.0], [1.0, 1.0]]
        layer = lib.nn.Linear(2, 3)
        out = layer(lib.ones(4, 2))
        with lib.no_grad():
            layer.weight.add_(1)  # read only for the input's gradient, which nobody wants
        out.sum().backward()
        assert layer.weight.grad.tolist() == [[4.0, 4.0]] * 3
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        product = a * b
        with lib.no_grad():
            b.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            product.sum().backward()


def test_next_functions_walk_the_graph_as_in_pytorch():
    def shape_of(node, lib):
        if node is None:
            return None
        if type(node).__name__ == "AccumulateGrad":
            return ("leaf", tuple(node.variable.shape))
        return [shape_of(child, lib) for child, _ in node.next_functions]

    walked = []
    for lib in (zg, torch):
        w = lib.ones(3, 2, requires_grad=True)
        x = lib.ones(4, 3)
        loss = ((x @ w).relu() * 2).sum()
        walked.append(shape_of(loss.grad_fn, lib))
        assert all(index == 0 for _, index in loss.grad_fn.next_functions)
    assert walked[0] == walked[1]


_VIEW_STEPS = {  # one view op each, as (name, applies, to a tensor of at least 2 dims)
    "rows": lambda t: t[1:],
    "every other column": lambda t: t[:, ::2],
    "transpose": lambda t: t.transpose(0, 1),
    "first row as a column": lambda t: t[0].unsqueeze(1),
    "diagonal": lambda t: t.diagonal().unsqueeze(0),
    "flat slice": lambda t: t.reshape(-1)[1:].unsqueeze(0) if t.is_contiguous() else t,
}


@given(steps=st.lists(st.sampled_from(sorted(_VIEW_STEPS)), min_size=1, max_size=3),
       transposed_base=st.booleans(), rows=st.integers(2, 5), cols=st.integers(2, 6),
       op=st.sampled_from(["mul_", "add_", "copy_", "clamp_"]))
@settings(max_examples=40, deadline=None, derandomize=True)
def test_in_place_ops_through_chains_of_views_match_pytorch(steps, transposed_base, rows, cols, op):
    """Random chains of views of a base (itself contiguous, or a transposed NumPy array), one in-place
    op through the last view with an operand that needs a gradient: values and gradients as PyTorch's."""
    shape = (rows, cols)
    results = []
    for lib in (zg, torch):
        memory = np.zeros(shape[::-1]).T if transposed_base else np.zeros(shape)  # a base not row-major
        y = lib.from_numpy(memory)
        x = lib.tensor(np.arange(rows * cols, dtype=np.float64).reshape(shape), requires_grad=True)
        w = lib.tensor(1.5, dtype=lib.float64, requires_grad=True)
        y.add_(x)
        view = y
        for step in steps:
            view = _VIEW_STEPS[step](view) if view.ndim >= 2 else view
        if op == "clamp_":
            view.clamp_(min=w)
        elif op == "copy_":
            view.copy_(w * 2)
        else:
            getattr(view, op)(w)
        (y * y).sum().backward()
        results.append([y.detach().numpy().copy(), x.grad.numpy(), 0 if w.grad is None else w.grad.numpy()])
    for mine, theirs in zip(*results):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)


def _nan_in_backward(lib):
    x = lib.tensor([1.0, 0.0, 4.0], requires_grad=True)
    y = x.sqrt()  # d sqrt/dx at 0 is inf; times 0 below gives NaN in SqrtBackward0's output
    return (y * lib.tensor([1.0, 0.0, 1.0])).sum()


def test_detect_anomaly_names_the_node_whose_gradient_is_nan_as_pytorch():
    for lib in (zg, torch):
        with lib.autograd.detect_anomaly():
            loss = _nan_in_backward(lib)
            with pytest.raises(RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th output"):
                loss.backward()
        _nan_in_backward(lib).backward()  # outside the mode the NaN passes silently
        assert not lib.is_anomaly_enabled()


def test_set_detect_anomaly_and_the_decorator():
    zg.autograd.set_detect_anomaly(True)
    try:
        assert zg.is_anomaly_enabled() and zg.is_anomaly_check_nan_enabled()
    finally:
        zg.autograd.set_detect_anomaly(False)
    assert not zg.is_anomaly_enabled()

    @zg.autograd.detect_anomaly()
    def step():
        _nan_in_backward(zg).backward()
    with pytest.raises(RuntimeError, match="Traceback of the forward call"):
        step()


def test_variable_and_the_grad_modes_under_torch_autograd_names():
    for lib in (zg, torch):
        t = lib.ones(2)
        v = lib.autograd.Variable(t, requires_grad=True)
        assert v.requires_grad and v.is_leaf and not t.requires_grad
        with lib.autograd.no_grad():
            assert not (v * 2).requires_grad
        with lib.autograd.set_grad_enabled(False):
            assert not (v * 2).requires_grad


def _rows_written_in_a_loop(lib):
    gen = np.random.default_rng(5)
    w = lib.tensor(gen.standard_normal((7, 7)) * 0.3, requires_grad=True)
    h = lib.tensor(gen.standard_normal((3, 7)))
    out = lib.zeros(11, 3, 7, dtype=lib.float64)
    for t in range(11):
        h = (h @ w).tanh()
        out[t] = h
        out[t, :, t % 7] *= 2  # a write through a view of the row just written
    (out ** 2).sum().backward()
    return out.detach().numpy(), w.grad.numpy()


def test_a_loop_writing_rows_into_a_buffer_matches_pytorch_and_keeps_no_copies():
    """``out[t] = h`` in a loop, as RNN code writes it: values and gradients as PyTorch's; the
    recorded writes hold no copy of ``out`` (their first input is a zero-stride stand-in)."""
    for mine, theirs in zip(_rows_written_in_a_loop(zg), _rows_written_in_a_loop(torch)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    out = zg.zeros(5, 4)
    out[2] = zg.ones(4, requires_grad=True) * 3
    assert out.grad_fn.name() == "torch::autograd::CopySlices" and not any(out.grad_fn.inputs[0]._data.strides)


def test_reading_grad_of_a_non_leaf_warns_as_pytorch():
    for lib in (zg, torch):
        x = lib.ones(2, requires_grad=True)
        y = x * 2
        with pytest.warns(UserWarning, match="not a leaf Tensor"):
            assert y.grad is None
        y.retain_grad()
        y.sum().backward()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert y.grad.tolist() == [1.0, 1.0] and x.grad.tolist() == [2.0, 2.0]
            assert lib.ones(2).grad is None  # a leaf that needs no gradient: None, quietly
