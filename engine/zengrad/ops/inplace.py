"""In-place ops (``add_``, ``mul_``, ``zero_``, ``x[mask] = 0``, …): PyTorch's trailing underscore.

Every one of them is the out-of-place op followed by :func:`overwrite`, the single place where
zengrad changes a tensor's array after it was made (so it is where the tensor's version counter is
bumped, which lets backward detect saved values that changed).

Three cases:

* Nothing is recorded (no input wants a gradient, or inside ``no_grad``): the new values are
  written into the tensor's existing array, so every alias of it (``detach()``, a view) sees them
  — an optimizer step, ``zero_()`` on a buffer, ``init`` functions.
* The graph is recorded: the op runs on a snapshot of the old values (its own copy, so a node
  that keeps its inputs for backward keeps the old ones); the result is written into the tensor's
  array (views see it, as above) and the tensor takes the result's node: ``x.mul_(2)`` makes ``x``
  the output of a Mul whose input was the old ``x``. Nodes recorded earlier with ``x`` as input
  still send its gradient to the old ``x``'s node (``Function.input_nodes``).
* The graph is recorded and the tensor is a view (``y[0].mul_(10)``, ``y.t().add_(b)``,
  ``zeros(3, 4)[1].copy_(h)``): the change is written into the view's *base* (``tensor._base``, the
  tensor whose memory it views), whose history is rewritten, as PyTorch's CopySlices node does.
  The view's elements sit at some positions p of the base (:func:`view_positions`), and

      part  = before[p]                        the view's old values, read from the base's node
      after = before with after[p] = op(part, …)

  so ∂after/∂before is the identity outside the view and goes through the op inside it. The base
  takes ``after``'s node, the view becomes ``after[p]``, and other views of the base recorded
  earlier are re-read from it when next used (:func:`refresh_view`).

As in PyTorch, an in-place op on a leaf that requires grad, or on a view of one, is refused while
recording (its ``.grad`` would no longer be the gradient of the tensor the user made).
"""

from __future__ import annotations

import numpy as np

from ..errors import OpError
from ..grad_mode import is_grad_enabled, no_grad
from .. import autograd, backend
from ..autograd import Function
from ..tensor import Tensor
from ._util import can_cast
from .indexing import SetItem, setitem_result
from .shape import _normalize_index, getitem, reshape


def overwrite(target: Tensor, values=None, *, write=None, node: Tensor | None = None) -> None:
    """Change ``target`` in place — the one function that does (it bumps the version counter).

    ``values``: an array written over the whole tensor; ``write``: a function that edits the array
    itself (``array[index] = v``); ``node``: a recorded result whose values are written into
    ``target`` and whose node ``target`` takes over.
    """
    if isinstance(target._data, np.generic):  # a NumPy scalar (some 0-d results) cannot be written into
        target.data = np.array(target._data)
    _refuse_repeated_elements(target)
    if node is not None:
        target._data[...] = node._data  # into the same memory, so views of target and its base see it
        autograd.increment_version(target)
        _take_node(target, node)
        return
    if write is not None:
        write(target._data)
    else:
        target._data[...] = values
    autograd.increment_version(target)


def _refuse_repeated_elements(target: Tensor) -> None:
    """Raise for a tensor whose elements share memory (NumPy marks such arrays read-only)."""
    if not getattr(target._data.flags, "writeable", True):
        raise OpError(f"unsupported operation: more than one element of the written-to tensor (shape "
                      f"{target.shape}, strides {target.stride()}) refers to a single memory location "
                      "(an expand() or broadcast_to()); clone() it before writing in place")


def _take_node(target: Tensor, node: Tensor) -> None:
    """``target`` stands at ``node``'s place in the graph from now on (its values are node's). A
    ``retain_grad()`` moves with it, as in PyTorch: ``.grad`` is then the gradient of the new values."""
    old = target._grad_fn
    target._grad_fn = fn = node._grad_fn
    target._requires_grad = node._requires_grad
    if fn is not None:  # the node's output is now target: a later in-place change of it is seen
        fn.out_data, fn.out_counter, fn.out_version = target._data, target._version_counter, target._version
    _move_retained(target, old)


