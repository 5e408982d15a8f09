"""Kernels and dispatch: the front end every caller uses, and the one statement of each kernel's
contract (shapes, dtypes, what it returns).

Which implementation runs is decided by the registry (``zengrad.kernel_registry``, re-exported
here: :func:`available`, :func:`use`, :func:`choose`, :func:`register`; its docstring states the
rules: ``impl=`` on the call, then ``use(...)``, then ``ZENGRAD_<KERNEL>``, then priority). The
implementations themselves live in ``kernels_reference`` (NumPy/CuPy), ``kernels_cpu`` and
``kernels_cuda``.
"""

from __future__ import annotations

import math

import numpy as np

from . import backend
from .errors import OpError
from .kernel_registry import Implementation, available, choose, register, use  # noqa: F401  (the API)


# ---------------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------------

def matmul(a, b, impl: str | None = None):
    """``a @ b`` on raw arrays with NumPy's semantics (1-D promotion, broadcast batch dimensions).

    Native implementations are 2-D GEMMs ``C = op(A) · op(B)``; this function feeds them. A
    transposed view (e.g. ``b.T`` in backward) is passed as its contiguous base with a transpose
    flag, so backward makes no copies; other non-contiguous operands are copied once. Two NumPy
    matrices of one dtype whose sizes align (almost every call) skip the checks that name what
    is wrong with other operands.
    """
    if type(a) is np.ndarray and type(b) is np.ndarray and a.ndim == 2 and b.ndim == 2 \
            and a.dtype is b.dtype and a.shape[1] == b.shape[0]:
        device, work = "cpu", a.size * b.shape[1]  # m·k·n
    else:
        device, work = _checked_device(a, b), _gemm_work(a.shape, b.shape)
    chosen = choose("matmul", device, a.dtype, impl, work=work)
    if chosen.name in ("numpy", "cupy"):
        return chosen.fn(a, b)
    squeeze_a, squeeze_b = a.ndim == 1, b.ndim == 1
    if squeeze_a:
        a = a[None, :]
    if squeeze_b:
        b = b[:, None]
    out = _batched_gemm(backend.array_module(device), chosen.fn, a, b)
    if squeeze_a:
        out = out[..., 0, :]
    if squeeze_b:
        out = out[..., 0]
    return out


def _checked_device(a, b) -> str:
    """The device of both operands, after the checks (devices, dtypes, shapes) that raise naming them."""
    device = backend.device_of(a)
    if backend.device_of(b) != device:
        raise ValueError(f"matmul: operands on different devices ({device} and {backend.device_of(b)})")
    if a.dtype != b.dtype:
        raise TypeError(f"matmul: dtypes differ ({a.dtype} {tuple(a.shape)} and {b.dtype} {tuple(b.shape)})")
    check_matmul_shapes(tuple(a.shape), tuple(b.shape))
    return device


def check_matmul_shapes(shape_a: tuple, shape_b: tuple) -> None:
    """Raise :class:`~zengrad.errors.OpError` (a ValueError) naming both shapes unless ``a @ b`` is defined (NumPy's rules)."""
    if not shape_a or not shape_b:
        raise OpError(f"matmul: operands must have at least 1 dimension, got shapes {shape_a} and {shape_b}")
    inner = shape_b[-2] if len(shape_b) > 1 else shape_b[0]
    if shape_a[-1] != inner:
        raise OpError(f"matmul: shapes {shape_a} and {shape_b} do not align ({shape_a[-1]} != {inner})")


def _gemm_work(shape_a: tuple, shape_b: tuple) -> int:
    """The multiply-adds of the largest single GEMM :func:`_batched_gemm` makes: m·k·n times a's
    batch when B is a matrix (that batch folds into the rows of one GEMM), else m·k·n, since a
    batch of B is a loop of separate GEMMs, each paying a native call's fixed cost (the batched
    products of attention, (N, h, L, d) @ (N, h, d, S), are many small ones)."""
    rows = shape_a[-2] if len(shape_a) > 1 else 1
    cols = shape_b[-1] if len(shape_b) > 1 else 1
    if len(shape_b) <= 2:
        return math.prod(shape_a) * cols
    return rows * shape_a[-1] * cols


