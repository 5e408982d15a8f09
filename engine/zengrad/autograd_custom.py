"""Custom Functions written as in PyTorch: ``forward(ctx, ...)`` and ``backward(ctx, ...)`` as
static methods, called through ``apply``::

    class Exp(zengrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad_y):
            (y,) = ctx.saved_tensors
            return grad_y * y          # one gradient per argument of forward (None for non-tensors)

    y = Exp.apply(x)

PyTorch 2's split form works too: ``forward(x)`` without ctx plus a static
``setup_context(ctx, inputs, output)`` that saves what backward needs.

zengrad's own ops subclass the same :class:`~zengrad.autograd.Function` the other way (forward on
arrays, settings in the constructor); a subclass whose ``forward`` is a static method is taken as
this kind, and its ``apply`` is :func:`apply_custom` (this module sets it on Function when the
package is imported).

How it joins the graph: ``forward`` runs on the Tensors with recording off, so whatever it does
inside is invisible to autograd; the outputs then become the outputs of one :class:`CustomNode`
whose backward hands their gradients to the user's ``backward``. Several differentiable outputs
are packed, flattened, into one hidden tensor (the node's single output, as for zengrad's SVD) and
read back as slices of it, so the graph walk needs nothing new. Since ``backward`` is written in
Tensor ops, ``create_graph=True`` records it too (double backward), as in PyTorch.
"""

from __future__ import annotations

import functools
import math

from .autograd import Function
from .grad_mode import is_grad_enabled, no_grad
from .tensor import Tensor


class FunctionCtx:
    """The ``ctx`` a custom Function's forward fills in and its backward reads."""

    def __init__(self, needs_input_grad: tuple):
        #: one bool per argument of forward: is it a Tensor that requires grad?
        self.needs_input_grad = needs_input_grad
        self.materialize_grads = True
        self._saved: tuple = ()
        self._saved_versions: tuple = ()
        self._non_differentiable: set[int] = set()

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (or None) for backward; backward refuses them if changed in place since."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save tensors or None, got {type(t).__name__}")
        self._saved = tensors
        self._saved_versions = tuple(None if t is None else t._version_counter.value for t in tensors)

    @property
    def saved_tensors(self) -> tuple:
        for i, (t, version) in enumerate(zip(self._saved, self._saved_versions)):
            if t is not None and t._version_counter.value != version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: saved tensor {i}, of shape {tuple(t.shape)}, is at version "
                    f"{t._version_counter.value}; expected version {version} instead")
        return self._saved

    def reconnect(self, recorded: dict) -> None:
        """Saved outputs become the recorded ones (``recorded``: id of the output forward returned →
        its tensor in the graph), so a backward that reads them can itself be differentiated."""
        self._saved = tuple(recorded.get(id(t), t) for t in self._saved)
        self._saved_versions = tuple(None if t is None else t._version_counter.value for t in self._saved)

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no gradient (indices, masks): they leave the graph."""
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors) -> None:
        """Accepted for PyTorch's sake: an input changed in place by forward needs no more here,
        since the outputs are recorded as new tensors."""

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward receives zeros (True, the default) or None for an output no gradient
        reached."""
        self.materialize_grads = bool(value)


class CustomNode(Function):
    """The graph node of one call of a custom Function (its forward already ran)."""

    saved_inputs = ()  # the ctx checks what the user saved

    def __init__(self, function: type, ctx: FunctionCtx, tensor_positions: list[int], arguments: int,
                 outputs: list, chosen: list[int]):
        self.function, self.ctx = function, ctx
        self.tensor_positions, self.arguments = tensor_positions, arguments
        #: per output of forward: (shape, dtype) of a Tensor, None for anything else, and which
        #: of them are recorded (their gradients arrive packed in that order)
        self.outputs = [(o.shape, o.dtype) if isinstance(o, Tensor) else None for o in outputs]
        self.chosen = chosen

    def name(self) -> str:
        return self.node_name or f"{self.function.__name__}Backward"

    def backward(self, g):
        grads = [None] * len(self.outputs)
        offset = 0
        for k in self.chosen:
            shape = self.outputs[k][0]
            grads[k] = g if len(self.chosen) == 1 else g[offset:offset + math.prod(shape)].reshape(shape)
            offset += math.prod(shape)
        if self.ctx.materialize_grads:
            for k, described in enumerate(self.outputs):
                if grads[k] is None and described is not None:
                    grads[k] = Tensor(g.xp.zeros(described[0], dtype=described[1]))
        returned = self.function.backward(self.ctx, *grads)
        if not isinstance(returned, tuple):
            returned = (returned,)
        if len(returned) != self.arguments:
            raise RuntimeError(f"function {self.function.__name__}Backward returned an incorrect number of "
                               f"gradients (expected {self.arguments}, got {len(returned)})")
        for i in self.tensor_positions:
            if returned[i] is not None and not isinstance(returned[i], Tensor):
                raise TypeError(f"function {self.function.__name__}Backward returned a "
                                f"{type(returned[i]).__name__} as gradient {i}; expected a Tensor or None")
        return tuple(returned[i] for i in self.tensor_positions)



