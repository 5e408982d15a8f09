"""The autograd machinery: the Function base class, the graph walk, grad() and gradcheck().

Every differentiable op is a subclass of :class:`Function` with two methods side by side:

* ``forward(*arrays)`` computes the result on raw NumPy/CuPy arrays (the op's settings were
  given to its constructor);
* ``backward(grad)`` returns the gradient for each input, written in *Tensor* ops.

Because backward is written in Tensor ops, running it with graph recording on
(``create_graph=True``) records a graph of the gradient itself, so gradients of gradients work
without any extra code.

The graph: a Tensor made by an op points to the Function that made it (``tensor.grad_fn``); the
Function points to its input Tensors (``fn.inputs``) and to the Functions that made them when it
was recorded (``fn.input_nodes``, the edges; an in-place op may give an input a new node later).
:func:`backward` sorts the Functions reachable from the outputs topologically with an explicit
stack (no recursion, so a graph of a million steps is fine), then visits them from the outputs
towards the leaves, summing the gradients that reach each Tensor.

In-place changes: :meth:`Function.apply` records the version (see :mod:`zengrad.tensor`) of every
tensor the op's backward will read — the inputs named by ``saved_inputs`` and the output — and
the graph walk refuses to run a backward whose saved tensors changed since (an optimizer step
between a forward and its backward, say), as PyTorch does, instead of silently using the new
values. Code that writes into a tensor's array in place calls :func:`increment_version`.
"""

from __future__ import annotations

import collections
import traceback
import weakref
from typing import Sequence

import numpy as np

from .errors import DtypeError, OpError
from . import backend
from .grad_mode import _state as _grad_mode
from .grad_mode import (detect_anomaly, enable_grad, inference_mode, no_grad,  # noqa: F401 (zg.autograd.no_grad,
                        set_detect_anomaly, set_grad_enabled)  # as PyTorch's torch.autograd.no_grad)
from .tensor import Tensor

_FLOAT64 = np.dtype(np.float64)
_FLOAT16 = np.dtype(np.float16)


def increment_version(tensor: Tensor) -> None:
    """Record that ``tensor``'s values were changed in place (PyTorch's
    ``torch.autograd.graph.increment_version``): every in-place write into ``tensor._data`` calls it,
    so that a backward that saved the old values raises instead of using the new ones."""
    tensor._version_counter.value += 1


