"""The names PyTorch puts at its top level besides its tensor ops, with PyTorch's top-level signatures.

``torch.conv2d``, ``torch.layer_norm``, ``torch.relu_(x)``, ``torch.embedding(weight, ids)`` and
``torch.view_copy`` are what scripts written for PyTorch call; here each is one line onto the op
zengrad already has, so there is no second implementation to drift:

* functional ops — the same computation as ``zengrad.nn.functional``'s. Where PyTorch's top-level
  spelling differs from its functional one (``torch.batch_norm`` takes weight and bias before the
  running statistics, ``torch.embedding`` takes the weight first, the losses take the reduction as
  PyTorch's enum 0 = 'none', 1 = 'mean', 2 = 'sum', ``torch.adaptive_max_pool1d`` returns the
  indices too), the wrapper reorders the arguments and nothing else;
* in-place functions — ``torch.exp_(x)`` is ``x.exp_()``;
* copying views — ``torch.transpose_copy(x, 0, 1)`` is ``x.transpose(0, 1).clone()``: the view's
  values in memory of their own;
* real-number views of complex ideas — zengrad has no complex dtypes, so ``conj``, ``resolve_conj``,
  ``real`` return their input (as PyTorch does for real tensors), ``angle`` is π for negative
  numbers and 0 otherwise (NaN stays NaN; its gradient is zero), and ``imag`` is an error.
"""

from __future__ import annotations

from . import func, special
from .errors import OpError
from .nn import functional as F
from .ops import clone, composed_recurrence, inplace, select, split
from .ops.math import angle
from .tensor import Tensor

__all__ = []


def _public(fn):
    __all__.append(fn.__name__)
    return fn


# ---- functional ops under their top-level names -------------------------------------------------

_SAME_SIGNATURE = ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                   "avg_pool1d", "adaptive_avg_pool1d", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
                   "prelu", "bilinear", "rms_norm", "hardshrink", "selu_", "celu_", "rrelu_", "threshold_")
for _name in _SAME_SIGNATURE:
    globals()[_name] = getattr(F, _name)
    __all__.append(_name)

_REDUCTIONS = ("none", "mean", "sum")


def _reduction(value) -> str:
    """PyTorch's top-level losses take the reduction as an enum: 0 none, 1 mean, 2 sum."""
    if isinstance(value, str):
        return value
    if value not in (0, 1, 2):
        raise ValueError(f"reduction must be 0 (none), 1 (mean) or 2 (sum), got {value!r}")
    return _REDUCTIONS[value]


def _pool_stride(kernel_size, stride):
    """PyTorch's top-level pools default ``stride`` to ``[]``, meaning the kernel size."""
    return None if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


@_public
def max_pool1d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """``F.max_pool1d`` without indices."""
    return F.max_pool1d(input, kernel_size, _pool_stride(kernel_size, stride), padding, dilation, ceil_mode)


@_public
def max_pool2d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """``F.max_pool2d`` without indices."""
    return F.max_pool2d(input, kernel_size, _pool_stride(kernel_size, stride), padding, dilation, ceil_mode)


@_public
def max_pool3d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """``F.max_pool3d`` without indices."""
    return F.max_pool3d(input, kernel_size, _pool_stride(kernel_size, stride), padding, dilation, ceil_mode)


@_public
def max_pool1d_with_indices(input: Tensor, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """(values, indices) of ``F.max_pool1d``."""
    return F.max_pool1d(input, kernel_size, _pool_stride(kernel_size, stride), padding, dilation, ceil_mode,
                        return_indices=True)


@_public
def adaptive_max_pool1d(input: Tensor, output_size) -> tuple[Tensor, Tensor]:
    """(values, indices): PyTorch's top-level adaptive max pool always returns both."""
    return F.adaptive_max_pool1d(input, output_size, return_indices=True)


@_public
def layer_norm(input: Tensor, normalized_shape, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enable: bool = True) -> Tensor:
    """``F.layer_norm`` (``cudnn_enable`` is accepted and means nothing here)."""
    return F.layer_norm(input, normalized_shape, weight, bias, eps)


@_public
def group_norm(input: Tensor, num_groups: int, weight=None, bias=None, eps: float = 1e-5,
               cudnn_enabled: bool = True) -> Tensor:
    """``F.group_norm``."""
    return F.group_norm(input, num_groups, weight, bias, eps)


@_public
def batch_norm(input: Tensor, weight, bias, running_mean, running_var, training: bool, momentum: float,
               eps: float, cudnn_enabled: bool = True) -> Tensor:
    """``F.batch_norm`` with PyTorch's top-level argument order (weight and bias first)."""
    return F.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


@_public
def instance_norm(input: Tensor, weight, bias, running_mean, running_var, use_input_stats: bool,
                  momentum: float, eps: float, cudnn_enabled: bool = True) -> Tensor:
    """``F.instance_norm`` with PyTorch's top-level argument order (weight and bias first)."""
    return F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


@_public
def embedding(weight: Tensor, input: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """``F.embedding(input, weight)``: the top-level form takes the weight first, and padding_idx
    −1 for "none"."""
    return F.embedding(input, weight, None if padding_idx == -1 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


@_public
def constant_pad_nd(input: Tensor, pad, value=0) -> Tensor:
    """``F.pad`` with a constant."""
    return F.pad(input, pad, value=value)


@_public
def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight=None, pos_weight=None,
                                     reduction=1) -> Tensor:
    return F.binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                              pos_weight=pos_weight)


@_public
def kl_div(input: Tensor, target: Tensor, reduction=1, log_target: bool = False) -> Tensor:
    """Reduction 1 is the mean over every element, as PyTorch's top-level ``kl_div``."""
    return F.kl_div(input, target, reduction=_reduction(reduction), log_target=log_target)


@_public
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction=1) -> Tensor:
    return F.cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


