"""The reference kernels: readable NumPy (OpenBLAS) and CuPy (cuBLAS) versions of every kernel.

They are always registered and always correct; the native kernels (``kernels_cpu``,
``kernels_cuda``) are tested against them. ``lstm_*``, ``rnn_*``, ``layer_norm_*``, ``softmax_*``, ``cross_entropy_forward``, ``relu_*`` and ``self_attention_*`` follow the shape contract
stated once in ``zengrad.kernels`` (the front end checks it before any implementation runs).
"""

from __future__ import annotations

import math

import numpy as np

from . import backend
from .kernel_registry import choose, register


def _numpy_matmul(a, b):
    return np.matmul(a, b)


def _cupy_matmul(a, b):
    return backend.cupy().matmul(a, b)


#: the dtypes PyTorch multiplies matrices of on the CPU: ints (wrapping around, as PyTorch's do) and
#: float16 besides float32 and float64 (NumPy computes them without BLAS)
MATMUL_DTYPES = (np.float32, np.float64, np.float16, np.uint8, np.int8, np.int16, np.int32, np.int64)

register("matmul", "numpy", "cpu", _numpy_matmul, priority=10, dtypes=MATMUL_DTYPES,
         description="NumPy (OpenBLAS) reference")
register("matmul", "cupy", "cuda", _cupy_matmul, priority=10,
         description="CuPy (cuBLAS) reference")


def _sigmoid(xp, z):
    return 0.5 * (1.0 + xp.tanh(0.5 * z))  # σ without overflow for large |z|


def _lstm_forward_reference(x, h0, c0, w_ih, w_hh, bias):
    """The readable LSTM on NumPy or CuPy: one input GEMM for all steps, then a loop over time."""
    xp = backend.array_module(backend.device_of(x))
    (T, B, I), H = x.shape, h0.shape[1]
    gates = (x.reshape(T * B, I) @ w_ih.T).reshape(T, B, 4 * H)
    y, cells = xp.empty((T, B, H), dtype=x.dtype), xp.empty((T, B, H), dtype=x.dtype)
    h, c = h0, c0
    for t in range(T):
        z = gates[t] + h @ w_hh.T + bias
        i, f, o = (_sigmoid(xp, z[:, k * H:(k + 1) * H]) for k in (0, 1, 3))
        g = xp.tanh(z[:, 2 * H:3 * H])
        c = f * c + i * g
        h = o * xp.tanh(c)
        gates[t] = xp.concatenate([i, f, g, o], axis=1)
        y[t], cells[t] = h, c
    return y, h.copy(), c.copy(), gates, cells


def _lstm_backward_reference(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, gates, cells):
    """Backward through time on NumPy or CuPy; weight gradients as GEMMs over all steps at the end."""
    xp = backend.array_module(backend.device_of(x))
    (T, B, I), H = x.shape, h0.shape[1]
    i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
    tanh_c = xp.tanh(cells)
    c_prev = xp.concatenate([c0[None], cells[:-1]])
    h_prev = xp.concatenate([h0[None], (o * tanh_c)[:-1]])
    dz = xp.empty_like(gates)
    dh, dc = dh_n, dc_n
    for t in reversed(range(T)):
        dh_t = dh + dy[t]
        dc = dc + dh_t * o[t] * (1 - tanh_c[t] ** 2)
        dz[t] = xp.concatenate([dc * g[t] * i[t] * (1 - i[t]), dc * c_prev[t] * f[t] * (1 - f[t]),
                                dc * i[t] * (1 - g[t] ** 2), dh_t * tanh_c[t] * o[t] * (1 - o[t])], axis=1)
        dc = dc * f[t]
        dh = dz[t] @ w_hh
    dz_rows = dz.reshape(T * B, 4 * H)
    dx = (dz_rows @ w_ih).reshape(T, B, I)
    dw_ih = dz_rows.T @ x.reshape(T * B, I)
    dw_hh = dz_rows.T @ h_prev.reshape(T * B, H)
    return dx, dh, dc, dw_ih, dw_hh, dz_rows.sum(axis=0)


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("lstm_forward", _name, _device, _lstm_forward_reference, priority=10,
             description=f"{_name} reference: input GEMM for all steps, loop over time")
    register("lstm_backward", _name, _device, _lstm_backward_reference, priority=10,
             description=f"{_name} reference: backward through time, weight GEMMs at the end")


