"""The CUDA LSTM (kernels/cuda/lstm.cu) against a float64 NumPy reference and against cuDNN.

Every path is checked — the step-by-step driver, the persistent kernel, and the automatic choice —
in values and in all gradients, with hidden sizes where the persistent kernel fits on the device and
where it does not. Every buffer CuPy hands out during these tests starts as NaN (see the
``nan_memory`` fixture), so an output element a kernel forgets to write fails the comparison.
Skipped as a whole when CUDA (CuPy + a device) is unavailable or zengrad._C was built without CUDA.
"""

import os
import zlib

import numpy as np
import pytest

from cuda_support import require_cuda_kernels

pytestmark = pytest.mark.gpu
cp = require_cuda_kernels()

from zengrad import kernels, kernels_cuda  # noqa: E402
from zengrad._native import native  # noqa: E402
MODES = ("auto", "stepwise", "persistent")


@pytest.fixture(autouse=True)
def nan_memory():
    """Every CuPy allocation inside a test is filled with NaN (all bits set) before it is handed out."""
    pool = None if os.environ.get("ZENGRAD_CUDA_NO_POOL") else cp.cuda.MemoryPool()
    previous = cp.cuda.get_allocator()

    def allocate(size):
        memory = pool.malloc(size) if pool else cp.cuda.MemoryPointer(cp.cuda.Memory(size), 0)
        if size:
            cp.cuda.runtime.memsetAsync(memory.ptr, 0xFF, size, cp.cuda.get_current_stream().ptr)
        return memory

    cp.cuda.set_allocator(allocate)
    try:
        yield
    finally:
        cp.cuda.set_allocator(previous)


# ---------------------------------------------------------------------------------------------
# float64 NumPy reference: the equations of lstm.cu written out directly
# ---------------------------------------------------------------------------------------------

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_forward(x, h0, c0, w_ih, w_hh, bias):
    T, B, _ = x.shape
    H = h0.shape[1]
    y = np.zeros((T, B, H))
    gates = np.zeros((T, B, 4 * H))
    cells = np.zeros((T, B, H))
    h, c = h0, c0
    for t in range(T):
        z = x[t] @ w_ih.T + h @ w_hh.T + bias
        i, f, g, o = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H]), np.tanh(z[:, 2 * H:3 * H]), sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        y[t], cells[t] = h, c
        gates[t] = np.concatenate([i, f, g, o], axis=1)
    return y, h, c, gates, cells


def reference_backward(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, gates, cells):
    T, B, _ = x.shape
    H = h0.shape[1]
    dx = np.zeros_like(x)
    dw_ih, dw_hh, dbias = np.zeros_like(w_ih), np.zeros_like(w_hh), np.zeros(4 * H)
    dh, dc = dh_n, dc_n
    for t in reversed(range(T)):
        i, f, g, o = (gates[t][:, q * H:(q + 1) * H] for q in range(4))
        c = cells[t]
        c_prev = cells[t - 1] if t else c0
        h_prev = gates[t - 1][:, 3 * H:] * np.tanh(cells[t - 1]) if t else h0
        dh_t = dy[t] + dh
        tanh_c = np.tanh(c)
        dc_t = dc + dh_t * o * (1 - tanh_c**2)
        dz = np.concatenate([dc_t * g * i * (1 - i), dc_t * c_prev * f * (1 - f), dc_t * i * (1 - g**2),
                             dh_t * tanh_c * o * (1 - o)], axis=1)
        dx[t] = dz @ w_ih
        dw_ih += dz.T @ x[t]
        dw_hh += dz.T @ h_prev
        dbias += dz.sum(axis=0)
        dh = dz @ w_hh
        dc = dc_t * f
    return dx, dh, dc, dw_ih, dw_hh, dbias


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def make_inputs(T, B, I, H, seed):
    """Fresh random float32 inputs (PyTorch's weight scale) as NumPy arrays."""
    rng = np.random.default_rng(seed)
    scale = 1.0 / np.sqrt(max(H, 1))
    f32 = np.float32
    return dict(
        x=rng.standard_normal((T, B, I)).astype(f32),
        h0=rng.standard_normal((B, H)).astype(f32) * f32(0.5),
        c0=rng.standard_normal((B, H)).astype(f32) * f32(0.5),
        w_ih=rng.uniform(-scale, scale, (4 * H, I)).astype(f32),
        w_hh=rng.uniform(-scale, scale, (4 * H, H)).astype(f32),
        bias=rng.uniform(-scale, scale, 4 * H).astype(f32),
    )


