"""The whole-sequence LSTM: native C++ (kernels/cpu/lstm.cpp) vs the NumPy reference vs PyTorch.

Chain of trust: the reference's backward is checked by finite differences in float64; the
reference agrees with torch.nn.LSTM (values and autograd gradients) to float64 precision; the
native float32 kernel agrees with both to float32 precision, on awkward sizes.
"""

import numpy as np
import pytest

from zengrad import kernels
from zengrad._native import native
from recurrent_checks import assert_matches_finite_differences

needs_native = pytest.mark.skipif(native() is None, reason="zengrad._C is not built")

SIZES = [  # (T, B, I, H)
    (1, 1, 1, 1), (1, 4, 3, 5), (3, 5, 7, 11), (7, 2, 31, 17), (4, 13, 97, 33), (2, 64, 8, 64),
]
FORWARD_NAMES = ("y", "h_n", "c_n", "gates", "cells")
BACKWARD_NAMES = ("dx", "dh0", "dc0", "dw_ih", "dw_hh", "dbias")


def make_problem(T, B, I, H, dtype=np.float64, seed=0):
    """Inputs (x, h0, c0, w_ih, w_hh, bias) and upstream gradients (dy, dh_n, dc_n)."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(H)
    inputs = [rng.uniform(-1, 1, shape) for shape in ((T, B, I), (B, H), (B, H))]
    inputs += [rng.uniform(-bound, bound, shape) for shape in ((4 * H, I), (4 * H, H), (4 * H,))]
    grads = [rng.standard_normal(shape) for shape in ((T, B, H), (B, H), (B, H))]
    return [a.astype(dtype) for a in inputs], [g.astype(dtype) for g in grads]


def run_both(inputs, grads, impl):
    forward = kernels.lstm_forward(*inputs, impl=impl)
    backward = kernels.lstm_backward(*grads, *inputs[:5], forward[3], forward[4], impl=impl)
    return forward, backward


def assert_close(actual, expected, names, rtol, atol):
    for name, a, e in zip(names, actual, expected):
        assert a.shape == e.shape, f"{name}: shape {a.shape} != {e.shape}"
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=name)


# ---- the reference, on its own ----------------------------------------------------------------------

def test_reference_backward_matches_finite_differences():
    inputs, (dy, dh_n, dc_n) = make_problem(3, 2, 3, 2, seed=1)

    def loss(*args):
        y, h_n, c_n, _, _ = kernels.lstm_forward(*args, impl="numpy")
        return np.sum(y * dy) + np.sum(h_n * dh_n) + np.sum(c_n * dc_n)

    forward = kernels.lstm_forward(*inputs, impl="numpy")
    analytic = kernels.lstm_backward(dy, dh_n, dc_n, *inputs[:5], forward[3], forward[4], impl="numpy")
    assert_matches_finite_differences(loss, inputs, analytic, BACKWARD_NAMES)


# ---- PyTorch as the outside reference ---------------------------------------------------------------

def torch_lstm(inputs, grads, dtype):
    """Values and gradients from torch.nn.LSTM with the same weights (bias split as b_ih = bias)."""
    torch = pytest.importorskip("torch")
    x, h0, c0, w_ih, w_hh, bias = (torch.tensor(a, dtype=dtype, requires_grad=True) for a in inputs)
    T, B, I = x.shape
    H = h0.shape[1]
    lstm = torch.nn.LSTM(I, H).to(dtype)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(w_ih)
        lstm.weight_hh_l0.copy_(w_hh)
        lstm.bias_ih_l0.copy_(bias)
        lstm.bias_hh_l0.zero_()
    y, (h_n, c_n) = lstm(x, (h0[None], c0[None]))
    dy, dh_n, dc_n = (torch.tensor(g, dtype=dtype) for g in grads)
    torch.autograd.backward([y, h_n[0], c_n[0]], [dy, dh_n, dc_n])
    values = [t.detach().numpy() for t in (y, h_n[0], c_n[0])]
    params = lstm.weight_ih_l0, lstm.weight_hh_l0
    gradients = [x.grad, h0.grad, c0.grad, params[0].grad, params[1].grad]
    assert np.allclose(lstm.bias_ih_l0.grad.numpy(), lstm.bias_hh_l0.grad.numpy())
    return values, [g.numpy() for g in gradients] + [lstm.bias_ih_l0.grad.numpy()]


@pytest.mark.parametrize("T,B,I,H", SIZES[:4])
def test_reference_matches_torch_in_float64(T, B, I, H):
    torch = pytest.importorskip("torch")
    inputs, grads = make_problem(T, B, I, H)
    values, gradients = torch_lstm(inputs, grads, torch.float64)
    forward, backward = run_both(inputs, grads, "numpy")
    assert_close(forward[:3], values, FORWARD_NAMES, rtol=1e-10, atol=1e-12)
    assert_close(backward, gradients, BACKWARD_NAMES, rtol=1e-9, atol=1e-11)


@needs_native
@pytest.mark.parametrize("T,B,I,H", SIZES)
def test_native_matches_torch(T, B, I, H):
    torch = pytest.importorskip("torch")
    inputs, grads = make_problem(T, B, I, H, seed=2)
    values, gradients = torch_lstm(inputs, grads, torch.float64)
    forward, backward = run_both([a.astype(np.float32) for a in inputs],
                                 [g.astype(np.float32) for g in grads], "cpu:native")
    assert_close(forward[:3], values, FORWARD_NAMES, rtol=1e-4, atol=1e-5)
    assert_close(backward, gradients, BACKWARD_NAMES, rtol=1e-4, atol=2e-5 * np.sqrt(T * B))


# ---- native against the reference ---------------------------------------------------------------------

@needs_native
@pytest.mark.parametrize("T,B,I,H", SIZES + [(11, 3, 257, 31), (5, 17, 64, 130), (53, 1, 3, 7)])
def test_native_matches_reference_everywhere(T, B, I, H):
    inputs, grads = make_problem(T, B, I, H, seed=3)
    ref_forward, ref_backward = run_both(inputs, grads, "numpy")
    forward, backward = run_both([a.astype(np.float32) for a in inputs],
                                 [g.astype(np.float32) for g in grads], "cpu:native")
    for result in (*forward, *backward):
        assert result.dtype == np.float32
    assert_close(forward, ref_forward, FORWARD_NAMES, rtol=1e-4, atol=1e-5)
    assert_close(backward, ref_backward, BACKWARD_NAMES, rtol=1e-4, atol=2e-5 * np.sqrt(T * B))


@needs_native
@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("T,B,I,H", [(3, 64, 5, 37), (4, 33, 20, 64), (2, 17, 40, 40), (37, 17, 9, 13),
                                     (70, 16, 5, 9)])
def test_native_cut_into_batch_parts_matches_reference(T, B, I, H, threads, kernel_threads):
    """Batches big enough to give each thread its own rows (8 or more), on more threads than some
    sizes have parts for, and uneven cuts; the parallel threshold lowered to 0 so these small
    sizes are cut too. The last two have more T·B rows than one 512-deep block of the
    weight-gradient GEMM (a full block and a short one per part) and 4H not a multiple of 32."""
    kernel_threads(threads, threshold=0)
    assert native().cpu.sequence_threads(T, B, I, H, 4 * H) == min(threads, B // 8)
    inputs, grads = make_problem(T, B, I, H, seed=4)
    ref_forward, ref_backward = run_both(inputs, grads, "numpy")
    forward, backward = run_both([a.astype(np.float32) for a in inputs],
                                 [g.astype(np.float32) for g in grads], "cpu:native")
    assert_close(forward, ref_forward, FORWARD_NAMES, rtol=1e-4, atol=1e-5)
    assert_close(backward, ref_backward, BACKWARD_NAMES, rtol=1e-4, atol=2e-5 * np.sqrt(T * B))


@needs_native
def test_native_is_the_float32_default_and_float64_uses_the_reference():
    assert kernels.choose("lstm_forward", "cpu", np.float32).name == "cpu:native"
    assert kernels.choose("lstm_backward", "cpu", np.float32).name == "cpu:native"
    assert kernels.choose("lstm_forward", "cpu", np.float64).name == "numpy"
    with pytest.raises(TypeError, match="cpu:native"):
        kernels.lstm_forward(*make_problem(1, 1, 1, 1)[0], impl="cpu:native")


@pytest.mark.parametrize("impl", ["numpy", pytest.param("cpu:native", marks=needs_native)])
def test_missing_upstream_gradients_mean_zeros(impl):
    inputs, (dy, dh_n, dc_n) = make_problem(4, 3, 5, 6, dtype=np.float32, seed=4)
    _, _, _, gates, cells = kernels.lstm_forward(*inputs, impl=impl)
    zeros = np.zeros_like(dh_n)
    cases = [((None, dh_n, dc_n), (np.zeros_like(dy), dh_n, dc_n)),
             ((dy, None, None), (dy, zeros, zeros))]
    for given, explicit in cases:
        implicit_grads = kernels.lstm_backward(*given, *inputs[:5], gates, cells, impl=impl)
        explicit_grads = kernels.lstm_backward(*explicit, *inputs[:5], gates, cells, impl=impl)
        assert_close(implicit_grads, explicit_grads, BACKWARD_NAMES, rtol=0, atol=0)


@needs_native
def test_non_contiguous_inputs_are_accepted():
    inputs, _ = make_problem(5, 4, 6, 3, dtype=np.float32, seed=5)
    x_batch_first = np.ascontiguousarray(inputs[0].transpose(1, 0, 2))
    strided = [x_batch_first.transpose(1, 0, 2), inputs[1].T.copy().T, *inputs[2:]]
    assert not strided[0].flags.c_contiguous
    for got, want in zip(kernels.lstm_forward(*strided), kernels.lstm_forward(*inputs)):
        np.testing.assert_array_equal(got, want)


# ---- errors: clear, early, never a crash -------------------------------------------------------------------

def _forward_args(**changes):
    inputs, _ = make_problem(3, 2, 4, 5, dtype=np.float32)
    args = dict(zip(("x", "h0", "c0", "w_ih", "w_hh", "bias"), inputs))
    args.update(changes)
    return args


@pytest.mark.parametrize("change, error, message", [
    (dict(h0=np.zeros((2, 6), np.float32)), ValueError, r"lstm_forward: h0 must have shape \(2, 5\)"),
    (dict(w_ih=np.zeros((20, 3), np.float32)), ValueError, r"w_ih must have shape \(20, 4\)"),
    (dict(bias=np.zeros((19,), np.float32)), ValueError, r"bias must have shape \(20,\)"),
    (dict(x=np.zeros((2, 4), np.float32)), ValueError, r"x must be \(T, B, I\)"),
    (dict(x=np.zeros((0, 2, 4), np.float32)), ValueError, "every size must be >= 1"),
    (dict(c0=np.zeros((2, 5), np.float64)), TypeError, "one floating dtype"),
    (dict(x=[[1.0]]), TypeError, "x must be a NumPy or CuPy array"),
])
def test_lstm_forward_rejects_bad_inputs_naming_shapes(change, error, message):
    with pytest.raises(error, match=message) as info:
        kernels.lstm_forward(**_forward_args(**change))
    if error is ValueError:
        assert "x (" in str(info.value)  # every shape is listed


def test_lstm_backward_rejects_bad_gradients():
    args = _forward_args()
    _, _, _, gates, cells = kernels.lstm_forward(**args, impl="numpy")
    with pytest.raises(ValueError, match=r"lstm_backward: dy must have shape \(3, 2, 5\)"):
        kernels.lstm_backward(np.zeros((3, 2, 4), np.float32), None, None, args["x"], args["h0"],
                              args["c0"], args["w_ih"], args["w_hh"], gates, cells)
    with pytest.raises(ValueError, match=r"gates must have shape \(3, 2, 20\)"):
        kernels.lstm_backward(None, None, None, args["x"], args["h0"], args["c0"], args["w_ih"],
                              args["w_hh"], gates[:, :, :10], cells)


@needs_native
@pytest.mark.parametrize("name, bad, message", [
    ("h0", np.zeros((2, 6), np.float32), r"h0 must have shape \(2, 5\)"),
    ("w_hh", np.zeros((20, 4), np.float32), r"w_hh must have shape"),
    ("bias", np.zeros((20,), np.float64), "bias must be float32"),
    ("x", np.zeros((0, 2, 4), np.float32), "every size must be >= 1"),
    ("x", np.zeros((3, 2, 4), np.float32)[:, :, ::2], "x must be C-contiguous"),
])
def test_native_lstm_validates_in_cpp_too(name, bad, message):
    args = _forward_args()
    args[name] = bad
    with pytest.raises(ValueError, match=message):
        native().cpu.lstm_forward(*args.values())


@needs_native
def test_native_lstm_backward_validates_in_cpp_too():
    args = _forward_args()
    _, _, _, gates, cells = native().cpu.lstm_forward(*args.values())
    zeros = np.zeros((2, 5), np.float32)
    with pytest.raises(ValueError, match=r"cells must have shape \(3, 2, 5\)"):
        native().cpu.lstm_backward(np.zeros((3, 2, 5), np.float32), zeros, zeros, args["x"], args["h0"],
                                   args["c0"], args["w_ih"], args["w_hh"], gates, cells[:2])