def _rnn_forward_reference(x, h0, w_ih, w_hh, bias, nonlinearity):
    """The readable RNN on NumPy or CuPy: one input GEMM for all steps, then a loop over time."""
    xp = backend.array_module(backend.device_of(x))
    (T, B, I), H = x.shape, h0.shape[1]
    y = (x.reshape(T * B, I) @ w_ih.T).reshape(T, B, H)
    h = h0
    for t in range(T):
        z = y[t] + h @ w_hh.T + bias
        h = xp.tanh(z) if nonlinearity == "tanh" else xp.maximum(z, 0)
        y[t] = h
    return y


def _rnn_backward_reference(dy, dh_n, x, h0, w_ih, w_hh, y, nonlinearity):
    """Backward through time on NumPy or CuPy; weight gradients as GEMMs over all steps at the end."""
    xp = backend.array_module(backend.device_of(x))
    (T, B, I), H = x.shape, h0.shape[1]
    slope = 1 - y * y if nonlinearity == "tanh" else (y > 0).astype(y.dtype)
    dz = xp.empty_like(y)
    dh = dh_n
    for t in reversed(range(T)):
        dz[t] = (dy[t] + dh) * slope[t]
        dh = dz[t] @ w_hh
    dz_rows = dz.reshape(T * B, H)
    h_prev = xp.concatenate([h0[None], y[:-1]]).reshape(T * B, H)
    dx = (dz_rows @ w_ih).reshape(T, B, I)
    return dx, dh, dz_rows.T @ x.reshape(T * B, I), dz_rows.T @ h_prev, dz_rows.sum(axis=0)


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("rnn_forward", _name, _device, _rnn_forward_reference, priority=10,
             description=f"{_name} reference: input GEMM for all steps, loop over time")
    register("rnn_backward", _name, _device, _rnn_backward_reference, priority=10,
             description=f"{_name} reference: backward through time, weight GEMMs at the end")


def _layer_norm_forward_reference(x, weight, bias, eps):
    """Layer norm of each row on NumPy or CuPy, one array operation per step of the formula."""
    xp = backend.array_module(backend.device_of(x))
    inv_n = x.dtype.type(1 / x.shape[1])
    mean = xp.einsum("ij->i", x) * inv_n  # einsum: faster than mean over short rows
    y = x - mean[:, None]
    rstd = 1 / xp.sqrt(xp.einsum("ij,ij->i", y, y) * inv_n + x.dtype.type(eps))
    y *= rstd[:, None]
    if weight is not None:
        y *= weight
    if bias is not None:
        y += bias
    return y, mean, rstd


def _layer_norm_backward_reference(dy, x, mean, rstd, weight):
    """∂x = r · (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) with ĝ = dy · γ;  ∂γ = Σ dy · x̂,  ∂β = Σ dy."""
    xp = backend.array_module(backend.device_of(x))
    inv_n = x.dtype.type(1 / x.shape[1])
    x_hat = (x - mean[:, None]) * rstd[:, None]
    g_hat = dy * weight if weight is not None else dy
    dx = g_hat - x_hat * (xp.einsum("ij,ij->i", g_hat, x_hat) * inv_n)[:, None]
    dx -= (xp.einsum("ij->i", g_hat) * inv_n)[:, None]
    dx *= rstd[:, None]
    return dx, xp.einsum("ij,ij->j", dy, x_hat), dy.sum(axis=0)


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("layer_norm_forward", _name, _device, _layer_norm_forward_reference, priority=10,
             description=f"{_name} reference: one array operation per step of the formula")
    register("layer_norm_backward", _name, _device, _layer_norm_backward_reference, priority=10,
             description=f"{_name} reference: one array operation per step of the formula")