def _batched_gemm(xp, gemm, a, b):
    """Run a 2-D ``gemm(a2, b2, out2, trans_a, trans_b)`` over broadcast batch dimensions."""
    m, n = a.shape[-2], b.shape[-1]
    if a.ndim == 2 and b.ndim == 2:
        out = xp.empty((m, n), dtype=a.dtype)
        _gemm_2d(xp, gemm, a, b, out)
        return out
    if b.ndim == 2:  # the common Linear case: fold a's batch into rows, one big GEMM
        rows = xp.ascontiguousarray(a).reshape(-1, a.shape[-1])
        out = xp.empty((rows.shape[0], n), dtype=a.dtype)
        _gemm_2d(xp, gemm, rows, b, out)
        return out.reshape(*a.shape[:-1], n)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a_b = xp.broadcast_to(a, batch + a.shape[-2:])
    b_b = xp.broadcast_to(b, batch + b.shape[-2:])
    out = xp.empty(batch + (m, n), dtype=a.dtype)
    for index in np.ndindex(*batch):
        _gemm_2d(xp, gemm, a_b[index], b_b[index], out[index])
    return out


def _gemm_2d(xp, gemm, a, b, out):
    a_stored, trans_a = _as_gemm_operand(xp, a)
    b_stored, trans_b = _as_gemm_operand(xp, b)
    gemm(a_stored, b_stored, out, trans_a, trans_b)


def _as_gemm_operand(xp, matrix):
    """(contiguous array, transposed?) such that op(array) == matrix, copying only if needed."""
    if matrix.flags.c_contiguous:
        return matrix, False
    if matrix.T.flags.c_contiguous:
        return matrix.T, True
    return xp.ascontiguousarray(matrix), False


# ---------------------------------------------------------------------------------------------
# lstm: the whole sequence in one call (gate order i, f, g, o, as in PyTorch)
# ---------------------------------------------------------------------------------------------
#
# Forward  z_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias;  i, f, o = σ(z_i, z_f, z_o), g = tanh(z_g)
#          c_t = f ⊙ c_{t-1} + i ⊙ g;  h_t = o ⊙ tanh(c_t)
# Shapes   x (T, B, I), h0 and c0 (B, H), w_ih (4H, I), w_hh (4H, H), bias (4H,)
# Returns  y (T, B, H) = h_t for every t, h_n and c_n (B, H), and for backward the post-activation
#          gates (T, B, 4H) and the cells c_t (T, B, H).
# Backward takes the gradients dy, dh_n, dc_n (None means zeros) and what forward saved, and
#          returns dx, dh0, dc0, dw_ih, dw_hh, dbias. An LSTMCell is the same call with T = 1.

def lstm_forward(x, h0, c0, w_ih, w_hh, bias, impl: str | None = None):
    """Run an LSTM over a whole sequence: ``(y, h_n, c_n, gates, cells)`` (see the section notes)."""
    arrays = _sequence_arrays("lstm_forward", 4, x=x, h0=h0, c0=c0, w_ih=w_ih, w_hh=w_hh, bias=bias)
    chosen = choose("lstm_forward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(*arrays)


def lstm_backward(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, gates, cells, impl: str | None = None):
    """Backpropagate through :func:`lstm_forward`: ``(dx, dh0, dc0, dw_ih, dw_hh, dbias)``.

    ``dy``, ``dh_n`` and ``dc_n`` may be None, meaning no gradient flows in that way (zeros).
    """
    grads = _zeros_for_missing(x, h0, {"dy": dy, "dh_n": dh_n, "dc_n": dc_n})
    arrays = _sequence_arrays("lstm_backward", 4, **grads, x=x, h0=h0, c0=c0, w_ih=w_ih, w_hh=w_hh,
                              gates=gates, cells=cells)
    chosen = choose("lstm_backward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(*arrays)


def _is_array(value) -> bool:
    return hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "ndim")


def _sequence_arrays(kernel: str, gate_blocks: int, **arrays):
    """The arrays of a recurrent kernel with ``gate_blocks`` gates (1 RNN, 4 LSTM), C-contiguous,
    after checking types, devices, dtypes and shapes; raises naming all shapes."""
    for name, value in arrays.items():
        if not _is_array(value):
            raise TypeError(f"{kernel}: {name} must be a NumPy or CuPy array, got {type(value).__name__}")
    shapes = ", ".join(f"{name} {tuple(a.shape)}" for name, a in arrays.items())
    x, w_hh = arrays["x"], arrays["w_hh"]
    devices = {backend.device_of(a) for a in arrays.values()}
    if len(devices) > 1:
        raise ValueError(f"{kernel}: arrays on different devices {sorted(devices)}")
    dtypes = {np.dtype(a.dtype) for a in arrays.values()}
    if len(dtypes) > 1 or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{kernel}: all arrays must share one floating dtype, got "
                        + ", ".join(f"{name} {a.dtype}" for name, a in arrays.items()))
    if x.ndim != 3 or w_hh.ndim != 2 or min(x.shape, default=0) < 1 or w_hh.shape[1] < 1:
        rows = "H" if gate_blocks == 1 else f"{gate_blocks}H"
        raise ValueError(f"{kernel}: x must be (T, B, I) and w_hh ({rows}, H) with H = w_hh.shape[1], "
                         f"and every size must be >= 1; got {shapes}")
    (T, B, I), H = x.shape, w_hh.shape[1]
    G = gate_blocks * H
    expected = {"x": (T, B, I), "h0": (B, H), "c0": (B, H), "w_ih": (G, I), "w_hh": (G, H),
                "bias": (G,), "dy": (T, B, H), "dh_n": (B, H), "dc_n": (B, H),
                "gates": (T, B, G), "cells": (T, B, H), "y": (T, B, H)}
    for name, a in arrays.items():
        if tuple(a.shape) != expected[name]:
            raise ValueError(f"{kernel}: {name} must have shape {expected[name]} for T={T}, B={B}, "
                             f"I={I}, H={H}; got {shapes}")
    xp = backend.array_module(devices.pop())
    return [xp.ascontiguousarray(a) for a in arrays.values()]


