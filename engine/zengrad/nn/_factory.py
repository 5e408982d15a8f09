"""Creating parameter arrays with the ``device=`` / ``dtype=`` arguments layers accept."""

from __future__ import annotations

import numpy as np

from .. import backend
from .parameter import Parameter


def empty_parameter(*shape: int, device=None, dtype=None) -> Parameter:
    """A Parameter of ``shape`` filled with zeros, to be initialised by :mod:`zengrad.nn.init`."""
    xp = backend.array_module(backend.normalize_device(device))
    return Parameter(xp.zeros(shape, dtype=np.dtype(dtype or np.float32)))


def optional_parameter(present: bool, *shape: int, device=None, dtype=None) -> Parameter | None:
    """``empty_parameter(*shape)`` when ``present``, else None: the value a layer registers for a
    parameter its arguments may switch off (``bias=False``), so that it is declared either way."""
    return empty_parameter(*shape, device=device, dtype=dtype) if present else None