def _move_retained(target: Tensor, old) -> None:
    """If ``target`` retained its gradient at node ``old``, retain it at its current node instead."""
    if old is not None and old.retained is target and target._grad_fn is not None:
        old.retained, target._grad_fn.retained = None, target


def _snapshot(target: Tensor) -> Tensor:
    """The tensor's current values in a copy, standing at its place in the graph."""
    before = Tensor(target._data.copy())
    before._requires_grad = target._requires_grad
    before._grad_fn = target._grad_fn
    return before


def in_place(name: str, target: Tensor, op, *args, **kwargs) -> Tensor:
    """``target ← op(target, *args, **kwargs)`` in place; returns ``target``."""
    if not isinstance(target, Tensor):
        raise TypeError(f"{name}: expected a Tensor, got {type(target).__name__}")
    autograd.refresh_if_stale(target)
    recording = is_grad_enabled() and (target.requires_grad or any(
        isinstance(a, Tensor) and a.requires_grad for a in list(args) + list(kwargs.values())))
    if not recording:
        with no_grad():
            result = op(target, *args, **kwargs)
        _check_fits(name, target, result)
        overwrite(target, result._data)
        return target
    base = view_base(target)
    _refuse_leaf(name, target, base)
    if base is not None:
        _write_through_view(name, base, target, op, args, kwargs)
        return target
    overwrite(target, node=_fitted(name, target, op(_snapshot(target), *args, **kwargs)))
    return target


def _refuse_leaf(name: str, target: Tensor, base: Tensor | None) -> None:
    """PyTorch's refusal to record an in-place change of a leaf that requires grad, or of a view of one."""
    if (target.requires_grad and target.grad_fn is None) or (base is not None and base.requires_grad
                                                             and base.grad_fn is None):
        what = "a view of a leaf Variable" if base is not None or name == "setitem" else "a leaf Variable"
        raise RuntimeError(f"{name}: {what} that requires grad is being used in an in-place operation (shape "
                           f"{target.shape}); wrap it in zengrad.no_grad() or use the out-of-place op")


def _fitted(name: str, target: Tensor, result: Tensor) -> Tensor:
    """``result``, checked to fit ``target`` and in target's dtype."""
    _check_fits(name, target, result)
    return result if result.dtype == target.dtype else result.to(target.dtype)


def restride(name: str, target: Tensor, op, *args, **kwargs) -> Tensor:
    """``t_``, ``transpose_``, ``squeeze_``, ``unsqueeze_``, ``as_strided_``: ``target`` takes the
    sizes and strides of the view ``op(target, …)`` of its own memory; while recording, also the
    view's node, its old self standing in as the op's input. Refused on a leaf that requires grad,
    as every in-place op is. The version goes up, as PyTorch's does, so a node that saved
    ``target`` refuses to run backward; a node that kept only target's shape (an earlier
    ``target * 2`` unbroadcasting its gradient) would read the new one: change a tensor's shape in
    place before it is used in a recorded op, or use the out-of-place view."""
    autograd.refresh_if_stale(target)
    recording = is_grad_enabled() and target.requires_grad
    if recording:
        _refuse_leaf(name, target, view_base(target))
    before = Tensor(target._data)
    before._version_counter = target._version_counter
    view = op(_at_its_node(before, target) if recording else before, *args, **kwargs)
    target._data = view._data
    autograd.increment_version(target)
    if recording:
        _take_node(target, view)
    return target


def view_base(target: Tensor) -> Tensor | None:
    """The tensor whose memory ``target`` views (its ``_base``), if it still does."""
    base = target._base
    if base is None or not target.xp.may_share_memory(target._data, base._data):
        return None
    return base


