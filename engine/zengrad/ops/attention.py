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
    (N, h, L, L) (0 where a query may attend, −∞ where not), which gets no gradient. The heads
    are views into qkv; the batched products run through NumPy's matmul (OpenBLAS on one thread:
    each product is a small (L, d) · (d, L) one, far below where threads pay).

    Backward, per head, with G the gradient of the head's output:

        ∂V = Wᵀ G,   ∂W = G Vᵀ,   ∂S = W ⊙ (∂W − rowsum(∂W ⊙ W)),   ∂Q = c ∂S K,   ∂K = c ∂Sᵀ Q,

    written into one (N, L, 3E) gradient in qkv's layout. A row masked everywhere gives NaN.
    """

    def __init__(self, heads: int, scale: float, has_mask: bool):
        super().__init__()
        self.heads, self.scale, self.has_mask = heads, scale, has_mask

    def _split(self, packed):
        """(N, L, 3E) -> three (N, h, L, d) views: Q, K, V (or their gradients)."""
        n, length, width = packed.shape
        heads = packed.reshape(n, length, 3, self.heads, width // (3 * self.heads))
        return tuple(heads[:, :, i].transpose(0, 2, 1, 3) for i in range(3))

    def forward(self, qkv, mask=None):
        xp = backend.array_module(backend.device_of(qkv))
        q, k, v = self._split(xp.ascontiguousarray(qkv))
        scores = xp.matmul(q * qkv.dtype.type(self.scale), k.swapaxes(-1, -2))
        if mask is not None:
            scores += mask
        self.weights = kernels.softmax_forward(scores)
        n, length, width = qkv.shape
        return xp.ascontiguousarray(xp.matmul(self.weights, v).transpose(0, 2, 1, 3)).reshape(n, length, width // 3)

    def kernel_backward(self, g):
        qkv = self.inputs[0].data
        xp = backend.array_module(backend.device_of(qkv))
        q, k, v = self._split(xp.ascontiguousarray(qkv))
        n, length, width = qkv.shape
        g_heads = g.data.reshape(n, length, self.heads, width // (3 * self.heads)).transpose(0, 2, 1, 3)
        weights = self.weights
        grad = xp.empty(qkv.shape, dtype=qkv.dtype)
        grad_q, grad_k, grad_v = self._split(grad)
        grad_v[...] = xp.matmul(weights.swapaxes(-1, -2), g_heads)
        grad_s = kernels.softmax_backward(weights, xp.matmul(g_heads, v.swapaxes(-1, -2)))
        scale = qkv.dtype.type(self.scale)
        xp.multiply(xp.matmul(grad_s, k), scale, out=grad_q)
        xp.multiply(xp.matmul(grad_s.swapaxes(-1, -2), q), scale, out=grad_k)
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
    (the caller has checked the shapes)."""
    if mask is None:
        return SelfAttention.apply(qkv, heads=heads, scale=scale, has_mask=False)
    return SelfAttention.apply(qkv, mask, heads=heads, scale=scale, has_mask=True)
