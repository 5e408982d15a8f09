"""Differentiable ops, and the table that makes them Tensor methods and operators.

Each op's math lives once, in its module; this file only wires names to it.

NOTE: ``sum``, ``max``, ``min``, ``abs`` and ``pow`` here are the Tensor ops, shadowing Python's
built-ins inside this package's modules that import them.
"""

import warnings

from ..tensor import Tensor
from .elementwise import (abs, add, clamp, convert, div, eq, exp, ge, gt, isfinite, le, leaky_relu,
                          log, logical_and, logical_not, logical_or, lt, maximum, minimum, mul, ne, neg,
                          pow, relu, sigmoid, sign, sqrt, sub, tanh, where)
from .matmul import matmul
from .reduction import argmax, argmin, log_softmax, logsumexp, max, mean, min, softmax, sum
from .shape import (cat, chunk, expand, flatten, full_transpose, getitem, matrix_transpose, permute,
                    reshape, split, squeeze, stack, transpose, unsqueeze)


def _reflected(fn):
    def reflected(self, other):
        return fn(other, self)
    return reflected


_METHODS = {
    # arithmetic operators
    "__add__": add, "__radd__": _reflected(add),
    "__sub__": sub, "__rsub__": _reflected(sub),
    "__mul__": mul, "__rmul__": _reflected(mul),
    "__truediv__": div, "__rtruediv__": _reflected(div),
    "__pow__": pow, "__rpow__": _reflected(pow),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__neg__": neg, "__abs__": abs,
    "__getitem__": getitem,
    # comparisons and logic (boolean results, no gradient)
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": logical_and, "__or__": logical_or, "__invert__": logical_not,
    # named methods
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow, "neg": neg, "abs": abs,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
    "clamp": clamp, "maximum": maximum, "minimum": minimum, "sign": sign,
    "sum": sum, "mean": mean, "max": max, "min": min, "argmax": argmax, "argmin": argmin,
    "logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
    "matmul": matmul, "reshape": reshape, "view": reshape, "permute": permute,
    "transpose": transpose, "expand": expand, "squeeze": squeeze, "unsqueeze": unsqueeze,
    "flatten": flatten, "split": split, "chunk": chunk, "isfinite": isfinite,
}

for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
Tensor.T = property(full_transpose)
Tensor.mT = property(matrix_transpose)

__all__ = sorted({fn.__name__ for fn in _METHODS.values()} | {
    "cat", "stack", "where", "leaky_relu", "convert", "unsqueeze"})


_RENAMED = {"sum_": "sum", "max_": "max", "min_": "min", "abs_": "abs", "pow_": "pow"}


def __getattr__(name):
    """The old names with a trailing underscore (which means in-place elsewhere) still work for one
    release, with a warning."""
    if name in _RENAMED:
        warnings.warn(f"zengrad.ops.{name} is renamed zengrad.ops.{_RENAMED[name]} (a trailing underscore "
                      "means in-place); the old name goes in the next release", DeprecationWarning, stacklevel=2)
        return globals()[_RENAMED[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