def make_grads(T, B, H, seed):
    rng = np.random.default_rng(seed + 1)
    return dict(dy=rng.standard_normal((T, B, H)).astype(np.float32),
                dh_n=rng.standard_normal((B, H)).astype(np.float32),
                dc_n=rng.standard_normal((B, H)).astype(np.float32))


def to_gpu(arrays):
    return {k: cp.asarray(v) for k, v in arrays.items()}


def assert_close(got, want, name, rtol=2e-4):
    got = cp.asnumpy(got).astype(np.float64)
    assert got.shape == want.shape, f"{name}: shape {got.shape}, expected {want.shape}"
    assert not np.isnan(got).any(), f"{name}: NaN in the output (an element was never written?)"
    if want.size == 0:
        return
    scale = np.linalg.norm(want)
    err = np.linalg.norm(got - want)
    if scale == 0:
        assert err == 0, f"{name}: expected zeros, error {err:.3e}"
    else:
        assert err <= rtol * scale, f"{name}: relative error {err / scale:.3e} > {rtol}"


def seed_of(*key):
    return zlib.crc32(repr(key).encode())


def persistent_fits(T, B, I, H, backward):
    return kernels_cuda.persistent_status(T, B, I, H, backward=backward) == ""


def expected_path(mode, T, B, I, H, backward):
    if T == 0 or B == 0 or H == 0:
        return "none"
    if mode == "stepwise":
        return "stepwise"
    return "persistent" if persistent_fits(T, B, I, H, backward) else "stepwise"


# Sizes: ones, odd sizes, a batch past 64 and not a multiple of 4, I = 0, empty T, B and H,
# H not a multiple of 4 (scalar staging in the persistent kernel), backward K = 4H above one chunk.
# Step by step, the recurrent GEMMs split k (gemm.cuh) from H = 64 on (2 splits) up to the benchmark's
# B = 64, H = 512, where dh = dz W_hh (64×512, k = 2048) runs as 16 splits.
SIZES = [
    (1, 1, 1, 1), (3, 2, 5, 7), (6, 5, 3, 33), (4, 7, 10, 64), (2, 70, 9, 17), (5, 3, 0, 6),
    (0, 3, 4, 5), (3, 0, 4, 5), (2, 3, 4, 0), (4, 5, 6, 301), (9, 16, 12, 128), (3, 64, 16, 512),
]


# ---------------------------------------------------------------------------------------------
# tests
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sizes", SIZES, ids=lambda s: "T{}B{}I{}H{}".format(*s))
def test_lstm_matches_reference(mode, sizes):
    T, B, I, H = sizes
    seed = seed_of(mode, sizes)
    inputs = make_inputs(T, B, I, H, seed)
    grads = make_grads(T, B, H, seed)
    ref = reference_forward(*(inputs[k].astype(np.float64) for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")))
    gpu = to_gpu(inputs)
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    if mode == "persistent" and not persistent_fits(T, B, I, H, False) and T and B and H:
        with pytest.raises(ValueError, match="persistent"):
            kernels_cuda.lstm_forward(*args, mode=mode)
        return
    out = kernels_cuda.lstm_forward(*args, mode=mode)
    assert kernels_cuda.last_lstm_path["forward"] == expected_path(mode, T, B, I, H, False)
    for name, got, want in zip(("y", "h_n", "c_n", "gates", "cells"), out, ref):
        assert_close(got, want, f"forward {mode} {sizes} {name}")

    y, h_n, c_n, gates, cells = out
    ref_grads = reference_backward(*(a.astype(np.float64) for a in (
        grads["dy"], grads["dh_n"], grads["dc_n"], inputs["x"], inputs["h0"], inputs["c0"], inputs["w_ih"],
        inputs["w_hh"])), ref[3], ref[4])
    g = to_gpu(grads)
    if mode == "persistent" and not persistent_fits(T, B, I, H, True) and T and B and H:
        with pytest.raises(ValueError, match="persistent"):
            kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], gates, cells, mode=mode)
        return
    back = kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], gates, cells, mode=mode)
    assert kernels_cuda.last_lstm_path["backward"] == expected_path(mode, T, B, I, H, True)
    for name, got, want in zip(("dx", "dh0", "dc0", "dw_ih", "dw_hh", "dbias"), back, ref_grads):
        assert_close(got, want, f"backward {mode} {sizes} {name}", rtol=5e-4)


