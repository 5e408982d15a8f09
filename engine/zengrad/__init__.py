"""zengrad: a deep-learning engine written to be read, run and measured.

The public API follows PyTorch's names for the subset zengrad implements::

    import zengrad as zg
    x = zg.randn(3, 4, requires_grad=True)
    (x @ x.T).tanh().sum().backward()
    x.grad
"""

from . import allocator
from . import autograd, backend, cuda, data, kernels, nn, ops, utils, viz
from . import kernels_reference, kernels_cpu, kernels_cuda  # noqa: F401,I001  (they register the kernels)
from .creation import (arange, bool_, empty, empty_like, eye, float32, float64, from_numpy, full, full_like,
                       int32, int64, linspace, logspace, manual_seed, ones, ones_like, rand, rand_like, randint,
                       randint_like, randn, randn_like, randperm, tensor, zeros, zeros_like)
from .creation import fork_rng, get_rng_state, set_rng_state
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .info import info
from .ops import (cat, chunk, clamp, exp, flatten, leaky_relu, log, log_softmax, logsumexp,
                  matmul, maximum, mean, minimum, permute, relu, reshape, sigmoid, softmax, split,
                  sqrt, squeeze, stack, tanh, transpose, unsqueeze, where)
from .ops import abs, max, min, sum  # noqa: A004  (PyTorch's names; they shadow Python's here)
from .tensor import Tensor
from .threads import get_num_threads, set_num_threads
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
from .io import load, save

from ._version import __version__

allocator.keep_freed_memory()