def view_positions(base: Tensor, view: Tensor):
    """Where ``view``'s elements sit in ``base``: an integer array of the view's shape holding
    row-major positions in ``base`` (``base.reshape(-1)[p]`` reads the view's values), found from
    the elements' memory addresses — so every view op, and chains of them, are handled alike."""
    xp = base.xp
    wanted = backend.element_addresses(view._data)
    data = base._data
    if data.flags.c_contiguous:  # position = byte offset / item size
        return (wanted - backend.data_address(data)) // data.itemsize
    addresses = backend.element_addresses(data).reshape(-1)
    order = xp.argsort(addresses)
    found = xp.searchsorted(addresses[order], wanted)
    return order[found]


def _write_through_view(name: str, base: Tensor, view: Tensor, op, args, kwargs) -> None:
    """``view ← op(view, …)`` recorded as a change of ``base`` (see the module's docstring): the op
    runs on a copy of the view's values only, and the result is written into the shared memory."""
    _refuse_repeated_elements(view)
    index = _index_in_base(base, view_positions(base, view))
    part = getitem(_at_its_node(Tensor(base._data), base), index)  # the view's values, read from base's node
    result = _fitted(name, view, op(reshape(part, view.shape) if part.shape != view.shape else part,
                                    *args, **kwargs))
    _record_write(base, index, result if base.ndim else reshape(result, ()))
    now = getitem(base, index)
    _take_node(view, reshape(now, view.shape) if now.shape != view.shape else now)
    view._view_version = view._version_counter.value


def _index_in_base(base: Tensor, positions):
    """The row-major ``positions`` as an index of ``base`` (one integer array per dim; () for 0-d)."""
    return base.xp.unravel_index(positions, base.shape) if base.ndim else ()


def _at_its_node(stand_in: Tensor, tensor: Tensor) -> Tensor:
    """``stand_in`` placed where ``tensor`` stands in the graph (its node, whether it needs grad)."""
    stand_in._grad_fn, stand_in._requires_grad = tensor._grad_fn, tensor._requires_grad
    return stand_in


def _record_write(target: Tensor, index, value: Tensor) -> None:
    """``target[index] = value`` written straight into target's memory and recorded as a SetItem
    node. Its first input stands for target's old values with a zero-stride array (no memory):
    SetItem's backward reads none of them, so neither the forward nor the graph keeps a copy of the
    whole tensor — a loop writing rows (``out[t] = h``) costs the rows, not T copies of ``out``."""
    if value.dtype != target.dtype:
        value = value.to(target.dtype)
    xp = target.xp
    before = _at_its_node(Tensor(xp.broadcast_to(xp.zeros((), dtype=target.dtype), target.shape)), target)
    versions = [target._version_counter.value, value._version_counter.value]
    try:
        target._data[index] = value._data
    except (ValueError, IndexError) as error:
        kind = OpError if isinstance(error, ValueError) else IndexError
        raise kind(f"setitem: {error} (tensor shape {target.shape}, value shape {value.shape})") from None
    autograd.increment_version(target)
    node = SetItem(index=index)
    node.node_name = "torch::autograd::CopySlices"  # PyTorch's node for a write into part of a tensor
    old = target._grad_fn
    node.attach((before, value), [old, value._grad_fn], versions, target)
    _move_retained(target, old)


def refresh_view(view: Tensor) -> None:
    """Give ``view`` its place in the graph again after its base changed in place since the view's
    node was recorded: from now on it reads as ``base.reshape(-1)[p]`` of the base's current node
    (PyTorch regenerates a view's ``grad_fn`` the same way). Outside recording nothing changes."""
    if not is_grad_enabled():
        return
    view._view_version = view._version_counter.value
    base = view_base(view)
    if base is None or not base.requires_grad:
        return
    _take_node(view, autograd.named(getitem(reshape(base, (-1,)), view_positions(base, view)), "AsStridedBackward0"))


autograd.refresh_view = refresh_view