_SMALLEST_ROW_SUM = math.exp(-23.0)


def _softmax_forward_reference(shifted):
    """softmax over the last axis of ``shifted`` (for attention, the scores plus any additive
    mask), which it may overwrite (it returns the weights, in a new array or in ``shifted``).

    Subtract a shift c, exponentiate, divide by the row sum. Softmax does not change when a row is
    shifted, and any c at or above the row's maximum keeps e^(s − c) ≤ 1, so one c for the whole
    array, its largest element, is enough (one scalar subtraction instead of a maximum and a
    subtraction per row); where that leaves a row's sum below e^−23 (its maximum far under the
    array's, where float32's smallest normal numbers would start to lose its smaller weights), or
    the largest element is not finite, each row is shifted by its own maximum instead. The row
    sums are an ``einsum`` (faster than ``sum`` over short rows; a product with a vector of ones
    would wake BLAS's threads). A row masked everywhere gives NaN, as PyTorch's softmax does.
    """
    xp = backend.array_module(backend.device_of(shifted))
    if shifted.size == 0:
        return shifted
    with np.errstate(invalid="ignore", over="ignore"):
        largest = shifted.max()
        if xp.isfinite(largest):
            weights = shifted - largest
            xp.exp(weights, out=weights)
            sums = xp.einsum("...j->...", weights)[..., None]
            if sums.min() >= _SMALLEST_ROW_SUM:
                weights /= sums
                return weights
        shifted -= shifted.max(axis=-1, keepdims=True)
        xp.exp(shifted, out=shifted)
        shifted /= xp.einsum("...j->...", shifted)[..., None]
    return shifted


def _softmax_backward_reference(y, dy):
    """∂x = y ⊙ (dy − Σ_j dy_j y_j), in ``dy``'s array (the row sums an ``einsum``)."""
    xp = backend.array_module(backend.device_of(y))
    dy -= xp.einsum("...j,...j->...", dy, y)[..., None]
    dy *= y
    return dy


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("softmax_forward", _name, _device, _softmax_forward_reference, priority=10,
             description=f"{_name} reference: one shift for the whole array where it is safe, in place")
    register("softmax_backward", _name, _device, _softmax_backward_reference, priority=10,
             description=f"{_name} reference: one row sum, in place")



def _cross_entropy_forward_reference(x, target):
    """A pass over the array per step: the row maxima, the shift, the exponential, the row sums
    (an ``einsum``: faster than ``sum`` over short rows), the log and the target's shifted logit."""
    xp = backend.array_module(backend.device_of(x))
    with np.errstate(invalid="ignore"):
        shifted = x - x.max(axis=1, keepdims=True)
    picked = shifted[xp.arange(x.shape[0]), target]
    exp_shifted = xp.exp(shifted, out=shifted)
    sums = xp.einsum("ij->i", exp_shifted)
    return exp_shifted, sums, xp.log(sums) - picked


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("cross_entropy_forward", _name, _device, _cross_entropy_forward_reference, priority=10,
             description=f"{_name} reference: one array operation per step")


def _relu_forward_reference(x):
    return backend.array_module(backend.device_of(x)).maximum(x.dtype.type(0), x)  # a tie gives x: −0 stays −0


def _zeroed_where(mask, values):
    """``where(mask, 0, values)`` for a float array, as a bitwise and of the values' bits with
    mask − 1 (all ones where the mask is False, zero where True): exact for every value (inf and
    NaN included) and branch-free; ``where`` on a random mask mispredicts a branch per element
    (4 ms against 0.2 ms for a (2016, 256) float32 gradient)."""
    bits = np.dtype(f"i{values.dtype.itemsize}")
    return backend.array_module(backend.device_of(values)).bitwise_and(
        values.view(bits), mask.view(np.uint8).astype(bits) - 1).view(values.dtype)


