"""The activations that PyTorch's functional namespace gives an ``inplace`` flag, under that
signature: ``F.relu(x, inplace=True)``, ``F.leaky_relu(x, 0.2, True)``.

zengrad's ops never overwrite their input, so ``inplace`` is accepted and the result is a new
tensor with the values PyTorch would have written into ``x``; the op itself is the one in
:mod:`zengrad.ops`.
"""

from __future__ import annotations

import functools
import inspect

from ...ops import leaky_relu as _leaky_relu, relu as _relu
from ...ops.activation import (celu as _celu, elu as _elu, hardsigmoid as _hardsigmoid, hardswish as _hardswish,
                               hardtanh as _hardtanh, mish as _mish, relu6 as _relu6, selu as _selu, silu as _silu,
                               threshold as _threshold)


def accepting_inplace(op):
    """``op`` with a trailing ``inplace`` argument (positional after op's own, or by keyword) that
    changes nothing but is checked to be a bool-like value."""
    settings = len(inspect.signature(op).parameters)

    @functools.wraps(op)
    def call(*args, inplace: bool = False, **kwargs):
        if len(args) > settings:
            if len(args) > settings + 1:
                raise TypeError(f"{op.__name__}() takes at most {settings + 1} positional arguments, "
                                f"got {len(args)}")
            args, inplace = args[:-1], args[-1]
        if not isinstance(inplace, (bool, int)):
            raise TypeError(f"{op.__name__}(): inplace must be a bool, got {type(inplace).__name__}")
        return op(*args, **kwargs)

    return call


relu = accepting_inplace(_relu)
leaky_relu = accepting_inplace(_leaky_relu)
elu = accepting_inplace(_elu)
celu = accepting_inplace(_celu)
selu = accepting_inplace(_selu)
silu = accepting_inplace(_silu)
mish = accepting_inplace(_mish)
relu6 = accepting_inplace(_relu6)
hardtanh = accepting_inplace(_hardtanh)
hardsigmoid = accepting_inplace(_hardsigmoid)
hardswish = accepting_inplace(_hardswish)
threshold = accepting_inplace(_threshold)
