"""Whether operations record the autograd graph: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""

from __future__ import annotations

import contextlib
import threading

_state = threading.local()


def is_grad_enabled() -> bool:
    """True when new operations record their inputs for backward (the default)."""
    return getattr(_state, "enabled", True)


@contextlib.contextmanager
def set_grad_enabled(mode: bool):
    """Turn graph recording on or off inside the block, restoring the previous mode after."""
    previous = is_grad_enabled()
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
