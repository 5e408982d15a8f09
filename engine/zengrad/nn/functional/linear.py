"""Affine maps: ``linear`` (y = x Wᵀ + b) and ``bilinear`` (y_k = x₁ᵀ W_k x₂ + b_k)."""

from __future__ import annotations

from ...errors import OpError
from ...ops.matmul import linear as linear_node
from ...tensor import Tensor


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for x of shape (*, in), W of shape (out, in), and b of shape (out,) or any shape
    that broadcasts to the output (a (out,) bias joins the one ``Linear`` node; others are added)."""
    if weight.ndim != 2:
        raise OpError(f"linear: expected a 2-D weight (out, in), got shape {weight.shape}")
    if input.ndim < 1 or input.shape[-1] != weight.shape[1]:
        raise OpError(f"linear: input of shape {input.shape} does not fit weight of shape "
                      f"{weight.shape} (expected last dimension {weight.shape[1]})")
    if bias is None or bias.shape == weight.shape[:1]:
        return linear_node(input, weight, bias)
    return linear_node(input, weight) + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y[…, o] = Σ_{i, j} x₁[…, i]·W[o, i, j]·x₂[…, j] + b[o], as ``torch.nn.functional.bilinear``, for
    x₁ of shape (*, in1), x₂ of shape (*, in2) (the same leading dims) and W of shape (out, in1, in2).

    Computed as one matrix product and a weighted sum: P = x₁ · W', with W' = W arranged as an
    (in1, out·in2) matrix, holds Σᵢ x₁ᵢ W[o, i, j] for every (o, j); y[…, o] = Σⱼ P[…, o, j]·x₂[…, j].
    The gradients follow from those ops: ∂y_o/∂x₁ = W[o] x₂, ∂y_o/∂x₂ = W[o]ᵀ x₁, ∂y_o/∂W[o] = x₁ x₂ᵀ.
    """
    if weight.ndim != 3:
        raise OpError(f"bilinear: expected a 3-D weight (out, in1, in2), got shape {weight.shape}")
    out_features, in1, in2 = weight.shape
    if input1.ndim < 1 or input1.shape[-1] != in1 or input2.ndim < 1 or input2.shape[-1] != in2 \
            or input1.shape[:-1] != input2.shape[:-1]:
        raise OpError(f"bilinear: inputs of shapes {input1.shape} and {input2.shape} do not fit weight of shape "
                      f"{weight.shape} (expected (*, {in1}) and (*, {in2}) with the same leading dims)")
    if bias is not None and bias.shape != (out_features,):
        raise OpError(f"bilinear: bias of shape {bias.shape} does not fit {out_features} outputs")
    projected = input1 @ weight.permute(1, 0, 2).reshape(in1, out_features * in2)
    out = (projected.reshape(*input1.shape[:-1], out_features, in2) * input2.unsqueeze(-2)).sum(dim=-1)
    return out if bias is None else out + bias