@_public
def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction=1) -> Tensor:
    return F.hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


@_public
def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction=1) -> Tensor:
    return F.margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


@_public
def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction) -> Tensor:
    return F.poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


@_public
def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, reduction=1) -> Tensor:
    return F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                 reduction=_reduction(reduction))


@_public
def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction=1, zero_infinity: bool = False) -> Tensor:
    return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                      zero_infinity)


@_public
def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return F.alpha_dropout(input, p, train)


@_public
def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    return F.feature_alpha_dropout(input, p, train)


@_public
def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return F.dropout(input, p, train, inplace=True)


@_public
def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return F.alpha_dropout(input, p, train, inplace=True)


@_public
def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    return F.feature_alpha_dropout(input, p, train, inplace=True)


# ---- in-place functions: torch.exp_(x) is x.exp_() ----------------------------------------------

_IN_PLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_",
    "asin_", "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "cos_",
    "cosh_", "deg2rad_", "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_",
    "frac_", "gcd_", "i0_", "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_",
    "nan_to_num_", "neg_", "negative_", "rad2deg_", "reciprocal_", "relu_", "round_", "rsqrt_", "sigmoid_",
    "sin_", "sinc_", "sinh_", "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_")


def _method_as_function(name: str):
    def function(input: Tensor, *args, **kwargs):
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}")
        return getattr(input, name)(*args, **kwargs)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``input.{name}(...)``: changes ``input`` in place and returns it."
    return function


for _name in _IN_PLACE_FUNCTIONS:
    globals()[_name] = _method_as_function(_name)
    __all__.append(_name)


# ---- views whose values are copied ----------------------------------------------------------------

def _slice(input: Tensor, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:
    index = [slice(None)] * input.ndim
    index[dim] = slice(start, end, step)
    return input[tuple(index)]


_VIEWS = {
    "view_copy": lambda input, *shape: input.view(*shape),
    "reshape_copy": lambda input, shape: input.reshape(shape),
    "transpose_copy": lambda input, dim0, dim1: input.transpose(dim0, dim1),
    "permute_copy": lambda input, dims: input.permute(*dims),
    "expand_copy": lambda input, size, implicit=False: input.expand(*size),
    "squeeze_copy": lambda input, *dim: input.squeeze(*dim),
    "unsqueeze_copy": lambda input, dim: input.unsqueeze(dim),
    "select_copy": lambda input, dim, index: select(input, dim, index),
    "slice_copy": _slice,
    "t_copy": lambda input: input.t(),
    "diagonal_copy": lambda input, offset=0, dim1=0, dim2=1: input.diagonal(offset, dim1, dim2),
    "detach_copy": lambda input: input.detach(),
    "alias_copy": lambda input: input,
    "unfold_copy": lambda input, dimension, size, step: input.unfold(dimension, size, step),
    "unbind_copy": lambda input, dim=0: input.unbind(dim),
    "split_copy": lambda input, split_size, dim=0: split(input, split_size, dim),
    "split_with_sizes_copy": lambda input, split_sizes, dim=0: split(input, list(split_sizes), dim),
}


def _copying(name: str, view):
    def function(input: Tensor, *args, **kwargs):
        result = view(input, *args, **kwargs)
        return tuple(clone(part) for part in result) if isinstance(result, (tuple, list)) else clone(result)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``{name[:-len('_copy')]}``'s result, copied into memory of its own."
    return function


for _name, _view in _VIEWS.items():
    globals()[_name] = _copying(_name, _view)
    __all__.append(_name)


# ---- smaller names ----------------------------------------------------------------------------------

@_public
def split_with_sizes(input: Tensor, split_sizes, dim: int = 0):
    """Pieces of the given sizes along ``dim`` (views)."""
    return split(input, list(split_sizes), dim)


unsafe_split = split
unsafe_split_with_sizes = split_with_sizes
__all__ += ["unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk"]


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0):
    """``chunk`` (PyTorch's unsafe variant skips a check zengrad does not need)."""
    return input.chunk(chunks, dim)


@_public
def detach(input: Tensor) -> Tensor:
    return input.detach()


fill = inplace.fill
__all__.append("fill")


@_public
def rsub(input: Tensor, other, alpha=1) -> Tensor:
    """other − alpha·input."""
    return other - input * alpha if alpha != 1 else other - input


@_public
def is_same_size(input: Tensor, other: Tensor) -> bool:
    return input.shape == other.shape


