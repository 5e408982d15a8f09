"""A tensor's text, laid out as PyTorch prints it: ``tensor([1.5000, 2.0000], grad_fn=<MulBackward>)``.

One format is chosen for the whole tensor from its nonzero finite values (NaN, ±inf and 0 take no
part in the choice):

- integers and bools: ``str`` of each value;
- floats that are all whole numbers: ``1.`` (or ``1.0000e+10`` when max/min > 1000 or max > 1e8);
- other floats: 4 decimals, ``0.1235`` (or ``1.2346e-05`` when max/min > 1000, max > 1e8 or
  min < 1e-4).

Every value is right-aligned to the widest; a row wraps to fit 80 characters, and a tensor of
more than 1000 elements shows its first and last 3 entries along each dimension around ``...``.
:func:`set_printoptions` changes these numbers (and can force or forbid scientific notation), as
``torch.set_printoptions``.
After the values come the dtype where it is not the default (float32, int64 and bool are not
named; an empty tensor names every dtype but float32), ``requires_grad=True`` or the ``grad_fn``, each on a new line if it would pass column 80.
"""

from __future__ import annotations

import math

import numpy as np

from . import backend

_PROFILES = {"default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
             "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
             "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80)}
OPTIONS = dict(_PROFILES["default"], sci_mode=None)


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None) -> None:
    """Digits after the point, the element count above which a tensor is summarised, the entries
    kept at each edge then, the line width; ``profile`` ("default", "short", "full") sets all four
    first; ``sci_mode`` True/False forces or forbids scientific notation (None: chosen per tensor)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        OPTIONS.update(_PROFILES[profile])
    given = dict(precision=precision, threshold=threshold, edgeitems=edgeitems, linewidth=linewidth)
    OPTIONS.update({key: value for key, value in given.items() if value is not None})
    OPTIONS["sci_mode"] = sci_mode


class _Formatter:
    """The number format and the column width for one tensor (see the module docstring)."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        if not self.floating:
            self.width = max((len(str(v)) for v in values.tolist()), default=1)
            return
        wide = values.astype(np.float64)
        chosen = wide[np.isfinite(wide) & (wide != 0)]
        if chosen.size == 0:
            return
        magnitude = np.abs(chosen)
        low, high = magnitude.min(), magnitude.max()
        self.int_mode = bool(np.all(chosen == np.ceil(chosen)))
        self.sci_mode = high / low > 1000.0 or high > 1.0e8 or (not self.int_mode and low < 1.0e-4)
        if OPTIONS["sci_mode"] is not None:
            self.sci_mode = OPTIONS["sci_mode"]
        self.width = max(len(self._text(v)) for v in chosen.tolist())

    def _text(self, value) -> str:
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{OPTIONS['precision']}e}"
        if self.int_mode:
            return f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        return f"{value:.{OPTIONS['precision']}f}"

    def __call__(self, value) -> str:
        return self._text(value).rjust(self.width)


def _summarized(values: np.ndarray) -> np.ndarray:
    """The first and last ``edgeitems`` entries along every dimension longer than twice that."""
    edge = OPTIONS["edgeitems"]
    for axis, n in enumerate(values.shape):
        if n > 2 * edge:
            keep = np.r_[0:edge, n - edge:n]
            values = np.take(values, keep, axis=axis)
    return values


def _body(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if values.ndim == 0:
        return fmt(values.item())
    edge = OPTIONS["edgeitems"]
    cut = summarize and values.shape[0] > 2 * edge
    if values.ndim == 1:
        per_line = max(1, (OPTIONS["linewidth"] - indent) // (fmt.width + 2))
        items = values.tolist()
        texts = ([fmt(v) for v in items[:edge]] + [" ..."] + [fmt(v) for v in items[-edge:]]
                 if cut else [fmt(v) for v in items])
        lines = [", ".join(texts[i:i + per_line]) for i in range(0, len(texts), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(values.shape[0])
    picked = [*rows[:edge], None, *rows[-edge:]] if cut else list(rows)
    slices = ["..." if i is None else _body(values[i], indent + 1, summarize, fmt) for i in picked]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)``: the values and the suffixes (device, size of an empty tensor, dtype, grad)."""
    values = np.asarray(backend.to_device(t.data, "cpu"))
    if values.dtype == np.float16:
        values = values.astype(np.float32)
    suffixes = []
    if t.device != "cpu":
        suffixes.append(f"device='{t.device}'")
    if values.size == 0:
        body = "[]"
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
    else:
        summarize = values.size > OPTIONS["threshold"]
        fmt = _Formatter((_summarized(values) if summarize else values).reshape(-1))
        body = _body(values, len(prefix), summarize, fmt)
    shown = (backend.DEFAULT_DTYPE,) if values.size == 0 else (backend.DEFAULT_DTYPE, np.int64, np.bool_)
    if t.dtype not in shown:
        suffixes.append(f"dtype=zengrad.{t.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = prefix + body
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > OPTIONS["linewidth"]:
            text += ",\n" + " " * len(prefix) + suffix
            last_line = len(prefix) + len(suffix)
        else:
            text += ", " + suffix
            last_line += len(suffix) + 2
    return text + ")"
