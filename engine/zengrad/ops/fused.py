"""What the fused nodes (``ops.lstm``, ``ops.rnn``, ``ops.normalization``) share.

A fused node runs a whole layer as one graph node whose forward and backward work on arrays
(``zengrad.kernels``: C++ on the CPU, CUDA for the LSTM on a GPU, NumPy/CuPy as the reference;
or NumPy/CuPy expressions, as layer normalisation's). That backward is not itself differentiable,
so when a graph of the gradient is asked for (``create_graph=True``) the node differentiates the
composed layer it stands in for instead: the same function, written in ordinary ops.
"""

from __future__ import annotations

from .. import kernels
from ..autograd import Function, grad
from ..grad_mode import is_grad_enabled

REFERENCE_IMPLS = ("numpy", "cupy")


class FusedNode(Function):
    """A layer as one node. Subclasses define ``forward``, ``kernel_backward(g)``
    (arrays in, a gradient per input out) and ``composed(*inputs)``, the same output from ops."""

    def backward(self, g):
        if is_grad_enabled():
            return self._composed_backward(g)
        return self.kernel_backward(g)

    def _composed_backward(self, g):
        # A tensor passed in two slots (tied weights) gets its whole gradient once, in its first slot:
        # the graph walk adds up what every slot returns.
        first_slots = {}
        for slot, t in enumerate(self.inputs):
            if t.requires_grad:
                first_slots.setdefault(id(t), slot)
        wanted = [self.inputs[slot] for slot in first_slots.values()]
        out = self.composed(*self.inputs)
        grads = dict(zip(first_slots.values(), grad(out, wanted, g, create_graph=True, allow_unused=True)))
        return tuple(grads.get(slot) for slot in range(len(self.inputs)))


FusedSequence = FusedNode  # the recurrent layers' name for it


def native_impl(kernel: str, device: str, dtype) -> str | None:
    """The native implementation of ``kernel`` that runs by default for this device and dtype, if any."""
    try:
        chosen = kernels.choose(kernel, device, dtype)
    except (TypeError, ValueError):
        return None
    return None if chosen.name in REFERENCE_IMPLS else chosen.name
