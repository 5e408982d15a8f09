"""The whole-sequence Elman RNN: the native C++ kernel (kernels/cpu/rnn.cpp), the NumPy reference,
the fused node (ops/rnn.py), the composed layer (ops.recurrent) and torch.nn.RNN.

Chain of trust: the reference's backward is checked by finite differences in float64 and its
values and gradients equal the composed layer's (which autograd differentiates); the native
float32 kernel agrees with the reference on awkward sizes; nn.RNN through the fused node agrees
with the composed path and (tests/test_recurrent.py) with torch.nn.RNN.
"""

import numpy as np
import pytest

import zengrad as zg
from zengrad import kernels, nn
from zengrad._native import native
from zengrad.ops.recurrent import composed_rnn_layer
from zengrad.ops.rnn import FusedRNN, fused_rnn, native_rnn_impl
from conftest import to_numpy
from recurrent_checks import assert_matches_finite_differences, assert_same_outputs_and_gradients

needs_native = pytest.mark.skipif(native_rnn_impl("cpu", zg.float32) is None,
                                  reason="no native RNN kernel built")
COMPOSED = dict(rnn_forward="numpy", rnn_backward="numpy")  # reference impls → composed path
SIZES = [(1, 1, 1, 1), (1, 4, 3, 5), (3, 5, 7, 11), (7, 2, 31, 17), (4, 13, 97, 33), (2, 64, 8, 130), (53, 1, 3, 7)]
NONLINEARITIES = ("tanh", "relu")
GRAD_NAMES = ("dx", "dh0", "dw_ih", "dw_hh", "dbias")