class Function:
    """One op in the graph. Subclasses implement ``forward`` (arrays) and ``backward`` (Tensors).

    An op's settings (the dimensions of a sum, the exponent of a power, an index) go to its
    constructor and are kept as attributes, so what ``backward`` relies on is visible at the top
    of the class; ``forward`` receives only the input arrays::

        class Sum(Function):
            def __init__(self, dims, keepdim): ...      # settings
            def forward(self, a): ...                  # arrays only
            def backward(self, g): ...                 # reads self.dims

    In ``backward``, ``self.inputs`` are the input Tensors and :meth:`output` is the result as a
    graph-connected Tensor; ``self.needs_grad(i)`` says whether input ``i`` wants a gradient.
    """

    #: The inputs whose *values* backward reads (indices; None: all of them). Ops whose gradient
    #: needs only the inputs' shapes (add, reshape, sum, ...) say ``()``, so an in-place change to
    #: such an input after the forward is harmless, as in PyTorch.
    saved_inputs: tuple | None = None
    #: True for ops whose result can be a view of input 0 (reshape, permute, expand, indexing):
    #: when it is, it shares input 0's version counter.
    makes_view = False
    #: True for ops that choose their result's dtype (``to(dtype)``). For the others a float64
    #: result comes only from a float64 input, as in PyTorch: ints with floats, and int / int,
    #: give the float input's dtype or the default float32, never NumPy's float64.
    chooses_dtype = False
    #: True for ops that refuse floating-point inputs of different dtypes, as PyTorch's matmul and
    #: convolutions do; the others compute in the wider dtype (see :func:`_compatible`).
    same_float_dtype = False
    #: True for binary ops that compute int operands in floating point (div, atan2): a 0-d int
    #: operand keeps its own values there instead of taking the other operand's int dtype
    #: (see :func:`zengrad.ops.elementwise.weak_zero_dim`).
    computes_in_float = False

    #: The input Tensors (set by :meth:`apply` when the node is recorded).
    inputs: tuple = ()
    #: Each input's ``grad_fn`` when this node was recorded (None for a leaf): the edges the graph
    #: walk follows. An in-place op later gives the input tensor a new node (``y.mul_(3)``), but
    #: the gradient of this node's input still belongs to the node that made the old values.
    input_nodes: list = []
    #: The result's array, for backward formulas that read it (:meth:`output`).
    out_data = None
    #: True once backward has freed what the forward saved (see :meth:`release`).
    released = False
    #: ``register_hook`` hooks on this node's output gradient, and the output that ``retain_grad``
    #: keeps its gradient for; None (the class default) for almost every node, read once per node.
    _hooks = None
    retained = None

    #: ``apply`` of the subclasses written as in PyTorch; :mod:`zengrad.autograd_custom` sets it
    custom_apply = None

    def __init_subclass__(cls, **kwargs):
        """A subclass written as in PyTorch (``forward(ctx, ...)`` a static method, or a
        ``setup_context``) gets :attr:`custom_apply`; zengrad's own ops keep the ``apply`` below."""
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("forward"), staticmethod) or "setup_context" in cls.__dict__:
            cls.apply = classmethod(Function.custom_apply)

    #: PyTorch's name for this op's node where it is not ``<class name>Backward0`` (ReLU's is
    #: ``ReluBackward0``); ops that PyTorch names by how they were called (``t()``: ``TBackward0``,
    #: ``permute``: ``PermuteBackward0``) set it per node, or override :meth:`name`.
    node_name: str | None = None

    def name(self) -> str:
        """The node's name as PyTorch gives it: the op, ``Backward``, the overload (``MulBackward0``)."""
        return self.node_name or f"{type(self).__name__}Backward0"

    @property
    def next_functions(self) -> tuple:
        """The graph's edges as PyTorch shows them: one ``(node, 0)`` per input — the node that made
        it, an :class:`AccumulateGrad` for a leaf that requires grad (where its ``.grad`` collects),
        None for an input that needs no gradient."""
        return tuple((node if node is not None else AccumulateGrad(t) if t._requires_grad else None, 0)
                     for t, node in zip(self.inputs, self.input_nodes))

    @classmethod
    def apply(cls, *inputs: Tensor, **settings) -> Tensor:
        """Build ``cls(**settings)``, run its forward on the inputs' arrays and, if any input wants a
        gradient, record the node.

        This runs for every op, forward and backward, so it does each job once, in one pass over
        the inputs: the type check, the arrays, whether a gradient is wanted; the slower checks
        (:func:`_check_are_tensors`, :func:`_compatible`) run only when the quick ones fail.
        """
        arrays = []
        versions = []  # what backward may read, noted now: every input (only ``saved_inputs`` are
        wants_grad = False  # checked, but noting all is cheaper than choosing) and, below, the output
        nodes = []  # where each input's gradient goes on: its node now, not whatever an in-place op makes it later
        for t in inputs:
            if not isinstance(t, Tensor):
                _check_are_tensors(cls, inputs)
            arrays.append(t._data)
            versions.append(t._version_counter.value)
            if t._base is not None and t._view_version != versions[-1]:
                refresh_view(t)  # its base was changed in place since this view's node was recorded
            nodes.append(t._grad_fn)
            if t._requires_grad:
                wants_grad = True
        if len(arrays) > 1:
            kind, dtype = type(arrays[0]), arrays[0].dtype
            for array in arrays:
                if type(array) is not kind or (array.dtype is not dtype and array.dtype != dtype):
                    converted = _compatible(cls, inputs)
                    if converted is not None:
                        return cls.apply(*converted, **settings)
                    break
        quiet = backend.quiet_floats()  # ±inf and NaN come without NumPy's warnings, as in PyTorch
        try:
            fn = cls(**settings) if settings else cls()
            out_data = fn.forward(*arrays)
            if out_data.dtype is _FLOAT16 and not cls.chooses_dtype:  # NumPy computes bools and 8-bit ints
                out_data = _forward_in_default_float(fn, arrays, inputs, out_data)  # in float16, PyTorch in float32
        except (ValueError, IndexError, TypeError) as error:
            name = cls.__name__.lower()
            message = str(error)
            if not message.startswith(name):
                shapes = ", ".join(str(tuple(t.shape)) for t in inputs)
                message = f"{name}: {message} (input shapes {shapes})"
            kind = type(error) if isinstance(error, OpError) or not isinstance(error, ValueError) else OpError
            raise kind(message) from error
        finally:
            backend.restore_floats(quiet)
        if out_data.dtype is _FLOAT64 and not cls.chooses_dtype:  # NumPy's results carry the one float64 dtype object
            out_data = promoted(out_data, inputs)
        out = Tensor(out_data)
        if cls.makes_view and out.xp.may_share_memory(out_data, arrays[0]):
            source = inputs[0]
            out._version_counter = source._version_counter
            out._base = source if source._base is None else source._base
            out._view_version = source._version_counter.value
        if wants_grad and _grad_mode.enabled:
            fn.attach(inputs, nodes, versions, out)
        return out

    def attach(self, inputs, nodes: list, versions: list, out: Tensor) -> None:
        """Record this node in the graph: ``inputs`` (with their nodes and versions as they were
        when the op read them) in, ``out`` out."""
        self.inputs = inputs
        self.input_nodes = nodes
        self.out_data = out._data
        self.saved_versions = versions
        self.out_counter = counter = out._version_counter
        self.out_version = counter.value
        out._requires_grad = True
        out._grad_fn = self
        if _grad_mode.anomaly:
            self.forward_stack = traceback.format_stack()[:-2]

    def check_saved_versions(self) -> None:
        """Raise if a saved input was changed in place after the forward (noted by :meth:`apply`)."""
        inputs, versions = self.inputs, self.saved_versions
        for i in range(len(inputs)) if self.saved_inputs is None else self.saved_inputs:
            now = inputs[i]._version_counter.value
            if now != versions[i]:
                self._raise_modified(f"input {i}", inputs[i].shape, now, versions[i])

    def _raise_modified(self, what: str, shape: tuple, now: int, then: int) -> None:
        raise RuntimeError(
            f"{self.name()}: one of the variables needed for gradient computation has been modified by "
            f"an inplace operation: its {what}, of shape {tuple(shape)}, is at version {now}; expected "
            f"version {then} instead. Hint: optimizer.step(), load_state_dict() or an in-place op "
            "changed it between the forward and this backward; run the backward first (or compute "
            "the forward again).")

    #: True for ops whose gradient is its incoming gradient placed into part of input 0 (indexing);
    #: the graph walk then calls ``add_grad_into`` instead of ``backward`` when no graph is built.
    sparse_grad = False

    def needs_grad(self, index: int) -> bool:
        return self.inputs[index]._requires_grad

    def output(self) -> Tensor:
        """The op's result as a Tensor attached to this node (for backward formulas that use it)."""
        if self.out_counter.value != self.out_version:
            self._raise_modified("output", self.out_data.shape, self.out_counter.value, self.out_version)
        out = Tensor(self.out_data)
        out._requires_grad = True
        out._grad_fn = self
        return out

    def release(self) -> None:
        """Free what forward saved once backward has used it (``retain_graph=False``); the node keeps
        its name (computed now where it depends on what is freed)."""
        name = self.name() if type(self).name is not Function.name else self.__dict__.get("node_name")
        self.__dict__.clear()
        self.released = True
        if name is not None:
            self.node_name = name

    def __repr__(self) -> str:
        return f"<{self.name()}>"


