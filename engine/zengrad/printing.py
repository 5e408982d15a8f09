"""How tensors print: ``repr(t)`` laid out as PyTorch lays it out, and ``set_printoptions``.

One format is chosen per tensor from its nonzero finite values v (their absolute values |v|):

* integer dtypes and bools: each value as Python prints it;
* floats that are all whole numbers: ``3.`` (no digits after the point), unless
  max|v| / min|v| > 1000 or max|v| > 1e8, which switches to scientific notation;
* other floats: ``precision`` digits after the point (``0.1235``), unless max|v| / min|v| > 1000,
  max|v| > 1e8 or min|v| < 1e-4, which switches to scientific notation (``1.2346e-05``).

Every element is right-aligned to the widest finite one; rows wrap at ``linewidth`` characters, and
a tensor of more than ``threshold`` elements shows only ``edgeitems`` at each end of every dim,
with ``...`` between.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import backend


@dataclass
class PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


options = PrintOptions()

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None) -> None:
    """Change how tensors print (PyTorch's arguments): ``profile`` is "default", "short" or "full";
    ``sci_mode`` True/False forces scientific notation on or off, None lets each tensor choose."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        for name, value in _PROFILES[profile].items():
            setattr(options, name, value)
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            setattr(options, name, value)
    options.sci_mode = sci_mode


class _Formatter:
    """The one number format for a tensor's elements (see the module docstring), and its width."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.whole = True
        self.scientific = False
        self.width = 1
        if not self.floating:
            self.width = max([len(str(v)) for v in values.tolist()] + [1])
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        low, high = magnitudes.min(), magnitudes.max()
        self.whole = bool(np.all(finite == np.ceil(finite)))
        wide = high / low > 1000.0 or high > 1.0e8
        self.scientific = wide if self.whole else wide or low < 1.0e-4
        if options.sci_mode is not None:
            self.scientific = options.sci_mode
        self.width = max(len(self._plain(v)) for v in finite.tolist())

    def _plain(self, value: float) -> str:
        if self.scientific:
            return f"{value:.{options.precision}e}"
        if self.whole:
            return f"{value:.0f}" + ("." if math.isfinite(value) else "")
        return f"{value:.{options.precision}f}"

    def format(self, value) -> str:
        text = self._plain(value) if self.floating else str(value)
        return text.rjust(self.width)


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements left after cutting each dim to ``edgeitems`` at both ends (for the format)."""
    edge = options.edgeitems
    for axis in range(values.ndim):
        if values.shape[axis] > 2 * edge:
            values = np.concatenate([values.take(range(edge), axis),
                                     values.take(range(values.shape[axis] - edge, values.shape[axis]), axis)], axis)
    return values.reshape(-1)


def _rows(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = options.edgeitems
    cut = summarize and values.shape[0] > 2 * edge
    if values.ndim == 1:
        pieces = [formatter.format(v) for v in values.tolist()]
        if cut:
            pieces = pieces[:edge] + [" ..."] + pieces[-edge:]
        per_line = max(1, (options.linewidth - indent) // (formatter.width + 2))
        lines = [", ".join(pieces[i:i + per_line]) for i in range(0, len(pieces), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(values.shape[0])
    parts = [_rows(values[i], indent + 1, summarize, formatter) for i in (list(rows[:edge]) if cut else rows)]
    if cut:
        parts += ["..."] + [_rows(values[i], indent + 1, summarize, formatter) for i in rows[-edge:]]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(tensor) -> str:
    """``tensor([...], dtype=..., grad_fn=<...>)`` as PyTorch prints it."""
    values = backend.to_device(tensor._data, "cpu")
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if tensor.device != "cpu":
        suffixes.append(f"device='{tensor.device}:0'")
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
    else:
        summarize = values.size > options.threshold
        formatter = _Formatter(_summarized(values) if summarize else values.reshape(-1))
        body = formatter.format(values.item()) if values.ndim == 0 else _rows(values, indent, summarize, formatter)
    plain = (backend.get_default_dtype(),) if values.size == 0 else (backend.get_default_dtype(), np.dtype(np.int64),
                                                                     np.dtype(np.bool_))
    if values.dtype not in plain:  # an empty tensor names every dtype but the default float
        suffixes.append(f"dtype=zengrad.{values.dtype}")
    if tensor.grad_fn is not None:
        suffixes.append(f"grad_fn={tensor.grad_fn!r}")
    elif tensor.requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > options.linewidth:
            text += ",\n" + " " * indent + suffix
            line_length = indent + len(suffix)
        else:
            text += ", " + suffix
            line_length += len(suffix) + 2
    return text + ")"