def _zeros_for_missing(x, h0, grads):
    """The incoming gradients with None (no gradient flows that way) replaced by zeros: dy shaped
    (T, B, H), every other one shaped like the state h0."""
    if not (_is_array(x) and _is_array(h0)):
        return grads  # left for the argument checks to reject
    xp = backend.array_module(backend.device_of(x))
    shapes = {"dy": x.shape[:2] + h0.shape[1:]}
    return {name: xp.zeros(shapes.get(name, h0.shape), dtype=x.dtype) if g is None else g
            for name, g in grads.items()}


# ---------------------------------------------------------------------------------------------
# rnn: the Elman RNN over a whole sequence
# ---------------------------------------------------------------------------------------------
#
# Forward  h_t = act(x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias),  act = tanh or relu
# Shapes   x (T, B, I), h0 (B, H), w_ih (H, I), w_hh (H, H), bias (H,)
# Returns  y (T, B, H) = h_t for every t (h_n is y[-1]); it is all that backward needs, since
#          tanh' = 1 − h² and relu' = [h > 0] are read off the output.
# Backward takes the gradients dy and dh_n (None means zeros), x, h0, the weights and y, and
#          returns dx, dh0, dw_ih, dw_hh, dbias.

RNN_NONLINEARITIES = ("tanh", "relu")


