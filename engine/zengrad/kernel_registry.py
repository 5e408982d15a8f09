"""The kernel registry: the one place that knows which implementation of a kernel runs.

Every kernel (``matmul``, ``lstm_forward``/``lstm_backward``, ``rnn_forward``/``rnn_backward``)
has several implementations, each registered with the device it runs on, the dtypes it accepts
and a priority. The modules that register them import this one, never the other way round:
``kernels_reference`` (NumPy/OpenBLAS on CPU, CuPy/cuBLAS on CUDA: always present),
``kernels_cpu`` and ``kernels_cuda`` (from ``zengrad._C`` when it was built with them); the
package imports all three. ``zengrad.kernels`` is the front end that callers use.

Choosing an implementation, from strongest to weakest:

1. ``impl=`` on the call, e.g. ``zengrad.kernels.matmul(a, b, impl="cpu:reference")``: required,
   so an implementation that cannot take the arrays (wrong device or dtype) raises;
2. the :func:`use` context manager, e.g. ``with zengrad.kernels.use(matmul="numpy"): ...`` (per
   thread);
3. the environment variable ``ZENGRAD_MATMUL`` (``ZENGRAD_<KERNEL>`` in general), read when a
   kernel is first chosen (and again after any ``register``);
4. the highest-priority implementation that accepts the device and dtype.

2 and 3 are preferences: where they cannot take the arrays (a float32-only kernel and float64
arrays, a CPU kernel and CUDA arrays) the next rule decides.
"""

from __future__ import annotations

import bisect
import contextlib
import contextvars
import dataclasses
import os
from typing import Callable

import numpy as np


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
#: The choices of the enclosing ``use()`` blocks, innermost last. A context variable, so a block
#: in one thread (or asyncio task) does not change what another one runs.
_OVERRIDES: contextvars.ContextVar[tuple] = contextvars.ContextVar("zengrad_kernel_overrides", default=())
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
    """Make ``impl`` the default for a kernel inside the block: ``use(matmul="cpu:reference")``.

    The choice holds for the current thread (and asyncio task) only, like PyTorch's context
    managers: other threads keep their own defaults.
    """
    for kernel, name in choices.items():
        _lookup(kernel, name)
    token = _OVERRIDES.set(_OVERRIDES.get() + (choices,))
    try:
        yield
    finally:
        _OVERRIDES.reset(token)


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
    overrides = _OVERRIDES.get()
    if overrides:  # tested first: no ``use()`` block is the common case, and reversed() costs a call
        for choices in reversed(overrides):
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
