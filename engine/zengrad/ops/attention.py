"""Multi-head self-attention as one graph node.

The composed form (split the packed projections into heads, scores, mask, softmax, weighted sum,
merge the heads) records about a dozen nodes and copies at every permute; its backward adds as
many nodes again, and gives Q, K and V their gradients in three zero-filled tensors that the
split then adds into one. The fused node records one, and its backward writes ∂Q, ∂K and ∂V
straight into the one packed gradient.
"""

from __future__ import annotations

from .. import backend, kernels
from ..tensor import Tensor
from .fused import FusedNode

class SelfAttention(FusedNode):
    """Multi-head attention of a sequence on itself from its packed projections, one node:

        [Q | K | V] = qkv (N, L, 3E),  each split into h heads of width d = E/h,
        Wᵢ = softmax(c · Qᵢ Kᵢᵀ + M),  out = [W₁V₁ … W_hV_h]  (N, L, E),

    with c the scale (1/√d in MultiheadAttention) and M an optional additive mask broadcast to
    (N, h, L, L) (0 where a query may attend, −∞ where not), which gets no gradient. Forward and
    backward are kernels (:func:`zengrad.kernels.self_attention_forward`): with ``causal`` (M is
    the causal mask, recognised by :func:`self_attention`) the native one computes the scores of
    the columns each query may see only, and the mask itself is not read.

    Backward, per head, with G the gradient of the head's output:

        ∂V = Wᵀ G,   ∂W = G Vᵀ,   ∂S = W ⊙ (∂W − rowsum(∂W ⊙ W)),   ∂Q = c ∂S K,   ∂K = c ∂Sᵀ Q,

    written into one (N, L, 3E) gradient in qkv's layout. A row masked everywhere gives NaN.
    """

    def __init__(self, heads: int, scale: float, has_mask: bool, causal: bool = False):
        super().__init__()
        self.heads, self.scale, self.has_mask, self.causal = heads, scale, has_mask, causal

    def forward(self, qkv, mask=None):
        out, self.weights = kernels.self_attention_forward(qkv, self.heads, self.scale, self.causal,
                                                           None if self.causal else mask)
        return out

    def kernel_backward(self, g):
        grad = kernels.self_attention_backward(self.inputs[0]._data, self.weights, g._data, self.heads, self.scale,
                                               self.causal)
        return (Tensor(grad),) + (None,) * self.has_mask

    def composed(self, qkv, mask=None):
        from .reduction import softmax  # reduction imports this module's neighbours; import late

        n, length, width = qkv.shape
        d = width // (3 * self.heads)
        q, k, v = (part.reshape(n, length, self.heads, d).permute(0, 2, 1, 3) for part in qkv.chunk(3, dim=-1))
        scores = (q * self.scale) @ k.mT
        if mask is not None:
            scores = scores + mask
        out = softmax(scores, -1) @ v
        return out.permute(0, 2, 1, 3).reshape(n, length, width // 3)


def self_attention(qkv: Tensor, heads: int, scale: float, mask: Tensor | None = None) -> Tensor:
    """:class:`SelfAttention` of the packed (N, L, 3E) projections; ``mask`` additive, without gradient
    (the caller has checked the shapes). A mask that is the causal one is recognised (and stays an
    input, for the composed form)."""
    if mask is None:
        return SelfAttention.apply(qkv, heads=heads, scale=scale, has_mask=False)
    return SelfAttention.apply(qkv, mask, heads=heads, scale=scale, has_mask=True,
                               causal=_is_causal(mask._data, qkv.shape[1]))


def _is_causal(mask, length: int) -> bool:
    """Whether an additive mask is exactly the causal one: (L, L), 0 on and below the diagonal,
    −∞ above it (a test on L² numbers, next to the N·h·L² scores)."""
    if mask.shape != (length, length):
        return False
    xp = backend.array_module(backend.device_of(mask))
    below = xp.tri(length, dtype=bool)
    return bool((mask[below] == 0).all() and (mask[~below] == -xp.inf).all())
