"""Folding a BatchNorm that follows a convolution or a linear layer into that layer, for inference
(``torch.nn.utils.fuse_conv_bn_eval`` & co.).

In eval mode BatchNorm is a fixed affine map per channel c: y = γ_c (z − μ_c)/√(σ²_c + ε) + β_c,
with μ, σ² its running statistics. Applied to z = W x + b it is again a layer of the same shape:

    W' = W · s_c          (each output channel c of W scaled)       s = γ / √(σ² + ε)
    b' = (b − μ) · s + β

so one layer does the work of two. The weights of a transposed convolution are (in, out, …), so
there the scale runs along dim 1.
"""

from __future__ import annotations

import copy

from ...grad_mode import no_grad
from ...tensor import Tensor
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def _scale(bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None) -> Tensor:
    scale = (bn_rv + bn_eps).rsqrt()
    return scale if bn_w is None else bn_w * scale


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor, bn_eps: float,
                         bn_w: Tensor | None, bn_b: Tensor | None, transpose: bool = False):
    """(W', b') as Parameters (see the module's docstring)."""
    with no_grad():
        scale = _scale(bn_rv, bn_eps, bn_w)
        shape = [1] * conv_w.ndim
        shape[1 if transpose else 0] = -1
        weight = conv_w * scale.reshape(shape)
        bias = (bn_rm * 0 if conv_b is None else conv_b) - bn_rm
        bias = bias * scale + (0 if bn_b is None else bn_b)
    return (Parameter(weight._data.astype(conv_w.dtype), requires_grad=conv_w.requires_grad),
            Parameter(bias._data.astype(conv_w.dtype), requires_grad=conv_w.requires_grad))


def fuse_conv_bn_eval(conv, bn, transpose: bool = False):
    """A copy of ``conv`` computing conv followed by ``bn`` (both in eval mode)."""
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor, bn_rv: Tensor,
                           bn_eps: float, bn_w: Tensor | None, bn_b: Tensor | None):
    """(W', b') of a linear layer followed by a BatchNorm1d, as Parameters."""
    return fuse_conv_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b)


def fuse_linear_bn_eval(linear, bn):
    """A copy of ``linear`` computing linear followed by ``bn`` (both in eval mode)."""
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError("To fuse, linear.out_features must equal bn.num_features or bn.num_features must be 1")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused
