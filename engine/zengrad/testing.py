"""``zengrad.testing.assert_close`` (as ``torch.testing.assert_close``): two tensors (or numbers,
or arrays) equal within ``atol + rtol·|expected|``, with PyTorch's default tolerances per dtype."""

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
