"""Global switches that scripts written for PyTorch set at the top, and what each one means here.

zengrad runs every op eagerly, in the dtype it is given, so several of PyTorch's switches have
nothing to change; they are accepted, checked as PyTorch checks them, and remembered, so that a
script runs unchanged and reads back what it set:

* ``compile(model)`` returns ``model`` itself: there is no compiler (PyTorch's ``backend="eager"``
  does the same). Used as a decorator, with or without arguments, it returns the function.
* ``set_float32_matmul_precision('highest' | 'high' | 'medium')``: float32 products are always
  computed in float32 ('highest'); the setting is kept for ``get_float32_matmul_precision`` (another
  name is ignored with a warning).
* ``set_flush_denormal(mode)`` returns False: zengrad does not switch the CPU's denormal handling.
* ``set_warn_always`` / ``is_warn_always_enabled``: whether warnings PyTorch gives once should be
  given every time; kept, and read by nothing yet.
* ``set_num_interop_threads`` / ``get_num_interop_threads``: zengrad has no pool for running
  independent ops side by side; the number is kept (a positive integer, as PyTorch requires).
"""

from __future__ import annotations

import warnings

__all__ = ["compile", "get_float32_matmul_precision", "get_num_interop_threads", "is_warn_always_enabled",
           "set_float32_matmul_precision", "set_flush_denormal", "set_num_interop_threads", "set_warn_always"]

_PRECISIONS = ("highest", "high", "medium")
_state = {"matmul_precision": "highest", "warn_always": False, "interop_threads": 1}


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable: bool = False):
    """``model`` unchanged (zengrad runs eagerly); ``compile(**settings)`` is a decorator that
    returns the function it decorates."""
    if model is None:
        return lambda fn: fn
    if not callable(model):
        raise RuntimeError(f"compile: expected a module or a callable, got {type(model).__name__}")
    return model


def set_float32_matmul_precision(precision: str) -> None:
    """Another name than the three is ignored with a warning, as in PyTorch."""
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the "
                      "set_float32_matmul_precision call has no effect.", UserWarning, stacklevel=2)
        return
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _state["matmul_precision"]


def set_flush_denormal(mode: bool) -> bool:
    """False: denormal numbers are left to the CPU's default handling."""
    return False


def set_warn_always(b: bool) -> None:
    _state["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _state["warn_always"]


def set_num_interop_threads(num: int) -> None:
    if not isinstance(num, int) or isinstance(num, bool) or num < 1:
        raise RuntimeError(f"Expected positive number of threads, got {num!r}")
    _state["interop_threads"] = num


def get_num_interop_threads() -> int:
    return _state["interop_threads"]