class _Slice(Function):
    """One output of a multi-output custom Function: a slice of the node's packed output."""

    saved_inputs = ()
    makes_view = True

    def __init__(self, offset: int, shape: tuple):
        self.offset, self.shape = offset, shape

    def forward(self, packed):
        return packed[self.offset:self.offset + math.prod(self.shape)].reshape(self.shape)

    def backward(self, g):
        from .ops import cat
        total = self.inputs[0].shape[0]
        flat = g.reshape(-1)
        before = Tensor(g.xp.zeros(self.offset, dtype=g.dtype))
        after = Tensor(g.xp.zeros(total - self.offset - flat.shape[0], dtype=g.dtype))
        return cat([before, flat, after])


class _DelayedError(Function):
    """Identity on its first input, and an error if a gradient ever flows back through it: what a
    ``once_differentiable`` backward returns when a graph of it is being built."""

    saved_inputs = ()

    def forward(self, result, *sources):
        return result

    def backward(self, g):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(backward):
    """Decorate a custom Function's ``backward`` that is not itself differentiable (it computes on
    raw values, or calls outside code): it runs without recording, and if a graph of the gradients
    is being built (``create_graph=True``) its results carry a node that raises when a second
    derivative is taken through them, rather than giving a silently wrong (zero) one."""
    @functools.wraps(backward)
    def wrapped(ctx, *grads):
        with no_grad():
            results = backward(ctx, *grads)
        sources = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not (is_grad_enabled() and sources):
            return results
        single = not isinstance(results, tuple)
        marked = tuple(_DelayedError.apply(r, *sources) if isinstance(r, Tensor) and r.dtype.kind == "f" else r
                       for r in ((results,) if single else results))
        return marked[0] if single else marked
    return wrapped


def _recorded(node: Function, inputs: tuple, data) -> Tensor:
    """A new Tensor holding ``data``, recorded as ``node``'s output."""
    out = Tensor(data)
    node.attach(inputs, [t.grad_fn for t in inputs], [t._version_counter.value for t in inputs], out)
    return out


def apply_custom(cls, *args, **kwargs):
    """Run ``cls.forward(ctx, *args)`` unrecorded, then record its differentiable outputs as one node."""
    needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx = FunctionCtx(needs)
    with no_grad():
        if getattr(cls, "setup_context", None) is None:
            outputs = cls.forward(ctx, *args, **kwargs)
        else:  # PyTorch 2's split form: forward(*args), then setup_context(ctx, inputs, output)
            outputs = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, outputs)
    if not (any(needs) and is_grad_enabled()):
        return outputs
    single = isinstance(outputs, Tensor)
    listed = [outputs] if single else list(outputs)
    chosen = [k for k, o in enumerate(listed)
              if isinstance(o, Tensor) and o.dtype.kind == "f" and id(o) not in ctx._non_differentiable]
    if not chosen:
        return outputs
    positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    inputs = tuple(args[i] for i in positions)
    node = CustomNode(cls, ctx, positions, len(args), listed, chosen)
    originals = list(listed)
    if len(chosen) == 1:
        listed[chosen[0]] = _recorded(node, inputs, listed[chosen[0]]._data)
    else:
        dtypes = {listed[k].dtype for k in chosen}
        if len(dtypes) > 1:
            raise TypeError(f"{cls.__name__}: differentiable outputs of different dtypes {sorted(map(str, dtypes))}; "
                            "mark the ones without a gradient with ctx.mark_non_differentiable")
        xp = listed[chosen[0]].xp
        packed = _recorded(node, inputs, xp.concatenate([listed[k]._data.reshape(-1) for k in chosen]))
        offset = 0
        for k in chosen:
            listed[k] = _Slice.apply(packed, offset=offset, shape=listed[k].shape)
            offset += listed[k].numel()
    ctx.reconnect({id(originals[k]): listed[k] for k in chosen})
    return listed[0] if single else type(outputs)(listed) if isinstance(outputs, tuple) else listed


Function.custom_apply = staticmethod(apply_custom)