@_public
def is_signed(input: Tensor) -> bool:
    return input.is_signed()


@_public
def is_conj(input: Tensor) -> bool:
    """False: zengrad has no complex dtypes, so nothing is a lazily conjugated view."""
    return False


@_public
def is_neg(input: Tensor) -> bool:
    """False: zengrad has no lazily negated views."""
    return False


@_public
def conj(input: Tensor) -> Tensor:
    """The complex conjugate; for a real tensor, the tensor itself (as PyTorch)."""
    return input


conj_physical = resolve_conj = resolve_neg = real = conj
__all__ += ["angle", "conj_physical", "resolve_conj", "resolve_neg", "real"]


@_public
def imag(input: Tensor) -> Tensor:
    """An error for real tensors, as in PyTorch (``Tensor.imag``)."""
    return input.imag


#: the layout of every zengrad tensor (``tensor.layout``): dense, addressed by strides
strided = "strided"
__all__.append("strided")


@_public
def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (a view; for real tensors ``mT``)."""
    if input.ndim < 2:
        raise OpError(f"adjoint: expected a tensor with at least 2 dims, got shape {input.shape}")
    return input.mT


@_public
def typename(obj) -> str:
    """'zengrad.FloatTensor' for a tensor (its ``type()``), else the object's type name."""
    if isinstance(obj, Tensor):
        return obj.type()
    kind = type(obj)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


# ---- Tensor methods whose ops live above ops/ (in nn.functional and special) ---------------------

def _in_place(name: str, op):
    def method(self, *args, **kwargs):
        return inplace.in_place(name, self, op, *args, **kwargs)
    method.__name__ = name
    return method


Tensor.hardshrink = F.hardshrink
Tensor.prelu = F.prelu
Tensor.i0 = special.i0
Tensor.mvlgamma = special.multigammaln
Tensor.i0_ = _in_place("i0_", special.i0)
Tensor.mvlgamma_ = _in_place("mvlgamma_", special.multigammaln)
Tensor.igamma = special.gammainc
Tensor.igammac = special.gammaincc
Tensor.igamma_ = _in_place("igamma_", special.gammainc)
Tensor.igammac_ = _in_place("igammac_", special.gammaincc)


# ---- one recurrent step, as PyTorch's top-level cell functions -------------------------------------

@_public
def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None) -> Tensor:
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return composed_recurrence.rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, "tanh")


@_public
def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None) -> Tensor:
    """h' = relu(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return composed_recurrence.rnn_cell(input, hx, w_ih, w_hh, b_ih, b_hh, "relu")


@_public
def lstm_cell(input: Tensor, hx, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None) -> tuple[Tensor, Tensor]:
    """(h', c') of one LSTM step from hx = (h, c); the gate equations are ``lstm_pointwise``'s."""
    h, c = hx
    gates = F.linear(input, w_ih, b_ih) + F.linear(h, w_hh, b_hh)
    return composed_recurrence.lstm_pointwise(gates, c)


@_public
def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih=None, b_hh=None) -> Tensor:
    """h' of one GRU step (the gate equations are ``gru_pointwise``'s)."""
    return composed_recurrence.gru_cell(input, hx, w_ih, w_hh, b_ih, b_hh)


# ---- smaller names, continued ---------------------------------------------------------------------

vmap = func.vmap
__all__.append("vmap")


@_public
def get_device(input: Tensor) -> int:
    return input.get_device()


@_public
def is_storage(obj) -> bool:
    """False: zengrad has no storage objects apart from its tensors' arrays."""
    return False


@_public
def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """The indices of the non-zero elements (``nonzero``), cut or padded with ``fill_value`` to
    exactly ``size`` rows."""
    found = input.nonzero()._data
    rows = found[:size]
    if rows.shape[0] < size:
        padding = input.xp.full((size - rows.shape[0], found.shape[1]), fill_value, dtype=found.dtype)
        rows = input.xp.concatenate([rows, padding])
    return Tensor(rows)


@_public
def set_default_tensor_type(t) -> None:
    """PyTorch's older ``set_default_dtype``: ``zengrad.DoubleTensor`` (or its name) makes new
    floating tensors float64, ``zengrad.FloatTensor`` float32."""
    from .backend import set_default_dtype
    name = t if isinstance(t, str) else getattr(t, "__name__", str(t))
    kinds = {"DoubleTensor": "float64", "FloatTensor": "float32", "HalfTensor": "float16"}
    short = name.rsplit(".", 1)[-1]
    if short not in kinds:
        raise TypeError(f"set_default_tensor_type: only floating-point types are supported as the default type, got {name}")
    set_default_dtype(kinds[short])


def _resize_as_(input: Tensor, other: Tensor) -> Tensor:
    return input.resize_as_(other)


resize_as_ = _resize_as_
resize_as_.__name__ = "resize_as_"
__all__.append("resize_as_")
Tensor.nonzero_static = nonzero_static
Tensor.dim_order = lambda self: tuple(sorted(range(self.ndim), key=lambda d: -self.stride(d)))
Tensor.is_pinned = lambda self: False