def named(out: Tensor, name: str) -> Tensor:
    """``out``, a tensor just made by an op, with its node (if recorded) named ``name``: for an op
    composed of others, the node PyTorch would show for it (``mean`` is sum / n: ``MeanBackward1``)."""
    if out._grad_fn is not None:
        out._grad_fn.node_name = name
    return out


class AccumulateGrad:
    """Where a leaf's gradient ends up (its ``.grad``), as ``next_functions`` names it; ``variable``
    is the leaf."""

    def __init__(self, variable: Tensor):
        self.variable = variable

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


#: ``refresh_view(view)`` gives a view whose base was changed in place (through the base itself or
#: another view of it) since the view's node was recorded its place in the graph again: a view of
#: the base's *current* node, as PyTorch regenerates a view's ``grad_fn``.
#: :mod:`zengrad.ops.inplace` sets it (it needs ops, which sit above this module).
refresh_view = None


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # noqa: N802
    """PyTorch's old wrapper, now a plain tensor: a leaf sharing ``data``'s memory, with
    ``requires_grad`` as given (``volatile`` is accepted and ignored, as PyTorch ignores it)."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
    return data.detach().requires_grad_(requires_grad)


def refresh_if_stale(tensor: Tensor) -> None:
    """:func:`refresh_view` for a view whose base changed since its node was recorded."""
    if tensor._base is not None and tensor._view_version != tensor._version_counter.value:
        refresh_view(tensor)


def _check_are_tensors(cls, inputs) -> None:
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            kind = type(t)
            raise TypeError(f"{cls.__name__.lower()}: expected a Tensor as input {i}, got "
                            f"{kind.__module__}.{kind.__qualname__}"
                            + (f" of shape {tuple(t.shape)}" if hasattr(t, "shape") else "")
                            + "; make one with zengrad.tensor(...)")


def promoted(out_data, inputs: Sequence[Tensor]):
    """A float64 ``out_data`` in PyTorch's result dtype: float64 only from a float64 input."""
    floats = [t.dtype for t in inputs if t.dtype.kind == "f"]
    if np.float64 in floats:
        return out_data
    return out_data.astype(floats[0] if floats else backend.DEFAULT_DTYPE)


