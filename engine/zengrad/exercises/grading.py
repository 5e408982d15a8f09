"""What every checker shares: the verdicts, loading an attempt, and comparisons that say what is wrong.

A checker raises :class:`Wrong` with a message a learner can act on — which output or which
input's gradient, at which index, got what, expected what, by how much — or :class:`Skipped` when
this machine cannot run the exercise (no C++ compiler, no GPU). An attempt that still raises
``NotImplementedError`` is reported as unfinished, naming the function.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import numpy as np


class Wrong(AssertionError):
    """The attempt computes something other than the reference; the message says what and where."""


class Skipped(Exception):
    """This machine cannot run the check (a missing compiler or GPU); the message says what is missing."""


_loaded = itertools.count()


def load_attempt(path) -> object:
    """Import the learner's file as a fresh module (a new name each time, so edits are seen)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"exercise: no such file: {path}")
    name = f"zengrad_attempt_{next(_loaded)}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def compare(what: str, got, expected, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Raise :class:`Wrong` unless ``got`` matches ``expected`` elementwise (NaN where NaN is expected).

    The message names ``what``, the shape, the first wrong index, the largest difference and how
    many entries are wrong, so a learner can tell a transposed gradient from a missing term.
    """
    expected = np.asarray(expected)
    if got is None:
        raise Wrong(f"{what}: got None, expected an array of shape {expected.shape}")
    got = np.asarray(got)
    if got.shape != expected.shape:
        hint = " (transposed?)" if got.shape == expected.shape[::-1] and got.ndim == 2 else ""
        raise Wrong(f"{what}: shape {got.shape}, expected {expected.shape}{hint}")
    if not np.issubdtype(got.dtype, np.number):
        raise Wrong(f"{what}: dtype {got.dtype}, expected numbers")
    got64, expected64 = got.astype(np.float64), expected.astype(np.float64)
    close = np.isclose(got64, expected64, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    bad = np.argwhere(~close)
    first = tuple(int(i) for i in bad[0])
    difference = np.abs(got64 - expected64)
    difference = np.where(np.isnan(difference), np.inf, difference)
    worst = np.unravel_index(int(np.argmax(np.where(close, -1, difference))), got.shape) if got.ndim else ()
    worst = tuple(int(i) for i in worst)
    message = (f"{what} (shape {expected.shape}): wrong at index {first}: got {got64[first]:.6g}, "
               f"expected {expected64[first]:.6g}; {len(bad)} of {expected.size} entries wrong, the largest "
               f"difference {difference[worst]:.3g} at index {worst}")
    if np.isnan(got64).any() and not np.isnan(expected64).any():
        message += f"; {int(np.isnan(got64).sum())} entries are NaN (overflow? subtract the max first)"
    elif np.allclose(got64, 0) and not np.allclose(expected64, 0):
        message += "; every entry is 0 (never written?)"
    elif got.ndim >= 2 and np.allclose(got64.sum(), expected64.sum(), rtol=1e-6, atol=1e-9):
        message += "; the sums agree, so the right numbers may sit in the wrong places"
    raise Wrong(message)


def require_written(what: str, result: np.ndarray) -> None:
    """Raise :class:`Wrong` if ``result``, filled with NaN before the attempt ran, still holds a NaN."""
    unwritten = np.argwhere(np.isnan(result))
    if len(unwritten):
        raise Wrong(f"{what}: C{tuple(int(i) for i in unwritten[0])} was never written "
                    f"({len(unwritten)} of {result.size} entries still hold the NaN they started with)")


def engine_gradients(forward, inputs: dict, output_grads) -> dict:
    """Float64 gradients of Σ outputs ⊙ output_grads by the engine's autograd; ``forward`` maps
    named Tensors to a tuple of output Tensors."""
    import zengrad as zg

    tensors = {name: zg.tensor(value, requires_grad=True) for name, value in inputs.items()}
    outputs = forward(**tensors)
    total = sum((out * zg.tensor(g)).sum() for out, g in zip(outputs, output_grads))
    total.backward()
    return {name: t.grad._data if t.grad is not None else np.zeros_like(t._data) for name, t in tensors.items()}


def compare_gradients(what: str, got, expected: dict) -> None:
    if not isinstance(got, dict):
        raise Wrong(f"{what}: return a dict of gradients with keys {sorted(expected)}, got {type(got).__name__}")
    missing = sorted(set(expected) - set(got))
    if missing:
        raise Wrong(f"{what}: the gradients of {missing} are missing (keys needed: {sorted(expected)})")
    for name, value in expected.items():
        compare(f"{what}: the gradient of {name}", got[name], value, rtol=1e-7, atol=1e-9)