def _check_fits(name: str, target: Tensor, result: Tensor) -> None:
    if result.shape != target.shape:
        raise RuntimeError(f"{name}: the result's shape {result.shape} does not match the tensor's shape "
                           f"{target.shape} (an in-place op cannot broadcast the tensor it changes)")
    if not can_cast(result.dtype, target.dtype):
        raise RuntimeError(f"{name}: result type {result.dtype} can't be cast to the tensor's type {target.dtype}")


def setitem(target: Tensor, index, value) -> None:
    """``target[index] = value``: recorded as a SetItem node when a gradient is wanted (through the
    base when target is a view), otherwise a direct write of the indexed elements."""
    autograd.refresh_if_stale(target)
    wants_grad = target.requires_grad or (isinstance(value, Tensor) and value.requires_grad)
    if is_grad_enabled() and wants_grad:
        base = view_base(target)
        _refuse_leaf("setitem", target, base)
        if base is not None:
            _write_through_view("setitem", base, target, setitem_result, (index, value), {})
            return
        _refuse_repeated_elements(target)
        value = value if isinstance(value, Tensor) else Tensor(target.xp.asarray(value, dtype=target.dtype))
        _record_write(target, _normalize_index(index, target), value)
        return
    index = _normalize_index(index, target)
    array = value._data if isinstance(value, Tensor) else value

    def write(data):
        data[index] = array
    try:
        overwrite(target, write=write)
    except (ValueError, IndexError) as error:
        kind = OpError if isinstance(error, ValueError) else IndexError
        raise kind(f"setitem: {error} (tensor shape {target.shape})") from None


# ---- the ops behind the in-place methods that have no out-of-place name of their own --------

def fill(a: Tensor, value) -> Tensor:
    """A tensor of a's shape and dtype, every element ``value`` (a number or a 0-d tensor, which
    then receives the summed gradient); a's gradient is 0."""
    from .elementwise import where
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"fill_: value must be a number or a 0-d tensor, got shape {value.shape}")
        value = value if value.dtype == a.dtype else value.to(a.dtype)
    else:
        value = Tensor(a.xp.asarray(value).astype(a.dtype))
    return where(Tensor(a.xp.ones((), dtype=bool)), value, a)


def zero(a: Tensor) -> Tensor:
    return fill(a, 0)


def copy(a: Tensor, src) -> Tensor:
    """``src`` converted to a's dtype and device and broadcast to a's shape (``copy_``)."""
    from .elementwise import where
    src = src if isinstance(src, Tensor) else Tensor(a.xp.asarray(src))
    src = src.to(a.dtype, device=a.device)
    return where(Tensor(a.xp.ones((), dtype=bool)), src, a)


def uniform(a: Tensor, low: float = 0.0, high: float = 1.0) -> Tensor:
    """Samples of U(low, high) in a's shape and dtype, from zengrad's generator (no gradient)."""
    from ..creation import generator
    draw = generator(a.device).random(a.shape)
    return Tensor((low + (high - low) * draw).astype(a.dtype))


def normal(a: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Samples of N(mean, std²) in a's shape and dtype, from zengrad's generator (no gradient)."""
    from ..creation import generator
    draw = generator(a.device).standard_normal(a.shape)
    return Tensor((mean + std * draw).astype(a.dtype))


def _uniform_draw(a: Tensor):
    """u ~ U(0, 1) in a's shape (float64, on a's device), from zengrad's generator."""
    from ..creation import generator
    return generator(a.device).random(a.shape)


def bernoulli(a: Tensor, p=0.5) -> Tensor:
    """1 with probability p (a number, or a tensor broadcasting to a), else 0, in a's dtype."""
    probability = p._data if isinstance(p, Tensor) else p
    return Tensor((_uniform_draw(a) < probability).astype(a.dtype))


def exponential(a: Tensor, lambd: float = 1.0) -> Tensor:
    """Samples of the exponential distribution of rate λ: −log(1 − u)/λ."""
    return Tensor((-a.xp.log1p(-_uniform_draw(a)) / lambd).astype(a.dtype))


