"""Differentiable ops, and the table that makes them Tensor methods and operators.

Each op's math lives once, in its module; this file only wires names to it.

NOTE: ``sum``, ``max``, ``min``, ``abs`` and ``pow`` here are the Tensor ops, shadowing Python's
built-ins inside this package's modules that import them.
"""

import warnings

from ..errors import OpError
from ..tensor import Tensor
from .elementwise import (abs, add, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, clamp, convert, div, eq,
                          exp, ge, gt, isfinite, le, leaky_relu, log, logical_and, logical_not, logical_or,
                          logical_xor, lt, maximum, minimum, mul, ne, neg, positive, pow, relu, sigmoid, sign,
                          sqrt, sub, tanh, where)
from .elementwise import result_type
from ._util import can_cast, promote_types
from .matmul import matmul
from .reduction import argmax, argmin, log_softmax, logsumexp, max, mean, min, softmax, sum
from .shape import (cat, chunk, expand, flatten, full_transpose, getitem, matrix_transpose, permute,
                    reshape, split, squeeze, stack, transpose, unsqueeze, view)


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
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor, "__invert__": bitwise_not,
    "__rand__": _reflected(bitwise_and), "__ror__": _reflected(bitwise_or), "__rxor__": _reflected(bitwise_xor),
    "__pos__": positive, "positive": positive, "bitwise_not": bitwise_not, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
    # named methods
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow, "neg": neg, "abs": abs,
    "exp": exp, "log": log, "sqrt": sqrt, "tanh": tanh, "sigmoid": sigmoid, "relu": relu,
    "clamp": clamp, "maximum": maximum, "minimum": minimum, "sign": sign,
    "sum": sum, "mean": mean, "max": max, "min": min, "argmax": argmax, "argmin": argmin,
    "logsumexp": logsumexp, "softmax": softmax, "log_softmax": log_softmax,
    "matmul": matmul, "reshape": reshape, "view": view, "permute": permute,
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


# ---- ops added for PyTorch breadth (issue 13): their own modules, wired here -----------------

from . import activation, counting, indexing, inplace, layout, linalg, math, products, scan, statistics  # noqa: E402
from .counting import bincount, bucketize, histc, searchsorted, unique  # noqa: E402
from .indexing import (argsort, argwhere, gather, index_add, index_copy, index_fill, index_put,  # noqa: E402
                       index_select, masked_fill, masked_select, nonzero, scatter, scatter_add, scatter_reduce, sort, take, take_along_dim,
                       topk)
from .layout import (broadcast_to, clone, column_stack, contiguous, diag, diag_embed, diagflat,  # noqa: E402
                     diagonal, diff, dsplit, dstack, expand_as, flip, fliplr, flipud, hsplit, ravel, rot90,
                     select, tensor_split, vsplit, hstack, meshgrid, movedim, narrow, pad, repeat, repeat_interleave,
                     reshape_as, roll, swapaxes, t, tile, trace, tril, triu, type_as, unbind, unflatten,
                     unfold, vstack)
from .math import (acos, acosh, addcdiv, allclose, asin, asinh, atan, atan2, atanh, deg2rad, erfc, fmax, fmin,  # noqa: E501
                   lerp, logaddexp2, logit, rad2deg, signbit,
                    ceil, clamp, clip, copysign, cos, cosh, divide, erf,  # noqa: E402,E501
                   equal, exp2, expm1, float_power, floor, floor_divide, fmod, frac, heaviside, hypot, isclose,
                   isinf, isnan, isneginf, isposinf, log1p, log2, log10, logaddexp, nan_to_num, reciprocal,
                   remainder, round, rsqrt, sgn, sin, sinc, sinh, square, tan, trunc, xlogy)
