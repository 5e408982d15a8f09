"""Module backward hooks (``register_full_backward_hook``): ``hook(module, grad_input, grad_output)``
called once the gradients with respect to a module call's inputs are known.

A call with backward hooks runs its tensors through two kinds of identity nodes:

* every output that requires grad through an :class:`OutputGate`, whose backward notes the
  gradient arriving at that output (grad_output) and passes it on unchanged;
* the inputs that require grad together through one :class:`InputsGate`: its forward joins them
  into one flat array (the module reads views of it), so its backward receives every input's
  gradient at once, and that is where the hooks run. A hook may return a new grad_input tuple,
  which is what flows on to the inputs.

Only the gradient that comes *through the module* reaches the gates, as in PyTorch. When no input
requires grad, the hooks run with grad_input all None once every output's gradient has arrived.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..tensor import Tensor


class _CallRecord:
    """What one module call's gates share: the hooks, the gradients seen at the outputs, and how
    many outputs are still to report."""

    def __init__(self, module, hooks, tensor_inputs: list, gated: list):
        self.module, self.hooks = module, hooks
        self.grad_outputs: list = []
        self.pending_outputs = 0
        self.tensor_inputs, self.gated = tensor_inputs, gated  # gated: which tensor inputs pass the gate

    def run_hooks(self, gated_grads: tuple) -> tuple:
        """The hooks on grad_input (one entry per tensor input: zeros for one that wants no
        gradient when another does, all None when none does, as PyTorch); returns the (possibly
        replaced) gradients of the gated inputs."""
        if not self.gated:
            grad_input = [None] * max(len(self.tensor_inputs), 1)
        else:
            grad_input = [Tensor(x.xp.zeros(x.shape, dtype=x.dtype)) for x in self.tensor_inputs]
        for k, grad in zip(self.gated, gated_grads):
            grad_input[k] = grad
        grad_input = self._call_hooks(tuple(grad_input))
        return tuple(grad_input[k] for k in self.gated)

    def _call_hooks(self, grad_input: tuple) -> tuple:
        for hook in self.hooks:
            result = hook(self.module, grad_input, tuple(self.grad_outputs))
            if result is not None:
                result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
                if len(result) != len(grad_input):
                    raise RuntimeError(f"backward hook returned {len(result)} gradients, expected "
                                       f"{len(grad_input)}")
                grad_input = result
        return grad_input


class OutputGate(Function):
    """y = x; ∂: the gradient passes unchanged, noted as grad_output[position]."""

    saved_inputs = ()

    def __init__(self, record: _CallRecord, position: int):
        self.record, self.position = record, position

    def forward(self, x):
        return x.copy()

    def backward(self, g):
        record = self.record
        record.grad_outputs[self.position] = g
        record.pending_outputs -= 1
        if not record.gated and record.pending_outputs == 0:
            record.run_hooks(())
        return g


class InputsGate(Function):
    """y = [x₁.ravel(), x₂.ravel(), …] (one flat array of the inputs that require grad); ∂: the
    flat gradient split back per input, after the hooks have seen (and may replace) it."""

    saved_inputs = ()

    def __init__(self, record: _CallRecord):
        self.record = record

    def forward(self, *arrays):
        return np.concatenate([a.ravel() for a in arrays]) if len(arrays) > 1 else arrays[0].ravel().copy()

    def backward(self, g):
        pieces, start = [], 0
        for x in self.inputs:
            pieces.append(g[start:start + x.numel()].reshape(x.shape))
            start += x.numel()
        return self.record.run_hooks(tuple(pieces))


def gate_inputs(module, hooks, args: tuple) -> tuple[tuple, _CallRecord]:
    """The positional arguments with those that require grad read through one InputsGate, and the
    record that :func:`gate_outputs` completes."""
    tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    positions = [i for i in tensors if args[i].requires_grad]
    dtypes = {args[i].dtype for i in positions}
    if len(dtypes) > 1:
        raise NotImplementedError(f"{type(module).__name__}: backward hooks need the inputs that require grad "
                                  f"to share one dtype, got {sorted(str(d) for d in dtypes)}")
    record = _CallRecord(module, hooks, [args[i] for i in tensors], [tensors.index(i) for i in positions])
    args = list(args)
    if positions:
        joined = InputsGate.apply(*(args[i] for i in positions), record=record)
        start = 0
        for i in positions:
            size = args[i].numel()
            args[i], start = joined[start:start + size].reshape(args[i].shape), start + size
    return tuple(args), record


def gate_outputs(output, record: _CallRecord):
    """The output (a tensor, or tuples/lists of them) with every tensor that requires grad passed
    through an OutputGate."""
    if isinstance(output, Tensor):
        if not output.requires_grad:
            return output
        position = len(record.grad_outputs)
        record.grad_outputs.append(None)
        record.pending_outputs += 1
        return OutputGate.apply(output, record=record, position=position)
    if isinstance(output, (tuple, list)):
        gated = [gate_outputs(item, record) for item in output]
        return type(output)(gated) if isinstance(output, list) or type(output) is tuple else type(output)(*gated)
    return output