def make_problem(T, B, I, H, seed=0):
    """float64 inputs (x, h0, w_ih, w_hh, bias) and upstream gradients (dy, dh_n)."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(H)
    inputs = [rng.uniform(-1, 1, (T, B, I)), rng.uniform(-1, 1, (B, H))]
    inputs += [rng.uniform(-bound, bound, shape) for shape in ((H, I), (H, H), (H,))]
    return inputs, [rng.standard_normal((T, B, H)), rng.standard_normal((B, H))]


def loss_and_grads(inputs, grads, nonlinearity, impl):
    y = kernels.rnn_forward(*inputs, nonlinearity, impl=impl)
    dy, dh_n = grads
    return y, kernels.rnn_backward(dy, dh_n, *inputs[:4], y, nonlinearity, impl=impl)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_reference_backward_matches_finite_differences(nonlinearity):
    inputs, (dy, dh_n) = make_problem(3, 2, 3, 4, seed=1)

    def loss(*args):
        y = kernels.rnn_forward(*args, nonlinearity, impl="numpy")
        return np.sum(y * dy) + np.sum(y[-1] * dh_n)

    _, analytic = loss_and_grads(inputs, (dy, dh_n), nonlinearity, "numpy")
    assert_matches_finite_differences(loss, inputs, analytic, GRAD_NAMES)


@needs_native
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("T,B,I,H", SIZES)
def test_native_matches_float64_reference(T, B, I, H, nonlinearity):
    inputs, grads = make_problem(T, B, I, H, seed=T * 100 + H)
    y64, g64 = loss_and_grads(inputs, grads, nonlinearity, "numpy")
    as32 = [a.astype(np.float32) for a in inputs]
    y32, g32 = loss_and_grads(as32, [g.astype(np.float32) for g in grads], nonlinearity, "cpu:native")
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, y64, rtol=1e-4, atol=2e-5, err_msg="y")
    for name, a, e in zip(GRAD_NAMES, g32, g64):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(e).max()), err_msg=name)


@needs_native
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("T,B,I,H", [(3, 64, 5, 37), (4, 33, 20, 64)])
def test_native_cut_into_batch_parts_matches_reference(T, B, I, H, threads, kernel_threads):
    """Batches big enough to give each thread its own rows, uneven cuts; the parallel threshold
    lowered to 0 so these small sizes are cut too."""
    inputs, grads = make_problem(T, B, I, H, seed=5)
    y64, g64 = loss_and_grads(inputs, grads, "tanh", "numpy")
    kernel_threads(threads, threshold=0)
    assert native().cpu.sequence_threads(T, B, I, H, H) == min(threads, B // 8)
    y32, g32 = loss_and_grads([a.astype(np.float32) for a in inputs],
                              [g.astype(np.float32) for g in grads], "tanh", "cpu:native")
    np.testing.assert_allclose(y32, y64, rtol=1e-4, atol=2e-5, err_msg="y")
    for name, a, e in zip(GRAD_NAMES, g32, g64):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-4 * max(1.0, np.abs(e).max()), err_msg=name)


@needs_native
def test_native_takes_views_and_missing_gradients():
    inputs, (dy, _) = make_problem(5, 3, 4, 6, seed=2)
    x, h0, w_ih, w_hh, bias = [a.astype(np.float32) for a in inputs]
    x_view = np.ascontiguousarray(x.transpose(1, 0, 2)).transpose(1, 0, 2)  # (T, B, I), not contiguous
    w_hh_view = np.ascontiguousarray(w_hh.T).T
    assert not x_view.flags.c_contiguous and not w_hh_view.flags.c_contiguous
    y = kernels.rnn_forward(x_view, h0, w_ih, w_hh_view, bias, impl="cpu:native")
    np.testing.assert_array_equal(y, kernels.rnn_forward(x, h0, w_ih, w_hh, bias, impl="cpu:native"))
    native = kernels.rnn_backward(dy.astype(np.float32), None, x_view, h0, w_ih, w_hh_view, y, impl="cpu:native")
    reference = kernels.rnn_backward(dy, np.zeros_like(inputs[1]), *inputs[:4],
                                     kernels.rnn_forward(*inputs, impl="numpy"), impl="numpy")
    for name, a, e in zip(GRAD_NAMES, native, reference):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("impl", ["numpy"] + (["cpu:native"] if native_rnn_impl("cpu", zg.float32) else []))
def test_bad_arguments_name_the_kernel_and_shapes(impl):
    inputs, (dy, dh_n) = make_problem(3, 2, 4, 5)
    x, h0, w_ih, w_hh, bias = [a.astype(np.float32) for a in inputs]
    with pytest.raises(ValueError, match=r"rnn_forward: w_ih must have shape \(5, 4\).*w_ih \(5, 3\)"):
        kernels.rnn_forward(x, h0, w_ih[:, :3], w_hh, bias, impl=impl)
    with pytest.raises(ValueError, match="rnn_forward: nonlinearity must be 'tanh' or 'relu', got 'gelu'"):
        kernels.rnn_forward(x, h0, w_ih, w_hh, bias, "gelu", impl=impl)
    with pytest.raises(TypeError, match="rnn_forward: all arrays must share one floating dtype"):
        kernels.rnn_forward(x, h0.astype(np.float64), w_ih, w_hh, bias, impl=impl)
    y = kernels.rnn_forward(x, h0, w_ih, w_hh, bias, impl=impl)
    with pytest.raises(ValueError, match=r"rnn_backward: y must have shape \(3, 2, 5\)"):
        kernels.rnn_backward(dy.astype(np.float32), None, x, h0, w_ih, w_hh, y[:2], impl=impl)


# ---- the fused node and nn.RNN --------------------------------------------------------------------

def _layer_args(rng, T, B, I, H):
    shapes = [(T, B, I), (B, H), (H, I), (H, H), (H,)]
    return [zg.tensor(rng.standard_normal(s) * 0.5, dtype=zg.float64, requires_grad=True) for s in shapes]


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("T,B,I,H", [(1, 1, 1, 1), (5, 3, 4, 7), (13, 2, 9, 5)])
def test_fused_reference_matches_composed_in_float64(T, B, I, H, nonlinearity, rng):
    args = _layer_args(rng, T, B, I, H)
    fused = fused_rnn(*args, nonlinearity=nonlinearity, impl="numpy")
    composed = composed_rnn_layer(*args[:4], args[4], None, nonlinearity)
    assert_same_outputs_and_gradients(fused, composed, args, rng)


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_fused_gradcheck_and_grad_of_grad(nonlinearity, rng):
    args = _layer_args(rng, 3, 2, 3, 4)

    def layer(*xs):
        y, h = fused_rnn(*xs, nonlinearity=nonlinearity, impl="numpy")
        return zg.cat([y.reshape(-1), h.reshape(-1)])

    assert zg.autograd.gradcheck(layer, args)
    assert zg.autograd.gradgradcheck(layer, args[:1] + [a.detach() for a in args[1:]])


@needs_native
@pytest.mark.parametrize("num_layers,batch_first,bias,with_state,nonlinearity", [
    (1, False, True, False, "tanh"), (2, True, True, True, "tanh"), (2, False, False, True, "relu"),
    (1, True, True, True, "relu")])
@pytest.mark.parametrize("T,B", [(1, 1), (17, 3)])
def test_nn_rnn_native_matches_composed(num_layers, batch_first, bias, with_state, nonlinearity, T, B):
    zg.manual_seed(3)
    rng = np.random.default_rng(3)
    rnn = nn.RNN(6, 7, num_layers=num_layers, nonlinearity=nonlinearity, bias=bias, batch_first=batch_first)
    x_data = rng.standard_normal((B, T, 6) if batch_first else (T, B, 6)).astype(np.float32)
    state = rng.standard_normal((num_layers, B, 7)).astype(np.float32)

    def run():
        rnn.zero_grad()
        x = zg.tensor(x_data, requires_grad=True)
        h0 = zg.tensor(state, requires_grad=True) if with_state else None
        out, h = rnn(x, h0)
        (out.tanh().sum() + (h * h).sum()).backward()
        grads = [x.grad] + ([h0.grad] if with_state else []) + [p.grad for p in rnn.parameters()]
        return [to_numpy(out), to_numpy(h)], [to_numpy(g) for g in grads]

    native_values, native_grads = run()
    with kernels.use(**COMPOSED):
        ref_values, ref_grads = run()
    for a, b in zip(native_values + native_grads, ref_values + ref_grads):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


@needs_native
def test_nn_rnn_uses_the_fused_node_for_float32_only(monkeypatch):
    calls = []
    original = FusedRNN.apply.__func__

    def spy(cls, *args, **kwargs):
        calls.append(kwargs["impl"])
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(FusedRNN, "apply", classmethod(spy))
    nn.RNN(3, 4, num_layers=2)(zg.randn(5, 2, 3))
    assert calls == ["cpu:native"] * 2
    nn.RNN(3, 4).double()(zg.randn(5, 2, 3, dtype=zg.float64))  # float64: the composed reference
    assert len(calls) == 2
    assert native_rnn_impl("cpu", zg.float64) is None
    with kernels.use(**COMPOSED):
        assert native_rnn_impl("cpu", zg.float32) is None


@needs_native
def test_the_binding_itself_refuses_bad_arguments():
    """The C++ entry points check again (a caller may bypass zengrad.kernels): no crash, a clear error."""
    from zengrad._native import native
    inputs, (dy, dh_n) = make_problem(3, 2, 4, 5)
    x, h0, w_ih, w_hh, bias = [a.astype(np.float32) for a in inputs]
    cpu = native().cpu
    with pytest.raises(ValueError, match=r"cpu.rnn_forward: w_hh must have shape \(5, 5\), got \(4, 5\)"):
        cpu.rnn_forward(x, h0, w_ih, w_hh[:4], bias)
    with pytest.raises(ValueError, match="cpu.rnn_forward: nonlinearity must be 'tanh' or 'relu'"):
        cpu.rnn_forward(x, h0, w_ih, w_hh, bias, "sigmoid")
    y = cpu.rnn_forward(x, h0, w_ih, w_hh, bias)
    with pytest.raises(ValueError, match=r"cpu.rnn_backward: dh_n must have shape \(2, 5\)"):
        cpu.rnn_backward(dy.astype(np.float32), dh_n[:1].astype(np.float32), x, h0, w_ih, w_hh, y)
    with pytest.raises(ValueError, match="cpu.rnn_backward"):
        cpu.rnn_backward(dy.astype(np.float32), dh_n.astype(np.float32), x, h0, w_ih, w_hh, y.astype(np.float64))


@pytest.mark.gpu
@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_cupy_reference_matches_numpy(nonlinearity):
    """float64 on a GPU: the CuPy reference (what nn.RNN's composed path is held to there)."""
    from zengrad import backend
    if not backend.cuda_is_available():
        pytest.skip(f"CUDA unavailable: {backend.cuda_unavailable_reason()}")
    device = "cuda"
    inputs, grads = make_problem(4, 3, 5, 6, seed=5)
    y_ref, g_ref = loss_and_grads(inputs, grads, nonlinearity, "numpy")
    on_device = [backend.to_device(a, device) for a in inputs + grads]
    y = kernels.rnn_forward(*on_device[:5], nonlinearity)
    g = kernels.rnn_backward(*on_device[5:], *on_device[:4], y, nonlinearity)
    np.testing.assert_allclose(backend.to_device(y, "cpu"), y_ref, rtol=1e-12, atol=1e-12)
    for name, a, e in zip(GRAD_NAMES, g, g_ref):
        np.testing.assert_allclose(backend.to_device(a, "cpu"), e, rtol=1e-10, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("layer", ["rnn", "lstm"])
def test_tied_weights_get_one_gradient_with_and_without_create_graph(layer, rng):
    """The same tensor as W_ih and W_hh: its gradient is the sum over both uses, once."""
    from zengrad.ops.lstm import fused_lstm
    H = 3
    gate_rows = H if layer == "rnn" else 4 * H
    x = zg.tensor(rng.standard_normal((4, 2, H)), dtype=zg.float64)
    h0 = zg.tensor(rng.standard_normal((2, H)), dtype=zg.float64)
    w = zg.tensor(rng.standard_normal((gate_rows, H)) * 0.5, dtype=zg.float64, requires_grad=True)
    b = zg.tensor(rng.standard_normal(gate_rows), dtype=zg.float64, requires_grad=True)

    def loss(w_ih, w_hh):
        if layer == "rnn":
            y, _ = fused_rnn(x, h0, w_ih, w_hh, b, impl="numpy")
        else:
            y, _, _ = fused_lstm(x, h0, h0, w_ih, w_hh, b, impl="numpy")
        return (y * y).sum()

    w2 = zg.tensor(to_numpy(w), dtype=zg.float64, requires_grad=True)
    expected = [to_numpy(g) for g in zg.autograd.grad(loss(w, w2), [w, w2])]
    for create_graph in (False, True):
        (tied,) = zg.autograd.grad(loss(w, w), [w], create_graph=create_graph)
        np.testing.assert_allclose(to_numpy(tied), expected[0] + expected[1], rtol=1e-12,
                                   err_msg=f"create_graph={create_graph}")
