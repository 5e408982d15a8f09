"""Memory formats (``torch.channels_last`` & co.): the same values, laid out in another order.

A 4-d image batch (N, C, H, W) is stored row-major by default ("contiguous_format": strides
(C·H·W, H·W, W, 1)). ``channels_last`` stores it as N, H, W, C — the C values of one pixel side
by side, strides (H·W·C, 1, W·C, C) — which suits convolutions that read every channel of a pixel
at once; ``channels_last_3d`` does the same for 5-d (N, C, D, H, W). The shape, the values and
every op's result are unchanged: only ``stride()`` and speed differ. ``preserve_format`` keeps a
dense tensor's layout (``clone``).

``x.contiguous(memory_format=…)``, ``x.is_contiguous(memory_format=…)``, ``x.to(memory_format=…)``,
``x.clone(memory_format=…)`` and ``module.to(memory_format=…)`` accept them.
"""

from __future__ import annotations

from ..autograd import Function
from ..tensor import Tensor


class MemoryFormat:
    """One of PyTorch's memory formats (compared by identity, printed as PyTorch prints them)."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"zengrad.{self.name}"


contiguous_format = MemoryFormat("contiguous_format")
channels_last = MemoryFormat("channels_last")
channels_last_3d = MemoryFormat("channels_last_3d")
preserve_format = MemoryFormat("preserve_format")

#: the order in which a format stores the dims, outermost first, by rank
_ORDERS = {channels_last: {4: (0, 2, 3, 1)}, channels_last_3d: {5: (0, 2, 3, 4, 1)}}


def storage_order(ndim: int, memory_format) -> tuple[int, ...]:
    """The dims of a rank-``ndim`` tensor in the order ``memory_format`` stores them."""
    if memory_format in (None, contiguous_format, preserve_format):
        return tuple(range(ndim))
    orders = _ORDERS.get(memory_format)
    if orders is None:
        raise TypeError(f"memory_format must be a zengrad memory format, got {memory_format!r}")
    if ndim not in orders:
        raise RuntimeError(f"required rank {next(iter(orders))} tensor to use {memory_format.name} format, "
                           f"got rank {ndim}")
    return orders[ndim]


def _dense_in(a: Tensor, order: tuple[int, ...]) -> bool:
    """Whether ``a``'s elements lie densely with the dims stored in ``order`` (size-1 dims aside)."""
    expected = 1
    for dim in reversed(order):
        if a.shape[dim] != 1 and a.stride(dim) != expected:
            return False
        expected *= a.shape[dim]
    return True


def is_laid_out(a: Tensor, memory_format) -> bool:
    """Whether ``a``'s elements lie densely in ``memory_format``'s order."""
    return _dense_in(a, storage_order(a.ndim, memory_format))


class Relayout(Function):
    """z = a, stored in the order ``order`` (a copy);  ∂z/∂a = 1."""

    saved_inputs = ()

    def __init__(self, order: tuple[int, ...]):
        self.order = order

    def forward(self, a):
        inverse = sorted(range(len(self.order)), key=self.order.__getitem__)
        return a.transpose(self.order).copy().transpose(inverse)

    def backward(self, g):
        return g


def laid_out(a: Tensor, memory_format, copy: bool = False) -> Tensor:
    """``a`` in ``memory_format``'s layout: itself if it already is (and no ``copy`` is asked), else
    a copy so laid out. ``preserve_format`` copies keep a's order when a is dense, else row-major."""
    if memory_format is preserve_format:
        if not copy:
            return a
        order = tuple(sorted(range(a.ndim), key=lambda d: -a.stride(d)))
        return Relayout.apply(a, order=order if _dense_in(a, order) else tuple(range(a.ndim)))
    order = storage_order(a.ndim, memory_format)
    if not copy and _dense_in(a, order):
        return a
    return Relayout.apply(a, order=order)


def laid_out_like(result: Tensor, like: Tensor, memory_format) -> Tensor:
    """A new tensor ``result`` (no graph yet) laid out as ``like`` is, for the ``*_like``
    constructors: ``preserve_format`` keeps like's order of dims when like is dense (a transposed
    tensor gives a transposed result, as in PyTorch), another format lays result out as it says."""
    if memory_format is None or memory_format is preserve_format:
        order = tuple(sorted(range(like.ndim), key=lambda d: -like.stride(d)))
        if order == tuple(range(like.ndim)) or not _dense_in(like, order):
            return result
        return Relayout.apply(result, order=order)
    return laid_out(result, memory_format)