from .products import addmm, baddbmm, bmm, cross, dot, ger, inner, kron, mm, mv, outer, tensordot, vdot  # noqa: E402
from .scan import cummax, cummin, cumprod, cumsum, logcumsumexp  # noqa: E402
from .special import digamma, erfinv, lgamma, polygamma  # noqa: E402
from .statistics import (aminmax, corrcoef, cov, dist,  # noqa: E402
                         all, amax, amin, any, count_nonzero, kthvalue, median, nanmean, nansum,  # noqa: E402
                         norm, prod, std, std_mean, var, var_mean)


def _binary_or_reduce(reduce, elementwise):
    """PyTorch's ``max(a, b)`` (elementwise, b a Tensor) beside ``max(a, dim, keepdim)``."""
    def extreme(a, dim=None, keepdim=False):
        if isinstance(dim, Tensor):
            return elementwise(a, dim)
        return reduce(a, dim, keepdim)
    extreme.__name__, extreme.__doc__ = reduce.__name__, reduce.__doc__
    return extreme


max = _binary_or_reduce(max, maximum)  # noqa: A001
min = _binary_or_reduce(min, minimum)  # noqa: A001


def _clamp_bound(side):
    def bound(a, value):
        return clamp(a, **{side: value})
    bound.__name__ = f"clamp_{side}"
    return bound


def _sum_to_size(a, size):
    """``a`` summed down to ``size`` (a shape a broadcasts from): the gradient of a broadcast."""
    from ._util import unbroadcast
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    try:
        if tuple(a.xp.broadcast_shapes(size, a.shape)) != a.shape:
            raise ValueError
    except ValueError:
        raise OpError(f"sum_to_size: size {size} is not expandable to the tensor's shape {a.shape}") from None
    return unbroadcast(a, size)


clamp_min, clamp_max = _clamp_bound("min"), _clamp_bound("max")


def addcmul(a, tensor1, tensor2, *, value=1):
    """a + value·tensor1·tensor2."""
    return a + tensor1 * tensor2 * value


