"""The hand-written CUDA kernels of ``zengrad._C.cuda``, registered with :mod:`zengrad.kernels`.

matmul — the ladder (kernels/cuda/matmul_*.cu), one idea per rung, registered as ``cuda:<rung>``
for float32 CuPy arrays. The rungs and their ideas come from the extension (``MATMUL_RUNGS``, read
from kernels/cuda/matmul_rungs.h, the one place they are listed). Once ``VALIDATED_ON_GPU`` is set
(after the GPU tests pass), ``BEST_MATMUL`` ranks above the CuPy/cuBLAS reference and becomes the
default for float32 CUDA arrays; until then the rungs run only when asked for by name.

LSTM (kernels/cuda/lstm.cu) — kernels ``lstm_forward`` and ``lstm_backward``, three implementations:

* ``cuda:fused`` (the default once ``VALIDATED_ON_GPU``): the persistent kernel when W_hh fits on chip across the
  blocks that can run at once, otherwise the step-by-step driver (one recurrent GEMM and one fused
  pointwise kernel per step);
* ``cuda:persistent``: only the persistent kernel; raises ``ValueError`` with the reason when the
  sizes do not fit this device (``persistent_status`` tells beforehand);
* ``cuda:stepwise``: only the step-by-step driver.

The persistent kernel uses at most one block per multiprocessor; the environment variable
``ZENGRAD_LSTM_PERSISTENT_BLOCKS=N`` caps it at N blocks (a tuning knob, see kernels/cuda/NOTES.md).

Registered functions take exactly the positional arrays of the registry's LSTM entry points and return
``(y, h_n, c_n, gates, cells)`` and ``(dx, dh0, dc0, dw_ih, dw_hh, dbias)``. Every argument is checked
here (CuPy array on the current device, float32, shape) before any pointer reaches C++; non-contiguous
arrays are copied once. ``last_lstm_path`` records which path the latest call ran, for tests and
benchmarks.

Measured speed: ``benchmarks/bench_cuda.py`` (saved tables in benchmarks/results/).
"""

from __future__ import annotations

import numpy as np

from . import backend, kernels
from ._native import native

#: ((name, idea), ...) of every rung in ladder order, as compiled into zengrad._C; empty without CUDA.
MATMUL_RUNGS: tuple = tuple(getattr(getattr(native(), "cuda", None), "matmul_rungs", ()))
MATMUL_VARIANTS = tuple(name for name, _ in MATMUL_RUNGS)
#: The rung that becomes the default once VALIDATED_ON_GPU (chosen by the GPU benchmark).
BEST_MATMUL = "doublebuffer"
LSTM_MODES = {"cuda:fused": "auto", "cuda:persistent": "persistent", "cuda:stepwise": "stepwise"}

last_lstm_path: dict[str, str | None] = {"forward": None, "backward": None}


def built() -> bool:
    """True when ``zengrad._C`` was compiled with the CUDA kernels."""
    return native() is not None and bool(native().cuda.built)


# ---------------------------------------------------------------------------------------------
# argument checks: nothing reaches C++ unless it is a float32 CuPy array of the right shape
# ---------------------------------------------------------------------------------------------

def _device_array(array, op: str, name: str, shape: tuple | None = None, ndim: int | None = None,
                  output: bool = False):
    """``array`` as a C-contiguous float32 CuPy array on the current device, or a clear error.

    Inputs that are not C-contiguous are copied; an ``output`` must already be C-contiguous.
    """
    cp = backend.cupy()
    if not isinstance(array, cp.ndarray):
        raise TypeError(f"{op}: {name} must be a CuPy array, got {type(array).__name__}")
    if array.dtype != np.float32:
        raise TypeError(f"{op}: {name} must be float32, got {array.dtype}")
    if ndim is not None and array.ndim != ndim:
        raise ValueError(f"{op}: {name} must have {ndim} dimensions, got shape {tuple(array.shape)}")
    if shape is not None and tuple(array.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} must have shape {tuple(shape)}, got {tuple(array.shape)}")
    if array.device.id != cp.cuda.Device().id:
        raise ValueError(f"{op}: {name} is on GPU {array.device.id}, but the current device is {cp.cuda.Device().id}")
    if array.flags.c_contiguous:
        return array  # the array itself, never a copy (outputs are written in place)
    if output:
        raise ValueError(f"{op}: {name} must be C-contiguous")
    return cp.ascontiguousarray(array)


def _stream() -> int:
    return backend.cupy().cuda.get_current_stream().ptr


# ---------------------------------------------------------------------------------------------
# matmul ladder
# ---------------------------------------------------------------------------------------------

