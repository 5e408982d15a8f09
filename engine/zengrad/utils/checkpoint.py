"""Gradient checkpointing: trade compute for memory (``torch.utils.checkpoint``).

Backward needs the values a forward pass saved (every layer's input, every activation), so a deep
network holds all of them until backward runs. ``checkpoint(segment, x)`` keeps only the
segment's inputs and outputs instead: the activations inside are dropped right after the forward
and computed again, from the kept inputs, when backward reaches the segment. Memory for a network
of n layers cut into √n segments of √n layers falls from O(n) activations to O(√n), for one extra
forward pass.

How it joins the graph:

1. The segment runs once, recorded. Its graph is walked from the outputs back to where the segment
   began: the tensors it was called with, and the leaves that require grad (its parameters). These
   boundary tensors become the inputs of ONE node standing for the whole segment; the outputs are
   detached from the recorded graph, which is then dropped with everything it saved.
2. When backward reaches that node, the segment runs again on detached copies of its inputs (the
   random generator reset to its state before the first run, so dropout draws the same masks), and
   ``autograd.grad`` of the new outputs gives the gradients of the boundary tensors, which the node
   passes on. ``create_graph=True`` records this too.

Gradients are those without checkpointing, for ``backward()``, ``backward(inputs=…)`` and
``autograd.grad`` alike, whether or not the inputs require grad — what PyTorch calls the
non-reentrant variant; ``use_reentrant`` is accepted and does not change that.
"""

from __future__ import annotations

from .. import autograd, autograd_custom  # noqa: F401  (autograd_custom gives Function subclasses their apply)
from ..creation import get_rng_state, set_rng_state
from ..grad_mode import enable_grad, is_grad_enabled
from ..tensor import Tensor

__all__ = ["CheckpointError", "checkpoint", "checkpoint_sequential"]


class CheckpointError(RuntimeError):
    """The segment computed something else the second time (outputs of other shapes or dtypes)."""


class _Segment:
    """One checkpointed call: what is needed to run it again and to differentiate it."""

    def __init__(self, function, args: tuple, kwargs: dict, preserve_rng_state: bool):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state = get_rng_state() if preserve_rng_state else None
        with enable_grad():
            outputs = function(*args, **kwargs)
        self.single = isinstance(outputs, Tensor)
        listed = (outputs,) if self.single else tuple(outputs)
        self.described = [(o.shape, o.dtype) if isinstance(o, Tensor) else None for o in listed]
        self.boundary = _boundary(listed, args)
        self.outputs = tuple(o.detach() if isinstance(o, Tensor) else o for o in listed)

    def gradients(self, grads: tuple) -> tuple:
        """Run the segment again and return the gradients of its boundary tensors."""
        create_graph = is_grad_enabled()
        # Detached copies cut the walk at the segment's start; a differentiable gradient
        # (create_graph) must instead depend on the arguments themselves.
        fresh = {} if create_graph else {
            id(a): a.detach().requires_grad_(a.requires_grad) for a in self.args if isinstance(a, Tensor)}
        args = tuple(fresh.get(id(a), a) if isinstance(a, Tensor) else a for a in self.args)
        after = get_rng_state()
        if self.rng_state is not None:
            set_rng_state(self.rng_state)
        try:
            with enable_grad():
                outputs = self.function(*args, **self.kwargs)
        finally:
            set_rng_state(after)
        listed = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
        again = [(o.shape, o.dtype) if isinstance(o, Tensor) else None for o in listed]
        if again != self.described:
            raise CheckpointError(f"checkpoint: the segment's outputs were {self.described} in the forward "
                                  f"pass and {again} when computed again for backward")
        pairs = [(o, g) for o, g in zip(listed, grads) if isinstance(o, Tensor) and o.requires_grad and g is not None]
        wrt = [fresh.get(id(t), t) for t in self.boundary]
        if not pairs:
            return (None,) * len(wrt)
        return autograd.grad([o for o, _ in pairs], wrt, [g for _, g in pairs], retain_graph=True,
                             create_graph=create_graph, allow_unused=True)


def _boundary(outputs: tuple, args: tuple) -> list[Tensor]:
    """The tensors the segment's recorded graph starts from: arguments that require grad, and
    leaves that require grad (parameters, or tensors the function reads from elsewhere)."""
    arg_ids = {id(a) for a in args if isinstance(a, Tensor)}
    found: dict[int, Tensor] = {}
    seen: set[int] = set()
    stack = [o.grad_fn for o in outputs if isinstance(o, Tensor) and o.grad_fn is not None]
    for o in outputs:
        if isinstance(o, Tensor) and o.requires_grad and (o.grad_fn is None or id(o) in arg_ids):
            found[id(o)] = o
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for tensor, node in zip(fn.inputs, fn.input_nodes):
            if not tensor.requires_grad:
                continue
            if id(tensor) in arg_ids or node is None:
                found.setdefault(id(tensor), tensor)
            else:
                stack.append(node)
    return list(found.values())


class _Checkpointed(autograd.Function):
    """The node standing for a checkpointed segment: its inputs are the segment's boundary tensors."""

    @staticmethod
    def forward(ctx, segment: _Segment, *boundary):
        ctx.segment = segment
        return segment.outputs[0] if segment.single else segment.outputs

    @staticmethod
    def backward(ctx, *grads):
        return (None,) + tuple(ctx.segment.gradients(grads))


def checkpoint(function, *args, use_reentrant: bool | None = None, context_fn=None, determinism_check: str = "default",
               debug: bool = False, preserve_rng_state: bool = True, **kwargs):
    """``function(*args, **kwargs)``, with the activations inside it computed again in backward
    instead of kept (see the module's docstring)."""
    if not is_grad_enabled():
        return function(*args, **kwargs)
    segment = _Segment(function, args, kwargs, preserve_rng_state)
    if not segment.boundary:  # nothing in it requires grad: there is nothing to compute again
        return segment.outputs[0] if segment.single else segment.outputs
    return _Checkpointed.apply(segment, *segment.boundary)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: bool | None = None, **kwargs):
    """Run ``functions`` (a Sequential or a list of modules) in order on ``input``, cut into
    ``segments`` parts; every part but the last is checkpointed (as PyTorch's)."""
    functions = list(functions.children()) if hasattr(functions, "children") else list(functions)
    if segments < 1:
        raise ValueError(f"checkpoint_sequential: segments must be at least 1, got {segments}")
    size = len(functions) // segments

    def run(start: int, end: int):
        def forward(x):
            for module in functions[start:end + 1]:
                x = module(x)
            return x
        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(functions) - 1)(input)
