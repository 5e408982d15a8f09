"""Whether operations record the autograd graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``."""

from __future__ import annotations

import contextlib
import threading


class _GradMode(threading.local):
    """The mode of one thread: a class attribute gives every new thread the default, so reading it
    is one attribute lookup (``Function.apply`` reads it for every op)."""

    enabled = True


_state = _GradMode()


def is_grad_enabled() -> bool:
    """True when new operations record their inputs for backward (the default)."""
    return _state.enabled


@contextlib.contextmanager
def set_grad_enabled(mode: bool):
    """Turn graph recording on or off inside the block, restoring the previous mode after."""
    previous = _state.enabled
    _state.enabled = bool(mode)
    try:
        yield
    finally:
        _state.enabled = previous


def no_grad():
    """Context manager: operations inside record no graph (inference, optimizer steps)."""
    return set_grad_enabled(False)


def enable_grad():
    """Context manager: operations inside record the graph even within ``no_grad``."""
    return set_grad_enabled(True)


def inference_mode(mode: bool = True):
    """``no_grad`` under PyTorch's name for inference (``inference_mode(False)`` records as usual).
    zengrad has no separate inference tensors: it is exactly ``set_grad_enabled(not mode)``."""
    return set_grad_enabled(not mode)