def gemm(variant: str):
    """A 2-D GEMM ``fn(a, b, out, trans_a, trans_b)``: ``out = op(a) @ op(b)`` by rung ``variant``.

    ``a`` is stored m×k (k×m when ``trans_a``), ``b`` k×n (n×k when ``trans_b``), ``out`` is m×n;
    all float32 C-contiguous CuPy arrays. This is the form :func:`zengrad.kernels.matmul` calls.
    """
    if variant not in MATMUL_VARIANTS:
        raise ValueError(f"unknown matmul variant {variant!r}; known: {MATMUL_VARIANTS}")
    op = f"cuda.matmul_{variant}"

    def fn(a, b, out, trans_a=False, trans_b=False):
        a = _device_array(a, op, "a", ndim=2)
        b = _device_array(b, op, "b", ndim=2)
        out = _device_array(out, op, "out", ndim=2, output=True)
        m, k = (a.shape[1], a.shape[0]) if trans_a else a.shape
        k_b, n = (b.shape[1], b.shape[0]) if trans_b else b.shape
        if k != k_b:
            raise ValueError(f"{op}: inner dimensions differ: op(a) is {m}x{k}, op(b) is {k_b}x{n}")
        if tuple(out.shape) != (m, n):
            raise ValueError(f"{op}: out must have shape {(m, n)}, got {tuple(out.shape)}")
        if out.size and (_overlaps(out, a) or _overlaps(out, b)):
            raise ValueError(f"{op}: out must not overlap a or b")
        getattr(native().cuda, f"matmul_{variant}")(a.data.ptr, b.data.ptr, out.data.ptr, m, n, k,
                                                    bool(trans_a), bool(trans_b), _stream())
    fn.__name__ = f"matmul_{variant}"
    return fn


def _overlaps(x, y) -> bool:
    if x.size == 0 or y.size == 0:
        return False
    x0, y0 = x.data.ptr, y.data.ptr
    return x0 < y0 + y.nbytes and y0 < x0 + x.nbytes


# ---------------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------------

def _lstm_sizes(x, h0, op):
    if getattr(x, "ndim", None) != 3:
        raise ValueError(f"{op}: x must be (T, B, I), got shape {tuple(getattr(x, 'shape', ()))}")
    if getattr(h0, "ndim", None) != 2:
        raise ValueError(f"{op}: h0 must be (B, H), got shape {tuple(getattr(h0, 'shape', ()))}")
    T, B, I = (int(d) for d in x.shape)
    H = int(h0.shape[1])
    return T, B, I, H


def _mode(mode: str) -> str:
    if mode not in ("auto", "stepwise", "persistent"):
        raise ValueError(f"LSTM mode must be 'auto', 'stepwise' or 'persistent', got {mode!r}")
    return mode


def persistent_status(T: int, B: int, I: int, H: int, backward: bool = False) -> str:
    """"" when the persistent LSTM kernel runs these sizes on the current device, else why not."""
    return native().cuda.lstm_persistent_status(bool(backward), int(T), int(B), int(I), int(H))


def lstm_forward(x, h0, c0, w_ih, w_hh, bias, mode: str = "auto"):
    """One LSTM layer over a sequence: ``(y, h_n, c_n, gates, cells)``; see the module docstring."""
    op, mode = "lstm_forward", _mode(mode)
    T, B, I, H = _lstm_sizes(x, h0, op)
    x = _device_array(x, op, "x", (T, B, I))
    h0 = _device_array(h0, op, "h0", (B, H))
    c0 = _device_array(c0, op, "c0", (B, H))
    w_ih = _device_array(w_ih, op, "w_ih", (4 * H, I))
    w_hh = _device_array(w_hh, op, "w_hh", (4 * H, H))
    bias = _device_array(bias, op, "bias", (4 * H,))
    cp = backend.cupy()
    y = cp.empty((T, B, H), dtype=np.float32)
    h_n = cp.empty((B, H), dtype=np.float32)
    c_n = cp.empty((B, H), dtype=np.float32)
    gates = cp.empty((T, B, 4 * H), dtype=np.float32)
    cells = cp.empty((T, B, H), dtype=np.float32)
    work = native().cuda.lstm_workspace_floats(False, T, B, I, H)
    workspace = cp.empty((work,), dtype=np.float32)
    last_lstm_path["forward"] = native().cuda.lstm_forward(
        x.data.ptr, h0.data.ptr, c0.data.ptr, w_ih.data.ptr, w_hh.data.ptr, bias.data.ptr, y.data.ptr,
        h_n.data.ptr, c_n.data.ptr, gates.data.ptr, cells.data.ptr, workspace.data.ptr, work, T, B, I, H,
        mode, _stream())
    return y, h_n, c_n, gates, cells