@pytest.mark.parametrize("mode", ("stepwise", "persistent"))
def test_lstm_is_deterministic(mode):
    """Two runs on the same inputs agree bit for bit: a moving result would point at a race."""
    T, B, I, H = 12, 9, 7, 96
    if mode == "persistent" and not (persistent_fits(T, B, I, H, False) and persistent_fits(T, B, I, H, True)):
        pytest.skip("the persistent kernel does not fit this device")
    gpu = to_gpu(make_inputs(T, B, I, H, 1))
    g = to_gpu(make_grads(T, B, H, 1))
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    results = []
    for _ in range(2):
        y, h_n, c_n, gates, cells = kernels_cuda.lstm_forward(*args, mode=mode)
        back = kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], gates, cells, mode=mode)
        results.append([cp.asnumpy(a) for a in (y, h_n, c_n, gates, cells, *back)])
    for first, second in zip(*results):
        np.testing.assert_array_equal(first, second)


def test_lstm_paths_agree():
    """The persistent kernel and the step-by-step driver compute the same function."""
    T, B, I, H = 10, 6, 11, 40
    if not (persistent_fits(T, B, I, H, False) and persistent_fits(T, B, I, H, True)):
        pytest.skip("the persistent kernel does not fit this device")
    gpu = to_gpu(make_inputs(T, B, I, H, 2))
    g = to_gpu(make_grads(T, B, H, 2))
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    outs = {}
    for mode in ("stepwise", "persistent"):
        fwd = kernels_cuda.lstm_forward(*args, mode=mode)
        back = kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], fwd[3], fwd[4], mode=mode)
        outs[mode] = [cp.asnumpy(a).astype(np.float64) for a in (*fwd, *back)]
    for a, b in zip(outs["stepwise"], outs["persistent"]):
        assert_close(cp.asarray(a), b, "persistent vs stepwise", rtol=1e-5)