def _forward_in_default_float(fn: Function, arrays: list, inputs: Sequence[Tensor], out_data):
    """A float16 ``out_data`` computed from no float16 input (NumPy's type for a float op on bools or
    8-bit ints) as PyTorch computes it: ``fn``'s forward again, its int and bool inputs in the
    default float dtype."""
    if any(t.dtype == _FLOAT16 for t in inputs):
        return out_data
    return fn.forward(*(a if a.dtype.kind == "f" else a.astype(backend.DEFAULT_DTYPE) for a in arrays))


def _compatible(cls, inputs: Sequence[Tensor]) -> tuple | None:
    """Inputs on one device, their floating-point ones of one dtype: None when they already are,
    else the inputs with the floating ones converted (differentiably) to the dtype PyTorch computes
    in — the widest floating dtype among the inputs with dimensions (0-d tensors, like numbers,
    take theirs: float32 with 0-d float64 stays float32), or among all of them if every one is 0-d.

    Ops whose PyTorch counterpart refuses mixed dtypes (matmul, linear, convolution:
    ``same_float_dtype``) raise instead, naming both.
    """
    if len(inputs) < 2:
        return None
    first = inputs[0]._data
    if all(type(t._data) is type(first) and t._data.dtype == first.dtype for t in inputs[1:]):
        return None  # the common case, settled without building sets
    op = cls.__name__.lower()
    if len({t.device for t in inputs}) > 1:
        described = ", ".join(f"{tuple(t.shape)} on {t.device}" for t in inputs)
        raise OpError(f"{op}: tensors are on different devices: {described}")
    floats = {t.dtype for t in inputs if t.dtype.kind == "f"}
    if len(floats) < 2:
        return None
    if cls.same_float_dtype:
        described = ", ".join(f"{tuple(t.shape)} {t.dtype}" for t in inputs)
        raise DtypeError(f"{op}: floating-point dtypes differ: {described}; convert one with .to(dtype)")
    leading = {t.dtype for t in inputs if t.dtype.kind == "f" and t.ndim} or floats
    target = np.result_type(*leading)
    return tuple(t.to(target) if t.dtype.kind == "f" and t.dtype != target else t for t in inputs)


# ------------------------------------------------------------------------------------------------
# The graph walk
# ------------------------------------------------------------------------------------------------

def _gradient_holder(tensor: Tensor):
    """Where gradients for a tensor collect: its node when made by an op, else the leaf itself."""
    return tensor.grad_fn if tensor.grad_fn is not None else tensor


def _topological_order(roots: Sequence[Function]) -> list[Function]:
    """Functions reachable from ``roots``, every consumer before the functions that feed it."""
    finished: list[Function] = []
    seen: set[int] = set()
    stack = [(fn, False) for fn in roots]
    while stack:
        fn, children_done = stack.pop()
        if children_done:
            finished.append(fn)
            continue
        if id(fn) in seen:
            continue
        if fn.released:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Specify retain_graph=True if you "
                "need to backward through the graph a second time.")
        seen.add(id(fn))
        stack.append((fn, True))
        for node in fn.input_nodes:
            if node is not None and id(node) not in seen:
                stack.append((node, False))
    finished.reverse()
    return finished