_MORE_METHODS = {
    "add": add, "sub": sub, "div": divide, "divide": divide, "true_divide": div,
    "multiply": mul, "subtract": sub, "negative": neg, "max": max, "min": min, "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "var": var, "std": std, "prod": prod, "any": any, "all": all, "norm": norm,
    "cumsum": cumsum, "cumprod": cumprod, "cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp,
    "clone": clone, "contiguous": contiguous, "t": t, "repeat": repeat, "tile": tile, "flip": flip,
    "roll": roll, "tril": tril, "triu": triu, "unflatten": unflatten, "movedim": movedim, "moveaxis": movedim,
    "sin": sin, "cos": cos, "tan": tan, "asin": asin, "acos": acos, "atan": atan, "sinh": sinh, "cosh": cosh,
    "atan2": atan2, "arctan2": atan2, "log2": log2, "log10": log10, "log1p": log1p, "expm1": expm1,
    "exp2": exp2, "floor": floor, "ceil": ceil, "round": round, "trunc": trunc, "remainder": remainder,
    "fmod": fmod, "floor_divide": floor_divide, "copysign": copysign, "reciprocal": reciprocal,
    "rsqrt": rsqrt, "erf": erf, "square": square, "isclose": isclose, "allclose": allclose,
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf, "nan_to_num": nan_to_num,
    "clamp": clamp, "clip": clip, "clamp_min": clamp_min, "clamp_max": clamp_max,
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add, "scatter_reduce": scatter_reduce,
    "index_select": index_select, "masked_fill": masked_fill, "take_along_dim": take_along_dim,
    "nonzero": nonzero, "argwhere": argwhere, "sort": sort, "argsort": argsort, "topk": topk,
    "lerp": lerp, "addcmul": addcmul, "addcdiv": addcdiv,
    "expand_as": expand_as, "view_as": reshape_as, "reshape_as": reshape_as, "type_as": type_as,
    "swapaxes": swapaxes, "swapdims": swapaxes, "narrow": narrow, "unbind": unbind, "diagonal": diagonal,
    "diag": diag, "trace": trace, "diff": diff, "amax": amax, "amin": amin, "nansum": nansum,
    "nanmean": nanmean, "count_nonzero": count_nonzero, "kthvalue": kthvalue, "median": median,
    "mm": mm, "bmm": bmm, "outer": outer, "logaddexp": logaddexp, "sgn": sgn,
    "is_floating_point": lambda a: a.dtype.kind == "f",
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "less": lt,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "where": lambda a, condition, other: where(condition, a, other),
    "dot": dot, "mv": mv, "cross": cross, "addmm": addmm, "baddbmm": baddbmm, "kron": kron,
    "broadcast_to": broadcast_to, "repeat_interleave": repeat_interleave, "unfold": unfold, "take": take,
    "index_add": index_add, "index_copy": index_copy, "index_fill": index_fill,
    "frac": frac, "hypot": hypot, "xlogy": xlogy, "sinc": sinc, "heaviside": heaviside,
    "float_power": float_power, "unique": unique, "bincount": bincount, "equal": equal,
    "sum_to_size": lambda a, *size: _sum_to_size(a, size),
    "det": linalg.det, "inverse": linalg.inv, "logdet": linalg.logdet, "slogdet": linalg.slogdet,
    "matrix_power": linalg.matrix_power,
    "absolute": abs, "arccos": acos, "arcsin": asin, "arctan": atan, "acosh": acosh, "asinh": asinh,
    "atanh": atanh, "arccosh": acosh, "arcsinh": asinh, "arctanh": atanh, "fix": trunc,
    "lgamma": lgamma, "digamma": digamma, "erfinv": erfinv, "polygamma": lambda a, n: polygamma(n, a),
    "greater_equal": ge, "less_equal": le, "not_equal": ne, "erfc": erfc, "logit": logit,
    "logaddexp2": logaddexp2, "fmax": fmax, "fmin": fmin, "deg2rad": deg2rad, "rad2deg": rad2deg,
    "signbit": signbit, "ravel": ravel, "fliplr": fliplr, "flipud": flipud, "rot90": rot90,
    "tensor_split": tensor_split, "hsplit": hsplit, "vsplit": vsplit, "dsplit": dsplit,
    "split_with_sizes": lambda a, split_sizes, dim=0: split(a, list(split_sizes), dim),
    "select": select, "diag_embed": diag_embed, "diagflat": diagflat, "masked_select": masked_select,
    "index_put": index_put, "inner": inner, "vdot": vdot, "ger": ger, "dist": dist, "aminmax": aminmax,
    "cov": cov, "corrcoef": corrcoef, "histc": histc,
    "is_nonzero": lambda a: bool(a), "is_same_size": lambda a, b: a.shape == b.shape,
    "is_signed": lambda a: a.dtype.kind in "if", "is_complex": lambda a: False,
}

_IN_PLACE_OPS = {
    "add_": _MORE_METHODS["add"], "sub_": _MORE_METHODS["sub"], "mul_": mul, "div_": divide, "pow_": pow,
    "neg_": neg, "abs_": abs, "exp_": exp, "log_": log, "sqrt_": sqrt, "tanh_": tanh, "sigmoid_": sigmoid,
    "relu_": relu, "sin_": sin, "cos_": cos, "floor_": floor, "ceil_": ceil, "round_": round,
    "trunc_": trunc, "reciprocal_": reciprocal, "remainder_": remainder, "fmod_": fmod,
    "clamp_": clamp, "clip_": clip, "clamp_min_": clamp_min,
    "clamp_max_": clamp_max, "masked_fill_": masked_fill, "scatter_": scatter,
    "scatter_add_": scatter_add, "scatter_reduce_": scatter_reduce, "lerp_": lerp, "addcmul_": addcmul,
    "addcdiv_": addcdiv, "fill_": inplace.fill, "zero_": inplace.zero, "copy_": inplace.copy,
    "uniform_": inplace.uniform, "normal_": inplace.normal, "square_": square, "frac_": frac,
    "index_add_": index_add, "index_copy_": index_copy, "index_fill_": index_fill, "hypot_": hypot,
    "xlogy_": xlogy, "acos_": acos, "asin_": asin, "atan_": atan, "atan2_": atan2, "acosh_": acosh,
    "asinh_": asinh, "atanh_": atanh, "cosh_": cosh, "sinh_": sinh, "tan_": tan, "erf_": erf, "erfc_": erfc,
    "exp2_": exp2, "expm1_": expm1, "log10_": log10, "log1p_": log1p, "log2_": log2, "rsqrt_": rsqrt,
    "sign_": sign, "sgn_": sgn, "sinc_": sinc, "copysign_": copysign, "cumsum_": cumsum, "cumprod_": cumprod,
    "floor_divide_": floor_divide, "float_power_": float_power, "heaviside_": heaviside, "logit_": logit,
    "nan_to_num_": nan_to_num, "tril_": tril, "triu_": triu, "divide_": divide, "true_divide_": div,
    "multiply_": mul, "subtract_": _MORE_METHODS["sub"], "negative_": neg, "absolute_": abs,
    "fix_": trunc, "deg2rad_": deg2rad, "rad2deg_": rad2deg, "index_put_": index_put,
}