def lstm_backward(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, gates, cells, mode: str = "auto"):
    """Backward through time: ``(dx, dh0, dc0, dw_ih, dw_hh, dbias)``.

    ``dy`` is the gradient of every output ``y``; ``dh_n`` / ``dc_n`` those of the final state (None
    means zero). ``gates`` and ``cells`` are what :func:`lstm_forward` returned.
    """
    op, mode = "lstm_backward", _mode(mode)
    T, B, I, H = _lstm_sizes(x, h0, op)
    cp = backend.cupy()
    dh_n = cp.zeros((B, H), dtype=np.float32) if dh_n is None else dh_n
    dc_n = cp.zeros((B, H), dtype=np.float32) if dc_n is None else dc_n
    dy = _device_array(dy, op, "dy", (T, B, H))
    dh_n = _device_array(dh_n, op, "dh_n", (B, H))
    dc_n = _device_array(dc_n, op, "dc_n", (B, H))
    x = _device_array(x, op, "x", (T, B, I))
    h0 = _device_array(h0, op, "h0", (B, H))
    c0 = _device_array(c0, op, "c0", (B, H))
    w_ih = _device_array(w_ih, op, "w_ih", (4 * H, I))
    w_hh = _device_array(w_hh, op, "w_hh", (4 * H, H))
    gates = _device_array(gates, op, "gates", (T, B, 4 * H))
    cells = _device_array(cells, op, "cells", (T, B, H))
    dx = cp.empty((T, B, I), dtype=np.float32)
    dh0 = cp.empty((B, H), dtype=np.float32)
    dc0 = cp.empty((B, H), dtype=np.float32)
    dw_ih = cp.empty((4 * H, I), dtype=np.float32)
    dw_hh = cp.empty((4 * H, H), dtype=np.float32)
    dbias = cp.empty((4 * H,), dtype=np.float32)
    work = native().cuda.lstm_workspace_floats(True, T, B, I, H)
    workspace = cp.empty((work,), dtype=np.float32)
    last_lstm_path["backward"] = native().cuda.lstm_backward(
        dy.data.ptr, dh_n.data.ptr, dc_n.data.ptr, x.data.ptr, h0.data.ptr, c0.data.ptr, w_ih.data.ptr,
        w_hh.data.ptr, gates.data.ptr, cells.data.ptr, dx.data.ptr, dh0.data.ptr, dc0.data.ptr,
        dw_ih.data.ptr, dw_hh.data.ptr, dbias.data.ptr, workspace.data.ptr, work, T, B, I, H, mode, _stream())
    return dx, dh0, dc0, dw_ih, dw_hh, dbias


def _lstm_forward_impl(mode):
    def fn(x, h0, c0, w_ih, w_hh, bias):
        return lstm_forward(x, h0, c0, w_ih, w_hh, bias, mode=mode)
    return fn


def _lstm_backward_impl(mode):
    def fn(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, gates, cells):
        return lstm_backward(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, gates, cells, mode=mode)
    return fn


# ---------------------------------------------------------------------------------------------
# registration
# ---------------------------------------------------------------------------------------------

_LSTM_PRIORITIES = {"cuda:fused": 20, "cuda:persistent": 8, "cuda:stepwise": 7}
_LSTM_DESCRIPTIONS = {
    "cuda:fused": "CUDA: persistent kernel when W_hh fits on chip, else per-step GEMM + fused pointwise",
    "cuda:persistent": "CUDA: persistent cooperative kernel only (raises when W_hh does not fit)",
    "cuda:stepwise": "CUDA: per-step recurrent GEMM + fused pointwise kernel",
}

#: Whether these kernels have passed tools/gpu_run.sh on a GPU. Until they have, cuBLAS/CuPy and the
#: composed LSTM stay the defaults on CUDA (the kernels rank just below them and run when asked for
#: by name); set True once the GPU tests pass, and the best rungs become the defaults.
VALIDATED_ON_GPU = False
_DEFAULT_PRIORITY = 20 if VALIDATED_ON_GPU else 9

if built():
    for _rung, (_variant, _idea) in enumerate(MATMUL_RUNGS):
        kernels.register("matmul", f"cuda:{_variant}", "cuda", gemm(_variant), dtypes=(np.float32,),
                         priority=_DEFAULT_PRIORITY if _variant == BEST_MATMUL else _rung,
                         description=f"CUDA rung {_rung}: {_idea}")
    for _name, _lstm_mode in LSTM_MODES.items():
        kernels.register("lstm_forward", _name, "cuda", _lstm_forward_impl(_lstm_mode), dtypes=(np.float32,),
                         priority=min(_LSTM_PRIORITIES[_name], _DEFAULT_PRIORITY), description=_LSTM_DESCRIPTIONS[_name])
        kernels.register("lstm_backward", _name, "cuda", _lstm_backward_impl(_lstm_mode), dtypes=(np.float32,),
                         priority=min(_LSTM_PRIORITIES[_name], _DEFAULT_PRIORITY), description=_LSTM_DESCRIPTIONS[_name])
