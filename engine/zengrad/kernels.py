"""Kernel registry and dispatch: the one place that knows which implementation runs.

Every kernel (``matmul`` for now; the LSTM joins later) has several implementations, each
registered with the device it runs on, the dtypes it accepts and a priority. References are
always present: ``numpy`` (OpenBLAS) on CPU and ``cupy`` (cuBLAS) on CUDA. Native ones come from
``zengrad._C`` when it was built with them.

Choosing an implementation, from strongest to weakest:

1. ``impl=`` on the call, e.g. ``zengrad.kernels.matmul(a, b, impl="cpu:reference")``;
2. the :func:`use` context manager, e.g. ``with zengrad.kernels.use(matmul="numpy"): ...``;
3. the environment variable ``ZENGRAD_MATMUL`` (``ZENGRAD_<KERNEL>`` in general);
4. the highest-priority implementation that accepts the device and dtype.

A forced implementation that cannot take the arrays (wrong device or dtype) raises; the default
chooser silently skips it and falls back to the reference.
"""

from __future__ import annotations

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

    def accepts(self, device: str, dtype) -> bool:
        return device == self.device and any(np.dtype(dtype) == np.dtype(d) for d in self.dtypes)


_REGISTRY: dict[str, dict[str, Implementation]] = {}
_OVERRIDES: list[dict[str, str]] = []


def register(kernel: str, name: str, device: str, fn: Callable, *, dtypes=(np.float32, np.float64),
             priority: int = 0, description: str = "") -> None:
    """Add an implementation of ``kernel`` (later registrations under the same name replace it)."""
    _REGISTRY.setdefault(kernel, {})[name] = Implementation(
        kernel, name, device, fn, tuple(dtypes), priority, description)


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


def choose(kernel: str, device: str, dtype, impl: str | None = None) -> Implementation:
    """The implementation that will run ``kernel`` on arrays of this device and dtype."""
    forced = impl
    if forced is None:
        for choices in reversed(_OVERRIDES):
            if kernel in choices:
                forced = choices[kernel]
                break
    if forced is None:
        forced = os.environ.get(f"ZENGRAD_{kernel.upper()}") or None
        if forced is not None and not _lookup(kernel, forced).accepts(device, dtype):
            forced = None  # the environment sets a preference, not a requirement
    if forced is not None:
        chosen = _lookup(kernel, forced)
        if not chosen.accepts(device, dtype):
            raise TypeError(f"{kernel}: implementation {forced!r} runs on {chosen.device} with dtypes "
                            f"{[np.dtype(d).name for d in chosen.dtypes]}, got {device} {np.dtype(dtype).name}")
        return chosen
    candidates = [i for i in _REGISTRY[kernel].values() if i.accepts(device, dtype)]
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
    xp = backend.array_module(backend.device_of(a))
    if backend.device_of(a) != backend.device_of(b):
        raise ValueError(f"matmul: operands on different devices ({backend.device_of(a)} and {backend.device_of(b)})")
    if a.dtype != b.dtype:
        raise TypeError(f"matmul: dtypes differ ({a.dtype} {tuple(a.shape)} and {b.dtype} {tuple(b.shape)})")
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
        raise ValueError(f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} do not align "
                         f"({a.shape[-1]} != {b.shape[-2 if b.ndim > 1 else 0]})")
    chosen = choose("matmul", backend.device_of(a), a.dtype, impl)
    if chosen.name in ("numpy", "cupy"):
        return chosen.fn(a, b)
    squeeze_a, squeeze_b = a.ndim == 1, b.ndim == 1
    if squeeze_a:
        a = a[None, :]
    if squeeze_b:
        b = b[:, None]
    out = _batched_gemm(xp, chosen.fn, a, b)
    if squeeze_a:
        out = out[..., 0, :]
    if squeeze_b:
        out = out[..., 0]
    return out


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


def _cuda_gemm(variant: str):
    def gemm(a, b, out, trans_a, trans_b):
        m, n = out.shape
        k = a.shape[0] if trans_a else a.shape[1]
        stream = backend.cupy().cuda.get_current_stream().ptr
        getattr(native().cuda, f"matmul_{variant}")(a.data.ptr, b.data.ptr, out.data.ptr, m, n, k,
                                                    trans_a, trans_b, stream)
    return gemm


register("matmul", "numpy", "cpu", _numpy_matmul, priority=10,
         description="NumPy (OpenBLAS) reference")
register("matmul", "cupy", "cuda", _cupy_matmul, priority=10,
         description="CuPy (cuBLAS) reference")
if native() is not None:
    register("matmul", "cpu:reference", "cpu", _cpu_reference_gemm, dtypes=(np.float32,),
             priority=0, description="C++ triple loop (correctness reference)")

from . import kernels_cuda  # noqa: E402,F401  (registers the CUDA kernels of zengrad._C)