class _GradientSums:
    """The sum of the gradients reaching each slot during one backward pass.

    Building a graph (``create_graph``), sums are Tensor additions. Otherwise they are formed in
    place, in an array this pass owns: one allocation per slot instead of one per contribution.
    That matters for ops whose gradient touches a small part of a large input — the time steps
    of a sequence sliced one by one — which add their piece straight into the sum
    (``Function.add_grad_into``) instead of building a full-size gradient each.
    An owned sum keeps the memory layout of the first gradient (``order="K"``, unless that is a
    broadcast): the gradients of a weight used as ``w.mT`` at every step all arrive transposed,
    and add up at unit stride.
    """

    def __init__(self, in_place: bool):
        self.in_place = in_place
        self.sums: dict[int, Tensor] = {}
        self.owned: set[int] = set()

    def add(self, key: int, grad: Tensor) -> None:
        if key not in self.sums:
            self.sums[key] = grad
        elif self.in_place:
            self.owned_array(key, grad)[...] += grad._data
        else:
            self.sums[key] = self.sums[key] + grad

    def owned_array(self, key: int, like: Tensor):
        """The sum for ``key`` as a writable array this pass owns (zeros shaped like ``like`` if new)."""
        if key not in self.sums:
            self.sums[key] = Tensor(backend.zeros_for_accumulation(like.xp, like.shape, like.dtype))
        elif key not in self.owned:
            first = self.sums[key]._data  # keep its layout unless it is a broadcast (a stride of 0)
            self.sums[key] = Tensor(first.copy(order="K" if all(first.strides) else "C"))
        self.owned.add(key)
        return self.sums[key]._data

    def pop(self, key: int):
        if self.owned:
            self.owned.discard(key)
        return self.sums.pop(key, None)


def gradient_hooks(tensor: Tensor, create: bool = False):
    """The ordered dict of ``register_hook`` hooks on ``tensor``'s gradient: kept on the tensor for
    a leaf, on its node otherwise (the node is where backward meets that gradient)."""
    owner = tensor if tensor.grad_fn is None else tensor.grad_fn
    hooks = getattr(owner, "_hooks", None)
    if hooks is None and create:
        hooks = collections.OrderedDict()
        setattr(owner, "_hooks", hooks)
    return hooks


#: id(leaf) → its ``register_post_accumulate_grad_hook`` hooks; the entry goes when the leaf does
#: (keyed by id, not by the tensor: a tensor's == compares elements)
post_accumulate_hooks: dict[int, collections.OrderedDict] = {}


def post_accumulate_hooks_of(leaf: Tensor) -> collections.OrderedDict:
    """The leaf's post-accumulate hooks, created empty on first use."""
    key = id(leaf)
    if key not in post_accumulate_hooks:
        post_accumulate_hooks[key] = collections.OrderedDict()
        weakref.finalize(leaf, post_accumulate_hooks.pop, key, None)
    return post_accumulate_hooks[key]


def _after_accumulation(leaf: Tensor) -> None:
    """Call the leaf's post-accumulate hooks, ``hook(leaf)``, once its ``.grad`` holds the new sum."""
    hooks = post_accumulate_hooks.get(id(leaf))
    if hooks:
        for hook in list(hooks.values()):
            if hook(leaf) is not None:
                raise RuntimeError("post accumulate grad hooks cannot return a value (they act on the tensor)")


def _run_hooks(hooks, grad: Tensor) -> Tensor:
    """``grad`` passed through the tensor hooks in order; one returning a tensor replaces it."""
    for hook in list(hooks.values()):
        replaced = hook(grad)
        if replaced is not None:
            if not isinstance(replaced, Tensor) or replaced.shape != grad.shape:
                raise RuntimeError(f"a gradient hook returned {getattr(replaced, 'shape', type(replaced).__name__)} "
                                   f"for a gradient of shape {tuple(grad.shape)}; return a tensor of that shape or None")
            grad = replaced
    return grad


