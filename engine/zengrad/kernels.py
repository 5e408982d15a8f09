"""Kernel registry and dispatch: the one place that knows which implementation runs.

Every kernel (``matmul`` for now; the LSTM joins later) has several implementations, each
registered with the device it runs on, the dtypes it accepts and a priority. References are
always present: ``numpy`` (OpenBLAS) on CPU and ``cupy`` (cuBLAS) on CUDA. Native ones come from
``zengrad._C`` when it was built with them.

Choosing an implementation, from strongest to weakest:

1. ``impl=`` on the call, e.g. ``zengrad.kernels.matmul(a, b, impl="cpu:reference")``: required,
   so an implementation that cannot take the arrays (wrong device or dtype) raises;
2. the :func:`use` context manager, e.g. ``with zengrad.kernels.use(matmul="numpy"): ...``;
3. the environment variable ``ZENGRAD_MATMUL`` (``ZENGRAD_<KERNEL>`` in general), read when a
   kernel is first chosen (and again after any ``register``);
4. the highest-priority implementation that accepts the device and dtype.

2 and 3 are preferences: where they cannot take the arrays (a float32-only kernel and float64
arrays, a CPU kernel and CUDA arrays) the next rule decides.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import os
from typing import Callable

import numpy as np

from . import backend
from ._native import native


@dataclasses.dataclass(frozen=True)
class Implementation:
    """One implementation of a kernel: ``fn`` works on raw backend arrays."""

    kernel: str
    name: str
    device: str
    fn: Callable
    dtypes: tuple = (np.float32, np.float64)
    priority: int = 0
    description: str = ""
    min_work: int = 0  # below this much work (e.g. m·n·k for a GEMM) the default chooser skips it

    def accepts(self, device: str, dtype) -> bool:
        return device == self.device and any(np.dtype(dtype) == np.dtype(d) for d in self.dtypes)


_REGISTRY: dict[str, dict[str, Implementation]] = {}
_OVERRIDES: list[dict[str, str]] = []
_DEFAULTS: dict[tuple, Implementation] = {}  # (kernel, device, dtype, size class) -> the winner
_THRESHOLDS: dict[str, list[int]] = {}  # the distinct min_work values of each kernel's implementations


def register(kernel: str, name: str, device: str, fn: Callable, *, dtypes=(np.float32, np.float64),
             priority: int = 0, description: str = "", min_work: int = 0) -> None:
    """Add an implementation of ``kernel`` (later registrations under the same name replace it).

    ``min_work`` marks a kernel whose fixed cost (a native call, packing, starting threads) makes
    it lose on small problems: the default chooser passes it over for calls with less work.
    """
    _REGISTRY.setdefault(kernel, {})[name] = Implementation(
        kernel, name, device, fn, tuple(dtypes), priority, description, min_work)
    _DEFAULTS.clear()
    _THRESHOLDS[kernel] = sorted({i.min_work for i in _REGISTRY[kernel].values() if i.min_work})


def available() -> dict[str, dict[str, list[str]]]:
    """Every registered implementation, as ``{kernel: {device: [names, best first]}}``."""
    table: dict[str, dict[str, list[str]]] = {}
    for kernel, impls in _REGISTRY.items():
        for impl in sorted(impls.values(), key=lambda i: -i.priority):
            table.setdefault(kernel, {}).setdefault(impl.device, []).append(impl.name)
    return table


@contextlib.contextmanager
def use(**choices: str):
    """Make ``impl`` the default for a kernel inside the block: ``use(matmul="cpu:reference")``."""
    for kernel, name in choices.items():
        _lookup(kernel, name)
    _OVERRIDES.append(choices)
    try:
        yield
    finally:
        _OVERRIDES.remove(choices)


def _lookup(kernel: str, name: str) -> Implementation:
    impls = _REGISTRY.get(kernel)
    if impls is None:
        raise ValueError(f"unknown kernel {kernel!r}; known: {sorted(_REGISTRY)}")
    if name not in impls:
        raise ValueError(f"{kernel}: no implementation {name!r}; available: {sorted(impls)}")
    return impls[name]


def choose(kernel: str, device: str, dtype, impl: str | None = None, work: int | None = None) -> Implementation:
    """The implementation that will run ``kernel`` on arrays of this device and dtype, for a call
    doing ``work`` (None: large).

    ``impl`` is a requirement (an error if it cannot take the arrays); ``use()`` and the
    environment variable are preferences, skipped for arrays they cannot take (float64, say).
    The default (environment variable, else priority and size) is worked out once per kernel,
    device, dtype and size class and remembered until the next ``register``: the environment
    variable is read then, not on every call.
    """
    if impl is not None:
        chosen = _lookup(kernel, impl)
        if not chosen.accepts(device, dtype):
            raise TypeError(f"{kernel}: implementation {impl!r} runs on {chosen.device} with dtypes "
                            f"{[np.dtype(d).name for d in chosen.dtypes]}, got {device} {np.dtype(dtype).name}")
        return chosen
    for choices in reversed(_OVERRIDES):
        if kernel in choices and _lookup(kernel, choices[kernel]).accepts(device, dtype):
            return _lookup(kernel, choices[kernel])
    thresholds = _THRESHOLDS.get(kernel, ())
    size_class = len(thresholds) if work is None else bisect.bisect_right(thresholds, work)
    key = (kernel, device, dtype, size_class)
    chosen = _DEFAULTS.get(key)
    if chosen is None:
        chosen = _DEFAULTS[key] = _default(kernel, device, dtype, thresholds[size_class - 1] if size_class else 0)
    return chosen


def _default(kernel: str, device: str, dtype, work_at_least: int) -> Implementation:
    """ZENGRAD_<KERNEL> if set and able, else the highest priority whose ``min_work`` is met."""
    if kernel not in _REGISTRY:
        raise ValueError(f"unknown kernel {kernel!r}; known: {sorted(_REGISTRY)}")
    preferred = os.environ.get(f"ZENGRAD_{kernel.upper()}")
    if preferred and _lookup(kernel, preferred).accepts(device, dtype):
        return _lookup(kernel, preferred)
    candidates = [i for i in _REGISTRY[kernel].values() if i.accepts(device, dtype) and i.min_work <= work_at_least]
    if not candidates:
        raise TypeError(f"{kernel}: no implementation for {device} {np.dtype(dtype).name}")
    return max(candidates, key=lambda i: i.priority)


# ---------------------------------------------------------------------------------------------
# matmul
# ---------------------------------------------------------------------------------------------

def matmul(a, b, impl: str | None = None):
    """``a @ b`` on raw arrays with NumPy's semantics (1-D promotion, broadcast batch dimensions).

    Native implementations are 2-D GEMMs ``C = op(A) · op(B)``; this function feeds them. A
    transposed view (e.g. ``b.T`` in backward) is passed as its contiguous base with a transpose
    flag, so backward makes no copies; other non-contiguous operands are copied once.
    """
    device = backend.device_of(a)
    if backend.device_of(b) != device:
        raise ValueError(f"matmul: operands on different devices ({device} and {backend.device_of(b)})")
    if a.dtype != b.dtype:
        raise TypeError(f"matmul: dtypes differ ({a.dtype} {tuple(a.shape)} and {b.dtype} {tuple(b.shape)})")
    check_matmul_shapes(tuple(a.shape), tuple(b.shape))
    rows = a.shape[-2] if a.ndim > 1 else 1  # work = m·k·n times the batch, whichever operand has it
    chosen = choose("matmul", device, a.dtype, impl,
                    work=max(a.size * (b.shape[-1] if b.ndim > 1 else 1), b.size * rows))
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


def check_matmul_shapes(shape_a: tuple, shape_b: tuple) -> None:
    """Raise ValueError naming both shapes unless ``a @ b`` is defined (NumPy's rules)."""
    if not shape_a or not shape_b:
        raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes {shape_a} and {shape_b}")
    inner = shape_b[-2] if len(shape_b) > 1 else shape_b[0]
    if shape_a[-1] != inner:
        raise ValueError(f"matmul: shapes {shape_a} and {shape_b} do not align ({shape_a[-1]} != {inner})")


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


def _numpy_matmul(a, b):
    return np.matmul(a, b)


def _cupy_matmul(a, b):
    return backend.cupy().matmul(a, b)


def _cpu_reference_gemm(a, b, out, trans_a, trans_b):
    native().cpu.matmul_reference(a, b, out, trans_a, trans_b)


register("matmul", "numpy", "cpu", _numpy_matmul, priority=10,
         description="NumPy (OpenBLAS) reference")
register("matmul", "cupy", "cuda", _cupy_matmul, priority=10,
         description="CuPy (cuBLAS) reference")
if native() is not None:
    register("matmul", "cpu:reference", "cpu", _cpu_reference_gemm, dtypes=(np.float32,),
             priority=0, description="C++ triple loop (correctness reference)")


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

from . import kernels_cpu  # noqa: E402,F401
from . import kernels_cuda  # noqa: E402,F401  (registers the CUDA kernels of zengrad._C)