def _in_place_method(name, op, run=inplace.in_place):
    """The method ``name`` that changes ``self`` to ``op(self, ...)`` through ``run`` (new values:
    :func:`inplace.in_place`; new sizes and strides: :func:`inplace.restride`)."""
    def method(self, *args, **kwargs):
        return run(name, self, op, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"In place: ``self`` becomes ``{op.__name__}(self, ...)`` (see zengrad.ops.inplace)."
    return method


for _name, _fn in _MORE_METHODS.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in _IN_PLACE_OPS.items():
    setattr(Tensor, _name, _in_place_method(_name, _fn))
#: ``x += y`` and friends change ``x`` in place, as in PyTorch (views and the base see it)
_AUGMENTED = {"__iadd__": "add_", "__isub__": "sub_", "__imul__": "mul_", "__itruediv__": "div_",
              "__ifloordiv__": "floor_divide_", "__imod__": "remainder_", "__ipow__": "pow_"}
for _name, _method in _AUGMENTED.items():
    setattr(Tensor, _name, getattr(Tensor, _method))
for _name, _op in {"__iand__": bitwise_and, "__ior__": bitwise_or, "__ixor__": bitwise_xor}.items():
    setattr(Tensor, _name, _in_place_method(_name, _op))
Tensor.__setitem__ = inplace.setitem

for _name, _view in {"t_": t, "transpose_": transpose, "swapdims_": swapaxes, "swapaxes_": swapaxes,
                     "squeeze_": squeeze, "unsqueeze_": unsqueeze}.items():
    setattr(Tensor, _name, _in_place_method(_name, _view, inplace.restride))

__all__ = sorted(set(__all__) | {fn.__name__ for fn in _MORE_METHODS.values() if not fn.__name__.startswith("_")} | {
    "meshgrid", "pad", "var_mean", "std_mean", "clip", "result_type", "promote_types", "can_cast"})


# ---- assembled tensors, quantiles, distances, integration (their own modules, wired here) ------

from . import assembly, distance, quadrature, quantiles  # noqa: E402
from .assembly import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_tensors,  # noqa: E402
                       cartesian_prod, tril_indices, triu_indices, vander)
from .counting import unique_consecutive  # noqa: E402
from .distance import cdist  # noqa: E402
from .quadrature import cumulative_trapezoid, trapezoid  # noqa: E402
from .quantiles import nanmedian, nanquantile, quantile  # noqa: E402

_ASSEMBLY_METHODS = {"quantile": quantile, "nanquantile": nanquantile, "nanmedian": nanmedian,
                     "unique_consecutive": unique_consecutive}
for _name, _fn in _ASSEMBLY_METHODS.items():
    setattr(Tensor, _name, _fn)