def run_backward(outputs: Sequence[Tensor], grad_outputs: Sequence[Tensor], *, retain_graph: bool,
                 create_graph: bool, inputs: Sequence[Tensor] | None = None):
    """Propagate ``grad_outputs`` from ``outputs`` to the leaves.

    With ``inputs=None`` gradients are added to each leaf's ``.grad`` (``Tensor.backward``);
    otherwise the gradients reaching ``inputs`` are returned in order (``autograd.grad``) and no
    ``.grad`` is touched. Returns None for an input no gradient reaches.
    """
    sums = _GradientSums(in_place=not create_graph)
    leaves: dict[int, Tensor] = {}
    # arrays a tensor must not keep as its .grad without a copy: the caller's seeds, and every array
    # already given to another tensor's .grad (Add passes one gradient to both of its inputs)
    shared = {id(g._data) for g in grad_outputs}

    def accumulate(tensor: Tensor, holder, grad: Tensor, producer) -> None:
        if grad._data.shape != tensor._data.shape:
            raise RuntimeError(f"{producer!r} produced a gradient of shape {grad.shape} for an input "
                               f"of shape {tensor.shape}")
        if holder is None:
            key = id(tensor)
            leaves[key] = tensor
        else:
            key = id(holder)
        if key in sums.sums:
            sums.add(key, grad)
        else:
            sums.sums[key] = grad

    wanted = None if inputs is None else {id(_gradient_holder(t)) for t in inputs}
    captured: dict[int, Tensor] = {}
    recording = _grad_mode.enabled
    _grad_mode.enabled = bool(create_graph)  # set_grad_enabled(create_graph), without a generator per pass
    quiet = backend.quiet_floats()  # inf − inf in a sum, 0 · inf in a backward formula: NaN, without warnings
    try:
        for tensor, grad in zip(outputs, grad_outputs):
            accumulate(tensor, tensor.grad_fn, grad, "backward")
        order = _topological_order([t.grad_fn for t in outputs if t.grad_fn is not None])
        for fn in order:
            grad = sums.pop(id(fn))
            if grad is None:
                continue
            if fn._hooks:
                grad = _run_hooks(fn._hooks, grad)
            retained = fn.retained
            if retained is not None:
                kept = grad if create_graph else grad.detach()
                retained._grad = stored_gradient(retained, kept, shared) if retained._grad is None else retained._grad + kept
                shared.add(id(retained._grad._data))
            if wanted is not None and id(fn) in wanted:
                captured[id(fn)] = grad
            fn.check_saved_versions()
            fn_inputs = fn.inputs
            if sums.in_place and fn.sparse_grad and fn_inputs[0]._requires_grad:
                source, node = fn_inputs[0], fn.input_nodes[0]
                fn.add_grad_into(sums.owned_array(id(source if node is None else node), source), grad._data)
                if node is None:
                    leaves[id(source)] = source
            else:
                input_grads = fn.backward(grad)
                if not isinstance(input_grads, tuple):
                    input_grads = (input_grads,)
                if _grad_mode.anomaly and _grad_mode.anomaly_nan:
                    _refuse_nan(fn, input_grads)
                for tensor, node, input_grad in zip(fn_inputs, fn.input_nodes, input_grads):
                    if input_grad is not None and tensor._requires_grad:
                        accumulate(tensor, node, input_grad, fn)
            if not retain_graph:
                fn.release()
        for key, leaf in leaves.items():
            hooks = getattr(leaf, "_hooks", None)
            if hooks:
                sums.sums[key] = _run_hooks(hooks, sums.sums[key])
        if wanted is not None:
            for key in wanted:
                if key in sums.sums and key in leaves:
                    captured[key] = sums.sums[key]
            return [captured.get(id(_gradient_holder(t))) for t in inputs]
        for key, leaf in leaves.items():
            grad = sums.sums[key] if create_graph else sums.sums[key].detach()
            leaf._grad = stored_gradient(leaf, grad, shared) if leaf._grad is None else leaf._grad + grad
            shared.add(id(leaf._grad._data))
            if post_accumulate_hooks:
                _after_accumulation(leaf)
    finally:
        _grad_mode.enabled = recording
        backend.restore_floats(quiet)
    return None


def stored_gradient(tensor: Tensor, grad: Tensor, shared: set) -> Tensor:
    """``grad`` as it is kept in ``tensor.grad``: a tensor of its own, laid out like ``tensor``'s
    (PyTorch's gradient layout contract), which the user may change in place (``p.grad.zero_()``,
    ``p.grad.mul_(0.5)``, ``p.grad.view(-1)``) without touching anything else. Copied when the
    array is a broadcast (that of ``x.sum()`` is ones expanded, one element in memory), transposed
    (a weight used as ``w.mT``), a view of another array, the caller's seed or also handed to
    another tensor (``shared``: the arrays already given out; Add passes one gradient to both of its
    inputs); kept as it is otherwise
    (a fresh result: the usual case, no copy). A graph-connected gradient (``create_graph``) is
    kept, or cloned in the graph when shared."""
    array, like = grad._data, tensor._data
    if grad._grad_fn is not None:
        return grad.clone() if id(array) in shared else grad
    if array.strides == like.strides and array.flags.writeable and array.base is None and id(array) not in shared:
        return grad
    xp = tensor.xp
    owned = xp.empty_like(like) if all(like.strides) else xp.empty(like.shape, dtype=array.dtype)
    owned[...] = array
    return Tensor(owned)


