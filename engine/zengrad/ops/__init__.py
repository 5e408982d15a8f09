"""Differentiable ops, and the table that makes them Tensor methods and operators.

Each op's math lives once, in its module; this file only wires names to it.
"""

from ..tensor import Tensor
from .elementwise import (abs_, add, clamp, convert, div, eq, exp, ge, gt, isfinite, le, leaky_relu,
                          log, logical_and, logical_not, logical_or, lt, maximum, minimum, mul, ne, neg,
                          pow_, relu, sigmoid, sign, sqrt, sub, tanh, where)
from .matmul import matmul
from .reduction import (argmax, argmin, log_softmax, logsumexp, max_, mean, min_, softmax, sum_)
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
    "__pow__": pow_, "__rpow__": _reflected(pow_),
    "__matmul__": matmul, "__rmatmul__": _reflected(matmul),
    "__neg__": neg, "__abs__": abs_,
    "__getitem__": getitem,
    # comparisons and logic (boolean results, no gradient)
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": logical_and, "__or__": logical_or, "__invert__": logical_not,
    # named methods
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow_, "neg": neg, "abs": abs_,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
    "clamp": clamp, "maximum": maximum, "minimum": minimum, "sign": sign,
    "sum": sum_, "mean": mean, "max": max_, "min": min_, "argmax": argmax, "argmin": argmin,
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