def _relu_backward_reference(y, dy):
    return _zeroed_where(y <= 0, dy)


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("relu_forward", _name, _device, _relu_forward_reference, priority=10,
             dtypes=(np.float32, np.float64, np.float16), description=f"{_name} reference: maximum(0, x)")
    register("relu_backward", _name, _device, _relu_backward_reference, priority=10,
             dtypes=(np.float32, np.float64, np.float16), description=f"{_name} reference: a comparison and a bitwise and")


def _heads(packed, heads):
    """(N, L, 3E) -> three (N, h, L, d) views: Q, K, V (or their gradients)."""
    n, length, width = packed.shape
    split = packed.reshape(n, length, 3, heads, width // (3 * heads))
    return tuple(split[:, :, i].transpose(0, 2, 1, 3) for i in range(3))


def _rows_softmax(scores):
    """softmax_forward on (…, L) scores through the registry (the native row softmax where there is one)."""
    chosen = choose("softmax_forward", backend.device_of(scores), scores.dtype)
    rows = (math.prod(scores.shape[:-1]), scores.shape[-1])  # not -1: an empty array has no inferable size
    return chosen.fn(scores.reshape(rows)).reshape(scores.shape)


def _self_attention_forward_reference(qkv, heads, scale, causal, mask):
    """The heads as batched products (NumPy's matmul: OpenBLAS per (L, d) · (d, L) product), the
    masks added to the (N, h, L, L) scores, then the row softmax."""
    xp = backend.array_module(backend.device_of(qkv))
    q, k, v = _heads(qkv, heads)
    scores = xp.matmul(q * qkv.dtype.type(scale), k.swapaxes(-1, -2))
    if causal:
        length = qkv.shape[1]
        scores[..., ~xp.tri(length, dtype=bool)] = -np.inf
    if mask is not None:
        scores += mask
    weights = _rows_softmax(scores)
    n, length, width = qkv.shape
    out = xp.ascontiguousarray(xp.matmul(weights, v).transpose(0, 2, 1, 3)).reshape(n, length, width // 3)
    return out, weights


def _self_attention_backward_reference(qkv, weights, g, heads, scale, causal):
    """Per head, as batched products into one (N, L, 3E) gradient in qkv's layout (``causal`` is
    already in the weights' zeros)."""
    xp = backend.array_module(backend.device_of(qkv))
    q, k, v = _heads(qkv, heads)
    n, length, width = qkv.shape
    g_heads = g.reshape(n, length, heads, width // (3 * heads)).transpose(0, 2, 1, 3)
    grad = xp.empty(qkv.shape, dtype=qkv.dtype)
    grad_q, grad_k, grad_v = _heads(grad, heads)
    grad_v[...] = xp.matmul(weights.swapaxes(-1, -2), g_heads)
    dw = xp.matmul(g_heads, v.swapaxes(-1, -2))
    chosen = choose("softmax_backward", backend.device_of(qkv), qkv.dtype)
    rows = (math.prod(weights.shape[:-1]), length)
    grad_s = chosen.fn(weights.reshape(rows), dw.reshape(rows)).reshape(weights.shape)
    scale = qkv.dtype.type(scale)
    xp.multiply(xp.matmul(grad_s, k), scale, out=grad_q)
    xp.multiply(xp.matmul(grad_s.swapaxes(-1, -2), q), scale, out=grad_k)
    return grad


for _device, _name in (("cpu", "numpy"), ("cuda", "cupy")):
    register("self_attention_forward", _name, _device, _self_attention_forward_reference, priority=10,
             description=f"{_name} reference: batched products, the masks added to the scores, row softmax")
    register("self_attention_backward", _name, _device, _self_attention_backward_reference, priority=10,
             description=f"{_name} reference: batched products into one packed gradient")