def rnn_forward(x, h0, w_ih, w_hh, bias, nonlinearity: str = "tanh", impl: str | None = None):
    """Run an Elman RNN over a whole sequence: ``y`` (see the section notes)."""
    _check_nonlinearity("rnn_forward", nonlinearity)
    arrays = _sequence_arrays("rnn_forward", 1, x=x, h0=h0, w_ih=w_ih, w_hh=w_hh, bias=bias)
    chosen = choose("rnn_forward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(*arrays, nonlinearity)


def rnn_backward(dy, dh_n, x, h0, w_ih, w_hh, y, nonlinearity: str = "tanh", impl: str | None = None):
    """Backpropagate through :func:`rnn_forward`: ``(dx, dh0, dw_ih, dw_hh, dbias)``."""
    _check_nonlinearity("rnn_backward", nonlinearity)
    grads = _zeros_for_missing(x, h0, {"dy": dy, "dh_n": dh_n})
    arrays = _sequence_arrays("rnn_backward", 1, **grads, x=x, h0=h0, w_ih=w_ih, w_hh=w_hh, y=y)
    chosen = choose("rnn_backward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(*arrays, nonlinearity)


def _check_nonlinearity(kernel: str, nonlinearity) -> None:
    if nonlinearity not in RNN_NONLINEARITIES:
        raise ValueError(f"{kernel}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")




# ---------------------------------------------------------------------------------------------
# layer_norm: normalisation of each row of a (rows, n) array
# ---------------------------------------------------------------------------------------------
#
# Forward  y = x̂ · γ + β,  x̂ = (x − μ) · r,  r = 1/√(σ² + eps), μ and the biased σ² of each row
# Shapes   x (rows, n) with n >= 1, weight γ and bias β (n,) or None (γ = 1, β = 0); one dtype
# Returns  y (rows, n), and for backward mean μ (rows,) and rstd r (rows,).
# Backward takes dy (rows, n), x, mean, rstd and weight, and returns dx (rows, n), dweight (n,)
#          and dbias (n,) (the last two whether or not the layer has γ and β).

def layer_norm_forward(x, weight, bias, eps: float, impl: str | None = None):
    """Normalise each row of ``x``: ``(y, mean, rstd)`` (see the section notes)."""
    arrays = _rows_arrays("layer_norm_forward", x=x, weight=weight, bias=bias)
    if not eps >= 0:
        raise ValueError(f"layer_norm_forward: eps must be >= 0, got {eps}")
    chosen = choose("layer_norm_forward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(*arrays, float(eps))


def layer_norm_backward(dy, x, mean, rstd, weight, impl: str | None = None):
    """Backpropagate through :func:`layer_norm_forward`: ``(dx, dweight, dbias)``."""
    arrays = _rows_arrays("layer_norm_backward", dy=dy, x=x, mean=mean, rstd=rstd, weight=weight)
    chosen = choose("layer_norm_backward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(*arrays)


def _rows_arrays(kernel: str, **arrays):
    """The arrays of a layer-norm kernel (None kept for an absent γ or β), C-contiguous, after
    checking types, devices, dtypes and shapes; raises naming all shapes."""
    given = {name: a for name, a in arrays.items() if a is not None}
    for name, value in given.items():
        if not _is_array(value):
            raise TypeError(f"{kernel}: {name} must be a NumPy or CuPy array, got {type(value).__name__}")
    shapes = ", ".join(f"{name} {tuple(a.shape)}" for name, a in given.items())
    devices = {backend.device_of(a) for a in given.values()}
    if len(devices) > 1:
        raise ValueError(f"{kernel}: arrays on different devices {sorted(devices)}")
    x = given["x"]
    if len({np.dtype(a.dtype) for a in given.values()}) > 1 or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"{kernel}: all arrays must share one floating dtype, got "
                        + ", ".join(f"{name} {a.dtype}" for name, a in given.items()))
    if x.ndim != 2 or x.shape[1] < 1:
        raise ValueError(f"{kernel}: x must be (rows, n) with n >= 1; got {shapes}")
    rows, n = x.shape
    expected = {"x": (rows, n), "dy": (rows, n), "mean": (rows,), "rstd": (rows,), "weight": (n,), "bias": (n,)}
    for name, a in given.items():
        if tuple(a.shape) != expected[name]:
            raise ValueError(f"{kernel}: {name} must have shape {expected[name]} for rows={rows}, n={n}; "
                             f"got {shapes}")
    xp = backend.array_module(devices.pop())
    return [None if a is None else xp.ascontiguousarray(a) for a in arrays.values()]


# ---------------------------------------------------------------------------------------------
# softmax: over the last axis (attention's weights)
# ---------------------------------------------------------------------------------------------
#
# Forward  y_j = e^{x_j − c} / Σ_k e^{x_k − c} over the last axis (c ≥ the row's maximum)
# Shapes   x (..., n) of a floating dtype; y and the gradients have x's shape
# Returns  y; x is scratch: an implementation may overwrite it and return it as y. A row whose
#          entries are all −∞, or that holds +∞ or NaN, gives NaN (as PyTorch's softmax).
# Backward takes y and dy and returns dx = y ⊙ (dy − Σ_k dy_k y_k); dy is scratch as well.

def softmax_forward(x, impl: str | None = None):
    """Softmax over the last axis of ``x`` (which it may overwrite; see the section notes)."""
    (x,) = _elementwise_arrays("softmax_forward", 1, x=x)
    chosen = choose("softmax_forward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(_as_rows(x)).reshape(x.shape)


def softmax_backward(y, dy, impl: str | None = None):
    """Backpropagate through :func:`softmax_forward` from its output: ``dx`` (``dy`` may be overwritten)."""
    y, dy = _elementwise_arrays("softmax_backward", 1, y=y, dy=dy)
    chosen = choose("softmax_backward", backend.device_of(y), y.dtype, impl)
    return chosen.fn(_as_rows(y), _as_rows(dy)).reshape(y.shape)


def _as_rows(a):
    """(..., n) -> (rows, n), empty shapes included."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def _elementwise_arrays(kernel: str, min_ndim: int = 0, **arrays):
    """The arrays of a kernel whose arrays share one shape (of at least ``min_ndim`` dimensions),
    C-contiguous, after checking types, devices, dtypes and shapes; raises naming all shapes."""
    for name, value in arrays.items():
        if not _is_array(value):
            raise TypeError(f"{kernel}: {name} must be a NumPy or CuPy array, got {type(value).__name__}")
    shapes = ", ".join(f"{name} {tuple(a.shape)}" for name, a in arrays.items())
    first = next(iter(arrays.values()))
    if len({backend.device_of(a) for a in arrays.values()}) > 1:
        raise ValueError(f"{kernel}: arrays on different devices; got {shapes}")
    if len({np.dtype(a.dtype) for a in arrays.values()}) > 1 or not np.issubdtype(first.dtype, np.floating):
        raise TypeError(f"{kernel}: all arrays must share one floating dtype, got "
                        + ", ".join(f"{name} {a.dtype}" for name, a in arrays.items()))
    if first.ndim < min_ndim or len({tuple(a.shape) for a in arrays.values()}) > 1:
        raise ValueError(f"{kernel}: arrays must share one shape of rank >= {min_ndim}; got {shapes}")
    xp = backend.array_module(backend.device_of(first))  # (ascontiguousarray would make a 0-d array 1-d)
    return [a if a.flags.c_contiguous else xp.ascontiguousarray(a) for a in arrays.values()]


# ---------------------------------------------------------------------------------------------
# cross_entropy: the forward of cross-entropy over rows of logits and their classes
# ---------------------------------------------------------------------------------------------
#
# Forward  e = e^{x − max x},  s = Σ_j e_j,  loss = log s − (x_y − max x) = −log softmax(x)_y, per row
# Shapes   x (rows, n) of a floating dtype, target (rows,) of an integer dtype with 0 ≤ y < n
# Returns  (e (rows, n), s (rows,), loss (rows,)) in x's dtype; e / s is the softmax backward reads.
#          A row holding NaN or +∞, or only −∞, gives NaN.

def cross_entropy_forward(x, target, impl: str | None = None):
    """Per-row cross-entropy of logits ``x`` against ``target``: ``(e, sums, losses)`` (see the section notes)."""
    (x,) = _elementwise_arrays("cross_entropy_forward", 2, x=x)
    if not _is_array(target) or target.dtype.kind not in "iu" or target.shape != x.shape[:1]:
        raise ValueError(f"cross_entropy_forward: target must be an integer array of shape {x.shape[:1]}, got "
                         f"{getattr(target, 'dtype', type(target).__name__)} {getattr(target, 'shape', '')}")
    device = backend.device_of(x)
    if backend.device_of(target) != device:
        raise ValueError("cross_entropy_forward: x and target on different devices")
    chosen = choose("cross_entropy_forward", device, x.dtype, impl)
    return chosen.fn(x, backend.array_module(device).ascontiguousarray(target, dtype=np.int64))


# ---------------------------------------------------------------------------------------------
# relu: max(x, 0) elementwise
# ---------------------------------------------------------------------------------------------
#
# Forward  y = 0 where x < 0, else x (−0 and NaN pass unchanged, as in PyTorch)
# Backward takes y and dy and returns dx = 0 where y ≤ 0, else dy (PyTorch's rule on the output,
#          which passes dy at NaN)
# Shapes   any; y, dy and dx have x's shape; one floating dtype

def relu_forward(x, impl: str | None = None):
    """max(x, 0) elementwise (see the section notes)."""
    (x,) = _elementwise_arrays("relu_forward", x=x)
    chosen = choose("relu_forward", backend.device_of(x), x.dtype, impl)
    return chosen.fn(x.reshape(-1)).reshape(x.shape)


def relu_backward(y, dy, impl: str | None = None):
    """Backpropagate through :func:`relu_forward` from its output: ``dx``."""
    y, dy = _elementwise_arrays("relu_backward", y=y, dy=dy)
    chosen = choose("relu_backward", backend.device_of(y), y.dtype, impl)
    return chosen.fn(y.reshape(-1), dy.reshape(-1)).reshape(y.shape)


# ---------------------------------------------------------------------------------------------
# self_attention: multi-head attention of a sequence on itself, from its packed projections
# ---------------------------------------------------------------------------------------------
#
# Forward  [Q | K | V] = qkv, each split into `heads` heads of width d = E / heads;
#          W = softmax(scale · Q Kᵀ + M) per batch entry and head, out = W V with the heads merged.
#          M: the causal mask (0 for j ≤ i, −∞ for j > i) when `causal`, plus `mask` when given
#          (additive, broadcast to (N, heads, L, L)). Returns (out, W).
# Backward takes qkv, W, the gradient g of out and returns the gradient of qkv:
#          ∂V = Wᵀ G, ∂W = G Vᵀ, ∂S = W ⊙ (∂W − rowsum(∂W ⊙ W)), ∂Q = scale ∂S K, ∂K = scale ∂Sᵀ Q.
#          It reads the mask off W (zeros where masked); `causal` says W is zero above the diagonal.
# Shapes   qkv (N, L, 3E), out and g (N, L, E), W (N, heads, L, L); one floating dtype.
#          Native implementations take no `mask`: a call with one runs the reference.

def self_attention_forward(qkv, heads: int, scale: float, causal: bool = False, mask=None, impl: str | None = None):
    """Multi-head self-attention of packed projections: ``(out, weights)`` (see the section notes)."""
    qkv = _attention_arrays("self_attention_forward", heads, qkv=qkv)[0]
    device = backend.device_of(qkv)
    if mask is not None and impl is None:
        impl = _REFERENCE[device]
    chosen = choose("self_attention_forward", device, qkv.dtype, impl)
    return chosen.fn(qkv, heads, scale, causal, mask)


def self_attention_backward(qkv, weights, g, heads: int, scale: float, causal: bool = False,
                            impl: str | None = None):
    """Backpropagate through :func:`self_attention_forward`: the gradient of ``qkv``."""
    qkv, weights, g = _attention_arrays("self_attention_backward", heads, qkv=qkv, weights=weights, g=g)
    chosen = choose("self_attention_backward", backend.device_of(qkv), qkv.dtype, impl)
    return chosen.fn(qkv, weights, g, heads, scale, causal)


#: the reference implementation's name on each device
_REFERENCE = {"cpu": "numpy", "cuda": "cupy"}


def _attention_arrays(kernel: str, heads: int, **arrays):
    """The arrays of a self-attention kernel, C-contiguous, after checking types, devices, dtypes
    and shapes against qkv's (N, L, 3E); raises naming all shapes."""
    for name, value in arrays.items():
        if not _is_array(value):
            raise TypeError(f"{kernel}: {name} must be a NumPy or CuPy array, got {type(value).__name__}")
    shapes = ", ".join(f"{name} {tuple(a.shape)}" for name, a in arrays.items())
    if len({backend.device_of(a) for a in arrays.values()}) > 1:
        raise ValueError(f"{kernel}: arrays on different devices; got {shapes}")
    qkv = arrays["qkv"]
    if len({np.dtype(a.dtype) for a in arrays.values()}) > 1 or not np.issubdtype(qkv.dtype, np.floating):
        raise TypeError(f"{kernel}: all arrays must share one floating dtype, got "
                        + ", ".join(f"{name} {a.dtype}" for name, a in arrays.items()))
    if qkv.ndim != 3 or heads < 1 or qkv.shape[2] % (3 * heads):
        raise ValueError(f"{kernel}: qkv must be (N, L, 3E) with E a multiple of heads={heads}; got {shapes}")
    n, length, width = qkv.shape
    expected = {"qkv": qkv.shape, "weights": (n, heads, length, length), "g": (n, length, width // 3)}
    for name, a in arrays.items():
        if tuple(a.shape) != expected[name]:
            raise ValueError(f"{kernel}: {name} must have shape {expected[name]}; got {shapes}")
    xp = backend.array_module(backend.device_of(qkv))
    return [a if a.flags.c_contiguous else xp.ascontiguousarray(a) for a in arrays.values()]