def _refuse_nan(fn: Function, input_grads: tuple) -> None:
    """Anomaly mode: raise if a gradient ``fn`` computed holds a NaN, with the stack of its forward."""
    for i, g in enumerate(input_grads):
        if g is not None and g.dtype.kind == "f" and bool(g.xp.isnan(g._data).any()):
            stack = getattr(fn, "forward_stack", None)
            where = ("\nTraceback of the forward call that made it:\n" + "".join(stack)) if stack else ""
            raise RuntimeError(f"Function '{fn.name()}' returned nan values in its {i}th output.{where}")


def _default_grad_outputs(outputs: Sequence[Tensor], grad_outputs) -> list[Tensor]:
    """The gradient to start from for each output: ones for a one-element output given None, else
    the given tensor (in the output's dtype, as PyTorch casts it)."""
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    result = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out.numel() != 1:
                raise RuntimeError(f"grad can be implicitly created only for scalar outputs; got "
                                   f"shape {tuple(out.shape)}: pass a gradient of that shape")
            g = Tensor(out.xp.ones(out.shape, dtype=out.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        if g.shape != out.shape:
            raise OpError(f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and output[{i}] "
                          f"has a shape of {tuple(out.shape)}")
        if g.dtype != out.dtype and out.dtype.kind == "f":
            g = g.to(out.dtype)
        result.append(g)
    return result


def _as_list(tensors) -> list:
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def backward(tensors, grad_tensors=None, retain_graph: bool | None = None, create_graph: bool = False,
             inputs=None) -> None:
    """Accumulate Σₖ d(tensors[k])/d(leaf) · grad_tensors[k] into every leaf's ``.grad`` (see
    Tensor.backward); with ``inputs``, into the ``.grad`` of those tensors only (leaves or not).
    ``tensors`` is one tensor or a sequence of them, ``grad_tensors`` likewise (PyTorch's
    ``torch.autograd.backward``)."""
    tensors = _as_list(tensors)
    if grad_tensors is not None:
        grad_tensors = _as_list(grad_tensors)
    for i, tensor in enumerate(tensors):
        refresh_if_stale(tensor)
        if not tensor.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
    grads = _default_grad_outputs(tensors, grad_tensors)
    retain_graph = bool(retain_graph) or create_graph
    if inputs is None:
        run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph)
        return
    inputs = _as_list(inputs)
    if not inputs:
        raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"backward: input {i} (shape {tuple(t.shape)}) does not require grad")
    reached = run_backward(tensors, grads, retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)
    handed = {id(g._data) for g in grads}  # arrays given out already: the seeds, then each one kept
    for t, g in zip(inputs, reached):
        if g is not None:
            g = g if create_graph else g.detach()
            t.grad = stored_gradient(t, g, handed) if t._grad is None else t._grad + g
            handed.add(id(t._grad._data))
            if post_accumulate_hooks and t.grad_fn is None:
                _after_accumulation(t)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None, materialize_grads: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple (PyTorch's API).

    ``sum_k grad_outputs[k] · d outputs[k] / d inputs[i]`` for each input ``i``. Leaves' ``.grad``
    are left untouched. With ``create_graph=True`` the result is itself differentiable. An input
    no gradient reaches raises, unless ``allow_unused`` (it gets None) or ``materialize_grads``
    (it gets zeros).
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    if isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    for t in outputs + inputs:
        refresh_if_stale(t)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors does not require grad (grad: input {i}, shape "
                               f"{tuple(t.shape)})")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"grad: output {i} (shape {tuple(out.shape)}) does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    grads = run_backward(outputs, _default_grad_outputs(outputs, grad_outputs),
                         retain_graph=retain_graph, create_graph=create_graph, inputs=inputs)
    for i, g in enumerate(grads):
        if g is None and materialize_grads:
            grads[i] = Tensor(inputs[i].xp.zeros_like(inputs[i]._data))
        elif g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                               f"Set allow_unused=True if this is the desired behavior (grad: input {i}, of shape "
                               f"{tuple(inputs[i].shape)}, is not used; allow_unused gives None for it)")
    return tuple(grads)


# ------------------------------------------------------------------------------------------------
# Gradient checking
# ------------------------------------------------------------------------------------------------

