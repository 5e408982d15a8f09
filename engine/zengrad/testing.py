"""``zengrad.testing`` (as ``torch.testing``): ``assert_close``, two tensors (or numbers, or arrays)
equal within ``atol + rtol·|expected|`` with PyTorch's default tolerances per dtype, and
``make_tensor``, random test inputs."""

from __future__ import annotations

import numpy as np

from . import backend
from .tensor import Tensor

#: PyTorch's defaults: (rtol, atol) by dtype; exact for integers and booleans
_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7)}


def _array(value) -> np.ndarray:
    data = value._data if isinstance(value, Tensor) else value
    return np.asarray(backend.to_device(data, "cpu") if hasattr(data, "dtype") else data)


def assert_close(actual, expected, *, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_dtype: bool = True, msg: str | None = None) -> None:
    """Raise AssertionError unless ``actual`` and ``expected`` have one shape (and dtype, with
    ``check_dtype``) and |actual − expected| ≤ atol + rtol·|expected| everywhere (NaNs equal only
    with ``equal_nan``). Give both tolerances or neither."""
    if (rtol is None) != (atol is None):
        raise ValueError("assert_close: give both rtol and atol, or neither")
    mine, theirs = _array(actual), _array(expected)
    if mine.shape != theirs.shape:
        raise AssertionError(msg or f"The values for attribute 'shape' do not match: {mine.shape} != {theirs.shape}.")
    if check_dtype and mine.dtype != theirs.dtype:
        raise AssertionError(msg or f"The values for attribute 'dtype' do not match: {mine.dtype} != {theirs.dtype}.")
    if rtol is None:
        rtol, atol = _TOLERANCES.get(np.result_type(mine, theirs), (0.0, 0.0))
    try:
        np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=atol, equal_nan=equal_nan, err_msg=msg or "")
    except AssertionError as error:
        raise AssertionError(str(error)) from None


#: make_tensor's default ranges, PyTorch's: [low, high) by kind of dtype
_DEFAULT_RANGES = {"f": (-9.0, 9.0), "i": (-9, 10), "u": (0, 10)}


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False, memory_format=None) -> Tensor:
    """A tensor of random values for a test (``torch.testing.make_tensor``): floats uniform in
    [low, high) (default [−9, 9)), integers in [low, high) (default [−9, 10), unsigned [0, 10)),
    booleans fair coin flips; ``exclude_zero`` replaces zeros (by the smallest normal float, or 1);
    ``noncontiguous`` returns a view whose elements are not adjacent in memory (same values)."""
    from .creation import generator
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dtype = np.dtype(dtype)
    draw = generator("cpu")
    if dtype.kind == "b":
        values = draw.random(shape) < 0.5
    else:
        default_low, default_high = _DEFAULT_RANGES[dtype.kind]
        low = default_low if low is None else max(low, 0) if dtype.kind == "u" else low
        high = default_high if high is None else high
        if low > high:
            raise ValueError(f"make_tensor: low ({low}) must be at most high ({high})")
        if dtype.kind == "f":
            values = low + (high - low) * draw.random(shape)
        else:
            values = draw.integers(int(np.ceil(low)), int(np.ceil(high)) if high > low else int(low) + 1, size=shape)
        if exclude_zero:
            values = np.where(values == 0, np.finfo(dtype).tiny if dtype.kind == "f" else 1, values)
    values = np.asarray(values).astype(dtype)
    if noncontiguous and values.ndim and values.size > 1:  # every other element of a twice-as-long array
        values = np.repeat(values, 2, axis=-1)[..., ::2]
    result = Tensor(backend.to_device(values, backend.normalize_device(device)) if device is not None else values)
    return result.requires_grad_(True) if requires_grad else result