def geometric(a: Tensor, p: float) -> Tensor:
    """The number of Bernoulli(p) trials up to the first success (1, 2, …): ⌈log(1 − u)/log(1 − p)⌉."""
    if not 0 < p < 1:
        raise OpError(f"geometric_: p must be in (0, 1), got {p}")
    trials = a.xp.ceil(a.xp.log1p(-_uniform_draw(a)) / np.log1p(-p))
    return Tensor(a.xp.maximum(trials, 1).astype(a.dtype))


def cauchy(a: Tensor, median: float = 0.0, sigma: float = 1.0) -> Tensor:
    """Samples of the Cauchy distribution: median + σ·tan(π(u − ½))."""
    return Tensor((median + sigma * a.xp.tan(np.pi * (_uniform_draw(a) - 0.5))).astype(a.dtype))


def log_normal(a: Tensor, mean: float = 1.0, std: float = 2.0) -> Tensor:
    """Samples of exp(N(mean, std²))."""
    from ..creation import generator
    return Tensor(a.xp.exp(mean + std * generator(a.device).standard_normal(a.shape)).astype(a.dtype))


def random(a: Tensor, low: int = 0, high: int | None = None) -> Tensor:
    """Integers drawn uniformly from [low, high − 1] (``random_(to)`` alone: [0, to − 1]); without
    ``high``, from [0, 2^mantissa] for floats (every integer the dtype holds exactly) and up to the
    dtype's largest value for integers."""
    if high is None and low != 0:
        low, high = 0, low
    if high is None:
        high = 2 ** (np.finfo(a.dtype).nmant + 1) + 1 if a.dtype.kind == "f" else int(np.iinfo(a.dtype).max)
    if high <= low:
        raise OpError(f"random_: expects from < to, got from={low}, to={high}")
    return Tensor(a.xp.floor(low + (high - low) * _uniform_draw(a)).astype(a.dtype))


def fill_diagonal(a: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """a with its main diagonal set to ``fill_value`` (``fill_diagonal_``): the elements (i, i, …, i)
    of a tensor with at least 2 dims, all of one length beyond 2; in a tall matrix with ``wrap``
    the diagonal starts again every columns + 1 rows (NumPy's ``fill_diagonal`` places them
    alike). The filled elements' gradient is 0."""
    from .elementwise import where
    if a.ndim < 2 or (a.ndim > 2 and len(set(a.shape)) != 1):
        raise RuntimeError(f"fill_diagonal_: dimensions must be larger than 1 and all of equal length, "
                           f"got shape {tuple(a.shape)}")
    mask = np.zeros(a.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    value = Tensor(a.xp.asarray(fill_value, dtype=a.dtype))
    return where(Tensor(a.xp.asarray(mask)), value, a)


def resize(target: Tensor, *sizes) -> Tensor:
    """``resize_``: ``target`` takes the shape ``sizes``; its first elements (in row-major order) keep
    their values and new ones are 0 (PyTorch leaves them uninitialised). A contiguous tensor that
    keeps or loses elements stays in its memory, so its views still see it; a larger one moves to
    new memory, as PyTorch's storage grows."""
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else tuple(sizes)
    if any(not isinstance(n, (int, np.integer)) or n < 0 for n in shape):
        raise RuntimeError(f"resize_: sizes must be non-negative integers, got {shape}")
    if target.requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    count = int(np.prod(shape, dtype=np.int64))
    flat = target._data.reshape(-1) if target.is_contiguous() else target.xp.ascontiguousarray(target._data).reshape(-1)
    if count <= flat.size:
        target._data = flat[:count].reshape(shape)
    else:
        grown = target.xp.zeros(count, dtype=target.dtype)
        grown[:flat.size] = flat
        target._data = grown.reshape(shape)
    autograd.increment_version(target)
    return target