__all__ = sorted(set(__all__) | {
    "atleast_1d", "atleast_2d", "atleast_3d", "block_diag", "broadcast_tensors", "cartesian_prod", "cdist",
    "cumulative_trapezoid", "nanmedian", "nanquantile", "quantile", "trapezoid", "tril_indices", "triu_indices",
    "unique_consecutive", "vander"})

from .counting import isin  # noqa: E402
from .math import gcd, lcm, ldexp  # noqa: E402
from .products import addbmm, addmv, addr  # noqa: E402
from .statistics import mode, renorm  # noqa: E402

_MORE_NAMED = {"addbmm": addbmm, "addmv": addmv, "addr": addr, "gcd": gcd, "lcm": lcm, "ldexp": ldexp, "mode": mode,
               "renorm": renorm}
for _name, _fn in _MORE_NAMED.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in {"gcd_": gcd, "lcm_": lcm, "ldexp_": ldexp, "renorm_": renorm, "addmv_": addmv, "addr_": addr,
                   "addbmm_": addbmm, "bernoulli_": inplace.bernoulli, "exponential_": inplace.exponential,
                   "geometric_": inplace.geometric, "cauchy_": inplace.cauchy, "log_normal_": inplace.log_normal,
                   "random_": inplace.random}.items():
    setattr(Tensor, _name, _in_place_method(_name, _fn))

__all__ = sorted(set(__all__) | set(_MORE_NAMED) | {"isin"})

from .assembly import diagonal_scatter, select_scatter, slice_scatter  # noqa: E402
from .counting import histogram  # noqa: E402
from .distance import pdist  # noqa: E402

for _name, _fn in {"diagonal_scatter": diagonal_scatter, "select_scatter": select_scatter,
                   "slice_scatter": slice_scatter, "histogram": histogram}.items():
    setattr(Tensor, _name, _fn)
__all__ = sorted(set(__all__) | {"diagonal_scatter", "histogram", "pdist", "select_scatter", "slice_scatter"})

from .assembly import broadcast_shapes, combinations  # noqa: E402
from .indexing import index_reduce, masked_scatter, msort, put, unravel_index  # noqa: E402
from .layout import as_strided, narrow_copy  # noqa: E402
from .math import apply_, frexp, isreal, map_, nextafter  # noqa: E402
from .products import chain_matmul  # noqa: E402
from .elementwise import bitwise_left_shift, bitwise_right_shift  # noqa: E402
from .quadrature import gradient  # noqa: E402


def _conjugate_transpose(a: Tensor) -> Tensor:
    """``.H``: the conjugate transpose of a matrix, for real dtypes its transpose (a 0-d tensor
    stays itself); PyTorch allows it on 0-d and 2-d tensors only."""
    if a.ndim not in (0, 2):
        raise OpError(f"tensor.H is only supported on matrices (2-D tensors). Got {a.ndim}-D tensor."
                      + (" For batches of matrices, consider using tensor.mH" if a.ndim > 2 else ""))
    return full_transpose(a)


Tensor.H = property(_conjugate_transpose)
Tensor.mH = property(matrix_transpose)  # a real matrix is its own conjugate
Tensor.adjoint = matrix_transpose  # x.adjoint() is x.mH
for _name, _fn in {"frexp": frexp, "nextafter": nextafter, "isreal": isreal, "msort": msort,
                   "narrow_copy": narrow_copy, "masked_scatter": masked_scatter, "put": put, "as_strided": as_strided,
                   "as_strided_": _in_place_method("as_strided_", as_strided, inplace.restride),
                   "index_reduce": index_reduce, "apply_": apply_, "map_": map_}.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in {"bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
                   "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
                   "__rlshift__": _reflected(bitwise_left_shift), "__rrshift__": _reflected(bitwise_right_shift)}.items():
    setattr(Tensor, _name, _fn)
for _name, _fn in {"masked_scatter_": masked_scatter, "put_": put, "index_reduce_": index_reduce,
                   "__ilshift__": bitwise_left_shift, "__irshift__": bitwise_right_shift}.items():
    setattr(Tensor, _name, _in_place_method(_name, _fn))