@pytest.mark.slow
def test_lstm_where_persistent_does_not_fit():
    """A hidden size too large for W_hh on chip: auto steps, persistent refuses with the reason."""
    T, B, I = 2, 3, 5
    H = next((h for h in (2048, 3072, 4096) if not persistent_fits(T, B, I, h, False)), None)
    if H is None:
        pytest.skip("this device holds even H = 4096 on chip")
    inputs = make_inputs(T, B, I, H, 3)
    gpu = to_gpu(inputs)
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    with pytest.raises(ValueError, match="does not fit|persistent"):
        kernels_cuda.lstm_forward(*args, mode="persistent")
    out = kernels_cuda.lstm_forward(*args, mode="auto")
    assert kernels_cuda.last_lstm_path["forward"] == "stepwise"
    ref = reference_forward(*(inputs[k].astype(np.float64) for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")))
    for name, got, want in zip(("y", "h_n", "c_n", "gates", "cells"), out, ref):
        assert_close(got, want, f"forward H={H} {name}")


@pytest.mark.slow
def test_lstm_forward_multi_chunk_persistent():
    """H = 1100: the persistent forward stages h_{t-1} in several chunks (when it fits)."""
    T, B, I, H = 3, 2, 5, 1100
    if not persistent_fits(T, B, I, H, False):
        pytest.skip("the persistent kernel does not fit this device at H = 1100")
    inputs = make_inputs(T, B, I, H, 4)
    gpu = to_gpu(inputs)
    out = kernels_cuda.lstm_forward(*(gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")), mode="persistent")
    ref = reference_forward(*(inputs[k].astype(np.float64) for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")))
    for name, got, want in zip(("y", "h_n", "c_n", "gates", "cells"), out, ref):
        assert_close(got, want, f"forward H={H} {name}")


def test_lstm_backward_without_final_state_grads():
    T, B, I, H = 4, 3, 5, 8
    inputs = make_inputs(T, B, I, H, 5)
    grads = make_grads(T, B, H, 5)
    gpu = to_gpu(inputs)
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    fwd = kernels_cuda.lstm_forward(*args)
    back = kernels_cuda.lstm_backward(cp.asarray(grads["dy"]), None, None, *args[:5], fwd[3], fwd[4])
    ref = reference_forward(*(inputs[k].astype(np.float64) for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")))
    zeros = np.zeros((B, H))
    ref_grads = reference_backward(grads["dy"].astype(np.float64), zeros, zeros,
                                   *(inputs[k].astype(np.float64) for k in ("x", "h0", "c0", "w_ih", "w_hh")),
                                   ref[3], ref[4])
    for name, got, want in zip(("dx", "dh0", "dc0", "dw_ih", "dw_hh", "dbias"), back, ref_grads):
        assert_close(got, want, f"backward {name}", rtol=5e-4)


def test_lstm_registered_as_default_once_validated():
    from zengrad import kernels_cuda
    order = ["cuda:fused", "cupy"] if kernels_cuda.VALIDATED_ON_GPU else ["cupy", "cuda:fused"]
    for kernel in ("lstm_forward", "lstm_backward"):
        assert kernels.choose(kernel, "cuda", np.float32).name == order[0]
        assert kernels.available()[kernel]["cuda"][:2] == order
        assert {"cuda:fused", "cuda:persistent", "cuda:stepwise"} <= set(kernels.available()[kernel]["cuda"])


@pytest.mark.skipif(not hasattr(kernels, "lstm_forward"), reason="kernels.lstm_forward entry point not present")
def test_lstm_through_dispatch():
    T, B, I, H = 5, 4, 6, 16
    gpu = to_gpu(make_inputs(T, B, I, H, 6))
    g = to_gpu(make_grads(T, B, H, 6))
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    for impl, mode in kernels_cuda.LSTM_MODES.items():
        if mode == "persistent" and not (persistent_fits(T, B, I, H, False) and persistent_fits(T, B, I, H, True)):
            continue
        fwd = kernels.lstm_forward(*args, impl=impl)
        direct = kernels_cuda.lstm_forward(*args, mode=mode)
        for a, b in zip(fwd, direct):
            np.testing.assert_array_equal(cp.asnumpy(a), cp.asnumpy(b))
        back = kernels.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], fwd[3], fwd[4], impl=impl)
        direct = kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], fwd[3], fwd[4], mode=mode)
        for a, b in zip(back, direct):
            np.testing.assert_array_equal(cp.asnumpy(a), cp.asnumpy(b))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("sizes", [(7, 6, 10, 48), (3, 3, 5, 301)], ids=lambda s: "T{}B{}I{}H{}".format(*s))
def test_lstm_matches_cudnn(mode, sizes):
    """Against torch.nn.LSTM on CUDA (cuDNN), TF32 off, in outputs and every gradient."""
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch sees no CUDA device")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    T, B, I, H = sizes
    if mode == "persistent" and not (persistent_fits(T, B, I, H, False) and persistent_fits(T, B, I, H, True)):
        pytest.skip("the persistent kernel does not fit this device")
    inputs = make_inputs(T, B, I, H, seed_of("cudnn", sizes))
    grads = make_grads(T, B, H, seed_of("cudnn", sizes))
    dev = torch.device("cuda")
    lstm = torch.nn.LSTM(I, H).to(dev)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(inputs["w_ih"]))
        lstm.weight_hh_l0.copy_(torch.from_numpy(inputs["w_hh"]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(inputs["bias"]))
        lstm.bias_hh_l0.zero_()
    x = torch.from_numpy(inputs["x"]).to(dev).requires_grad_()
    h0 = torch.from_numpy(inputs["h0"]).to(dev)[None].requires_grad_()
    c0 = torch.from_numpy(inputs["c0"]).to(dev)[None].requires_grad_()
    y, (h_n, c_n) = lstm(x, (h0, c0))
    loss = ((y * torch.from_numpy(grads["dy"]).to(dev)).sum() + (h_n[0] * torch.from_numpy(grads["dh_n"]).to(dev)).sum()
            + (c_n[0] * torch.from_numpy(grads["dc_n"]).to(dev)).sum())
    loss.backward()
    torch.cuda.synchronize()
    want = {k: v.detach().cpu().numpy().astype(np.float64) for k, v in dict(
        y=y, h_n=h_n[0], c_n=c_n[0], dx=x.grad, dh0=h0.grad[0], dc0=c0.grad[0], dw_ih=lstm.weight_ih_l0.grad,
        dw_hh=lstm.weight_hh_l0.grad, dbias=lstm.bias_ih_l0.grad).items()}

    gpu = to_gpu(inputs)
    g = to_gpu(grads)
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    y_, h_n_, c_n_, gates, cells = kernels_cuda.lstm_forward(*args, mode=mode)
    back = kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], gates, cells, mode=mode)
    got = dict(y=y_, h_n=h_n_, c_n=c_n_, **dict(zip(("dx", "dh0", "dc0", "dw_ih", "dw_hh", "dbias"), back)))
    for name in want:
        assert_close(got[name], want[name], f"cuDNN {mode} {sizes} {name}", rtol=5e-4)


def test_lstm_rejects_bad_input():
    T, B, I, H = 3, 2, 4, 5
    gpu = to_gpu(make_inputs(T, B, I, H, 8))
    args = [gpu[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
    bad_shape = list(args)
    bad_shape[4] = cp.zeros((4 * H, H + 1), dtype=cp.float32)
    with pytest.raises(ValueError, match="w_hh"):
        kernels_cuda.lstm_forward(*bad_shape)
    bad_dtype = list(args)
    bad_dtype[0] = args[0].astype(cp.float64)
    with pytest.raises(TypeError, match="float32"):
        kernels_cuda.lstm_forward(*bad_dtype)
    host = list(args)
    host[5] = cp.asnumpy(args[5])
    with pytest.raises(TypeError, match="CuPy"):
        kernels_cuda.lstm_forward(*host)
    with pytest.raises(ValueError, match="x must be"):
        kernels_cuda.lstm_forward(args[0][0], *args[1:])
    with pytest.raises(ValueError, match="mode"):
        kernels_cuda.lstm_forward(*args, mode="fastest")
    y, h_n, c_n, gates, cells = kernels_cuda.lstm_forward(*args)
    with pytest.raises(ValueError, match="gates"):
        kernels_cuda.lstm_backward(y, h_n, c_n, *args[:5], gates[:, :, :H], cells)
    # the C++ layer checks what Python might not: workspace size and null pointers
    ptrs = [a.data.ptr for a in args]
    outs = [cp.empty(s, dtype=cp.float32) for s in ((T, B, H), (B, H), (B, H), (T, B, 4 * H), (T, B, H))]
    need = native().cuda.lstm_workspace_floats(False, T, B, I, H)
    work = cp.empty(max(need, 1), dtype=cp.float32)
    stream = cp.cuda.get_current_stream().ptr
    with pytest.raises(ValueError, match="workspace"):
        native().cuda.lstm_forward(*ptrs, *(o.data.ptr for o in outs), work.data.ptr, need - 1, T, B, I, H, "auto",
                                   stream)
    with pytest.raises(ValueError, match="null"):
        native().cuda.lstm_forward(0, *ptrs[1:], *(o.data.ptr for o in outs), work.data.ptr, need, T, B, I, H,
                                   "auto", stream)
    with pytest.raises(ValueError):
        native().cuda.lstm_forward(*ptrs, *(o.data.ptr for o in outs), work.data.ptr, need, -1, B, I, H, "auto",
                                   stream)
