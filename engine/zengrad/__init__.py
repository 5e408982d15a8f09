"""zengrad: a deep-learning engine written to be read, run and measured.

The public API follows PyTorch's names for the subset zengrad implements::

    import zengrad as zg
    x = zg.randn(3, 4, requires_grad=True)
    (x @ x.T).tanh().sum().backward()
    x.grad
"""

import sys as _sys

from . import allocator
from . import autograd, backend, cuda, data, kernels, linalg, nn, ops, utils, viz
from . import kernels_reference, kernels_cpu, kernels_cuda  # noqa: F401,I001  (they register the kernels)
from .creation import (arange, bool_, empty, empty_like, eye, float32, float64, from_numpy, full, full_like,
                       int32, int64, linspace, logspace, manual_seed, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .creation import Generator, default_generator, fork_rng, get_rng_state, set_rng_state
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled
from .grad_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .printing import set_printoptions
from .backend import device, get_default_device, get_default_dtype, set_default_device, set_default_dtype
from .info import info
from .ops import (cat, chunk, clamp, exp, flatten, leaky_relu, log, log_softmax, logsumexp,
                  matmul, maximum, mean, minimum, permute, relu, reshape, sigmoid, softmax, split,
                  sqrt, squeeze, stack, tanh, transpose, unsqueeze, where)
from .ops import abs, max, min, sum  # noqa: A004  (PyTorch's names; they shadow Python's here)
from .tensor import Tensor
from .threads import get_num_threads, set_num_threads
from . import backends
from .backends import are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled, use_deterministic_algorithms
from . import optim
from .ops import (acos, allclose, argmax, argmin, argsort, argwhere, asin, atan, atan2, ceil, clip,  # noqa: I001
                  clone, copysign, cos, cosh, cummax, cummin, cumprod, cumsum, erf, exp2, expm1, flip,
                  floor, floor_divide, fmod, gather, index_select, isclose, isinf, isnan, isneginf,
                  isposinf, log1p, log2, log10, logcumsumexp, masked_fill, meshgrid, movedim, nan_to_num,
                  nonzero, norm, prod, reciprocal, remainder, repeat, roll, rsqrt, scatter, scatter_add,
                  scatter_reduce, sin, sinh, sort, square, std, std_mean, take_along_dim, tan, tile, topk,
                  tril, triu, trunc, unflatten, var, var_mean)
from .ops import all, any, round  # noqa: A004  (PyTorch's names; they shadow Python's here)
from .ops import movedim as moveaxis
from .ops import (amax, amin, bmm, count_nonzero, diag, diagonal, diff, kthvalue, logaddexp, median, mm,  # noqa: I001
                  nanmean, nansum, narrow, outer, sgn, swapaxes, trace, unbind)
from .ops import swapaxes as swapdims
from .ops import (add, addcdiv, addcmul, addmm, baddbmm, bincount, broadcast_to, bucketize, clamp_max,  # noqa: I001
                  clamp_min, column_stack, cross, divide, dot, dstack, eq, float_power, frac, ge, gt, heaviside,
                  histc, hstack, hypot, index_add, index_copy, index_fill, isfinite, kron, le, lerp,
                  logical_and, logical_not, logical_or, logical_xor, lt, mul, mv, ne, neg, pow,
                  repeat_interleave, searchsorted, sign, sinc, sub, t, take, tensordot, unique, vstack, xlogy)
from .ops import divide as div, equal, gt as greater, lt as less, mul as multiply  # noqa: I001
from .ops import neg as negative, sub as subtract, cat as concat, cat as concatenate  # noqa: I001
from .ops import (acosh, aminmax, asinh, atanh, corrcoef, cov, deg2rad, diag_embed, diagflat, dist, dsplit,  # noqa: I001
                  erfc, fliplr, flipud, fmax, fmin, ger, hsplit, index_put, inner, logaddexp2, logit,
                  masked_select, rad2deg, ravel, rot90, select, signbit, tensor_split, vdot, vsplit)
from .ops import (abs as absolute, acos as arccos, asin as arcsin, atan as arctan, atan2 as arctan2,  # noqa: I001
                  acosh as arccosh, asinh as arcsinh, atanh as arctanh, trunc as fix, ge as greater_equal,
                  le as less_equal, ne as not_equal)
from .creation import as_tensor, asarray, bernoulli, int8, int16, is_tensor, multinomial, normal, numel, uint8
from .creation import FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor
from .creation import finfo, iinfo, float16, float16 as half
from .tensor import Size
from .ops import can_cast, promote_types, result_type
from math import e, inf, nan, pi  # torch.e, torch.inf, torch.nan, torch.pi
from .creation import float32 as float, float64 as double, int64 as long, int32 as int, bool_ as bool  # noqa: A001
from .ops import bitwise_and, bitwise_not, bitwise_or, bitwise_xor, positive
from .ops import digamma, erfinv, lgamma, polygamma
from .ops.einsum import einsum
from .ops.linalg import det, inv as inverse, logdet, matrix_power, slogdet
from .io import load, save
from .ops import (atleast_1d, atleast_2d, atleast_3d, block_diag, broadcast_tensors, cartesian_prod,  # noqa: I001
                  cdist, cumulative_trapezoid, nanmedian, nanquantile, quantile, trapezoid, tril_indices,
                  triu_indices, unique_consecutive, vander)
from .ops import div as true_divide, trapezoid as trapz  # noqa: I001
from .ops import addbmm, addmv, addr, gcd, isin, lcm, ldexp, mode, renorm  # noqa: I001
from .ops.decompositions import pinv as pinverse
from .ops import bitwise_left_shift, bitwise_right_shift
from .ops import (as_strided, broadcast_shapes, chain_matmul, combinations, frexp, gradient, index_reduce, isreal,  # noqa: I001
                  masked_scatter, msort, narrow_copy, nextafter, put, unravel_index)
from .creation import inclusive_range as range, poisson  # noqa: A004  (PyTorch's name; it shadows Python's here)
from .ops.legacy_linalg import cholesky, cholesky_inverse, cholesky_solve, lu, lu_solve, orgqr, svd  # noqa: I001
from .ops.lu import lu_unpack
from .ops.matrix_exp import matrix_exp
from .ops import diagonal_scatter, histogram, pdist, select_scatter, slice_scatter, vstack as row_stack  # noqa: I001
from .nn.functional import (celu, cosine_similarity, dropout, hardshrink, pairwise_distance, rrelu, selu,  # noqa: I001
                            threshold)


def is_floating_point(input: Tensor) -> bool:
    """Whether ``input`` holds floating-point numbers (``torch.is_floating_point``)."""
    return input.is_floating_point()


def is_nonzero(input: Tensor) -> bool:
    """Whether the single value of a one-element tensor is not zero (an error for any other size)."""
    return input.is_nonzero()


def is_complex(input: Tensor) -> bool:
    """False: zengrad has no complex dtypes."""
    return False


from . import accelerator, autograd_custom, autograd_functional, distributions, special, testing
from .special import gammainc as igamma, gammaincc as igammac, i0, multigammaln as mvlgamma
from .creation import empty_permuted, empty_strided, from_dlpack, frombuffer, initial_seed, seed
autograd.functional = autograd_functional  # zg.autograd.functional.jacobian, as torch.autograd.functional
_sys.modules[__name__ + ".autograd.functional"] = autograd_functional  # and importable under that name
autograd.function = autograd_custom  # zg.autograd.function.once_differentiable, as torch.autograd.function
_sys.modules[__name__ + ".autograd.function"] = autograd_custom

from . import amp, func, random, settings, toplevel, windows  # noqa: A004  (random: PyTorch's torch.random)
from .amp import autocast, is_autocast_enabled
from .ops.memory_format import channels_last, channels_last_3d, contiguous_format, preserve_format
from .settings import *  # noqa: F401,F403  (compile, set_float32_matmul_precision, …)
from .toplevel import *  # noqa: F401,F403  (torch.conv2d, torch.exp_, torch.view_copy, …)
from .windows import *  # noqa: F401,F403  (hann_window, …)
from ._version import __version__

allocator.keep_freed_memory()