__all__ = sorted(set(__all__) | {"as_strided", "bitwise_left_shift", "bitwise_right_shift", "broadcast_shapes", "chain_matmul", "combinations", "frexp", "gradient",
                                 "index_reduce", "isreal", "masked_scatter", "msort", "narrow_copy", "nextafter",
                                 "put", "unravel_index"})


# ---- linear algebra as Tensor methods (the names from before torch.linalg among them) ---------

from . import legacy_linalg  # noqa: E402
from .matrix_exp import matrix_exp as _matrix_exp  # noqa: E402

for _name, _fn in {"svd": legacy_linalg.svd, "cholesky": legacy_linalg.cholesky, "lu": legacy_linalg.lu,
                   "lu_solve": legacy_linalg.lu_solve, "orgqr": legacy_linalg.orgqr,
                   "cholesky_solve": legacy_linalg.cholesky_solve, "cholesky_inverse": legacy_linalg.cholesky_inverse,
                   "matrix_exp": _matrix_exp}.items():
    setattr(Tensor, _name, _fn)


# ---- more of PyTorch's Tensor methods: in-place forms, views changed in place, complex-free names --

from .math import angle  # noqa: E402

_MORE_IN_PLACE = {
    "eq_": eq, "ne_": ne, "lt_": lt, "le_": le, "gt_": gt, "ge_": ge, "greater_": gt, "less_": lt,
    "greater_equal_": ge, "less_equal_": le, "not_equal_": ne,
    "logical_and_": logical_and, "logical_or_": logical_or, "logical_xor_": logical_xor, "logical_not_": logical_not,
    "bitwise_and_": bitwise_and, "bitwise_or_": bitwise_or, "bitwise_xor_": bitwise_xor,
    "bitwise_not_": bitwise_not, "bitwise_left_shift_": bitwise_left_shift,
    "bitwise_right_shift_": bitwise_right_shift,
    "digamma_": digamma, "erfinv_": erfinv, "lgamma_": lgamma, "polygamma_": _MORE_METHODS["polygamma"],
    "addmm_": addmm, "baddbmm_": baddbmm, "arctan2_": atan2, "nextafter_": nextafter,
    "arccos_": acos, "arccosh_": acosh, "arcsin_": asin, "arcsinh_": asinh, "arctan_": atan, "arctanh_": atanh,
    "fill_diagonal_": inplace.fill_diagonal,
}
for _name, _fn in _MORE_IN_PLACE.items():
    setattr(Tensor, _name, _in_place_method(_name, _fn))

Tensor.resize_ = inplace.resize
Tensor.resize_as_ = lambda self, other: inplace.resize(self, other.shape)
Tensor.angle = angle
for _name in ("conj", "conj_physical", "resolve_conj", "resolve_neg"):
    setattr(Tensor, _name, lambda self: self)  # a real tensor is its own conjugate
Tensor.is_conj = Tensor.is_neg = lambda self: False
__all__ = sorted(set(__all__) | {"angle"})


# ---- memory formats: contiguous, clone and is_contiguous take memory_format= ----------------------

from . import memory_format as _formats  # noqa: E402


def _contiguous(a: Tensor, memory_format=_formats.contiguous_format) -> Tensor:
    """``a`` itself when already laid out as ``memory_format`` (row-major by default), else a copy."""
    if memory_format is _formats.preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    return contiguous(a) if memory_format is _formats.contiguous_format else _formats.laid_out(a, memory_format)


def _clone(a: Tensor, *, memory_format=_formats.preserve_format) -> Tensor:
    """A copy of ``a`` in new memory; ``memory_format`` chooses its layout (row-major for a
    preserved layout that is not dense, as PyTorch's)."""
    if memory_format is _formats.contiguous_format or (memory_format is _formats.preserve_format
                                                        and a._data.flags.c_contiguous):
        return clone(a)
    return _formats.laid_out(a, memory_format, copy=True)


Tensor.contiguous = _contiguous
Tensor.clone = _clone