def _numerical_jacobian(fn, inputs: list[Tensor], eps: float) -> list[np.ndarray]:
    """d fn(inputs).flatten() / d input.flatten() for each input, by central differences."""
    jacobians = []
    for tensor in inputs:
        if not tensor.requires_grad:
            jacobians.append(None)
            continue
        flat = tensor._data.reshape(-1)  # a view: perturbations write through to the tensor
        columns = []
        for j in range(flat.size):
            original = flat[j].item()
            flat[j] = original + eps
            plus = _as_numpy(fn(*inputs)).copy()  # a copy: fn may return a view of the input
            flat[j] = original - eps
            minus = _as_numpy(fn(*inputs)).copy()
            flat[j] = original
            columns.append((plus - minus).reshape(-1) / (2 * eps))
        jacobians.append(np.stack(columns, axis=1) if columns else np.zeros((0, 0)))
    return jacobians


def _analytical_jacobian(fn, inputs: list[Tensor]) -> list[np.ndarray]:
    """The same Jacobians from backward: one ``grad`` call per output element."""
    out = fn(*inputs)
    if not out.requires_grad:  # the output does not depend on any input: a zero Jacobian
        return [np.zeros((out.numel(), t.numel())) if t.requires_grad else None for t in inputs]
    rows: list[list[np.ndarray]] = [[] for _ in inputs]
    differentiable = [t for t in inputs if t.requires_grad]
    for k in range(out.numel()):
        seed = out.xp.zeros(out.numel(), dtype=out.dtype)
        seed[k] = 1
        grads = grad(out, differentiable, Tensor(seed.reshape(out.shape)), retain_graph=True,
                     allow_unused=True)
        grads_by_input = iter(grads)
        for i, tensor in enumerate(inputs):
            if tensor.requires_grad:
                g = next(grads_by_input)
                rows[i].append(np.zeros(tensor.numel()) if g is None else _as_numpy(g).reshape(-1))
    return [np.stack(r, axis=0) if r else None for r in rows]


def _as_numpy(value) -> np.ndarray:
    if isinstance(value, Tensor):
        value = value._data
    return value.get() if hasattr(value, "get") else np.asarray(value)


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True) -> bool:
    """Compare backward's Jacobian with central differences ``(f(x+ε) − f(x−ε)) / 2ε``.

    Inputs must be float64 (float32 central differences are too coarse to be a check). With the
    default ε = 1e-6 the truncation error is O(ε²) and the rounding error about 1e-16/ε ≈ 1e-10,
    so ``|analytic − numeric| <= atol + rtol·|numeric|`` with atol = 1e-5 and rtol = 1e-3 leaves a
    wide margin for correct gradients while any wrong formula fails by orders of magnitude.
    Avoid inputs within ε of a kink (relu at 0, abs at 0, max ties).
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for t in inputs:
        if t.requires_grad and t.dtype != np.float64:
            raise TypeError(f"gradcheck: inputs must be float64, got {t.dtype} of shape {tuple(t.shape)}")
    numerical = _numerical_jacobian(fn, inputs, eps)
    analytical = _analytical_jacobian(fn, inputs)
    for i, (num, ana) in enumerate(zip(numerical, analytical)):
        if num is None:
            continue
        if ana is None:
            ana = np.zeros_like(num)
        if not np.allclose(ana, num, atol=atol, rtol=rtol):
            if raise_exception:
                worst = np.abs(ana - num).max()
                raise AssertionError(f"gradcheck: Jacobian mismatch for input {i} (shape "
                                     f"{tuple(inputs[i].shape)}): max abs difference {worst:.3g}\n"
                                     f"analytical:\n{ana}\nnumerical:\n{num}")
            return False
    return True


def gradgradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0) -> bool:
    """gradcheck of the map ``x ↦ d⟨w, fn(x)⟩/dx`` for a fixed random ``w``: checks second derivatives."""
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    out = fn(*inputs)
    rng = np.random.default_rng(seed)
    weights = Tensor(out.xp.asarray(rng.standard_normal(out.shape)).astype(out.dtype))
    differentiable = [t for t in inputs if t.requires_grad]

    def first_derivatives(*xs):
        grads = grad((fn(*xs) * weights).sum(), [x for x in xs if x.requires_grad],
                     create_graph=True, allow_unused=True)
        from .ops.shape import cat
        parts = [(g if g is not None else x.detach() * 0).reshape(-1) for g, x in
                 zip(grads, [x for x in xs if x.requires_grad])]
        return cat(parts, dim=0)

    if not differentiable:
        raise OpError("gradgradcheck: no input requires grad")
    return gradcheck(first_derivatives, inputs, eps=eps, atol=atol, rtol=rtol)
