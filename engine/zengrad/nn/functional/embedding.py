"""Table lookups: ``embedding`` (rows of a weight table by index) and ``embedding_bag``
(sums, means or maxima of bags of rows, without materialising the rows)."""

from __future__ import annotations

import numpy as np

from ...errors import DtypeError, OpError
from ...ops import where
from ...autograd import increment_version
from ...tensor import Tensor


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the integer indices in ``input``: out[..., :] = weight[input[...]].

    Backward adds each output row's gradient into the row it came from, so repeated indices
    accumulate. The row ``padding_idx`` (negative counts from the end) gets no gradient: where the
    input is padding the output reads a detached copy of the weight.

    With ``max_norm``, every row the input names whose ``norm_type``-norm exceeds max_norm is first
    rescaled *in place* (outside autograd, as PyTorch does) to w · max_norm / (‖w‖ + 1e−7).
    With ``scale_grad_by_freq``, the gradient each output row sends back is divided by the number
    of times its index occurs in ``input``, so a frequent row is not updated more than a rare one.
    (``sparse`` gradients are not supported.)
    """
    if input.dtype.kind not in "iu":
        raise DtypeError(f"embedding: indices must be an integer tensor, got {input.dtype}")
    if sparse:
        raise OpError("embedding: sparse gradients are not supported")
    if input.numel():
        low, high = int(input._data.min()), int(input._data.max())
        if low < 0 or high >= weight.shape[0]:
            bad = low if low < 0 else high
            raise IndexError(f"embedding: index {bad} is out of range for an embedding of "
                             f"{weight.shape[0]} rows")
        if max_norm is not None:
            _renormalize_rows(weight, input, max_norm, norm_type)
    rows = weight[input]
    if scale_grad_by_freq and rows.requires_grad:
        _, where_in_ids, counts = weight.xp.unique(input._data, return_inverse=True, return_counts=True)
        scale = Tensor((1.0 / counts)[where_in_ids].reshape(input.shape + (1,)).astype(weight.dtype))
        rows.register_hook(lambda grad: grad * scale)
    if padding_idx is None:
        return rows
    padding_idx = _padding_index(padding_idx, weight.shape[0])
    is_padding = (input._data == padding_idx)[..., None]
    return where(Tensor(is_padding), weight.detach()[input], rows)


def _renormalize_rows(weight: Tensor, input: Tensor, max_norm: float, norm_type: float) -> None:
    """Scale the rows of ``weight`` named in ``input`` whose norm exceeds ``max_norm`` down to it."""
    xp = weight.xp
    rows = xp.unique(input._data.reshape(-1))
    norms = xp.linalg.norm(weight._data[rows].astype(np.float64), ord=norm_type, axis=1)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    weight._data[rows] = (weight._data[rows] * scale[:, None]).astype(weight.dtype)
    increment_version(weight)


def _padding_index(padding_idx: int, rows: int) -> int:
    """padding_idx in [−rows, rows) as a row number (PyTorch's rule)."""
    if not -rows <= padding_idx < rows:
        raise OpError(f"embedding: padding_idx {padding_idx} must be within num_embeddings ({rows})")
    return padding_idx % rows


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm=None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """One vector per bag of indices, without forming the (bag, index, dim) tensor's every row
    separately: out[b] = Σ / mean / max over the indices i of bag b of weight[i] (times
    per_sample_weights[i] with mode 'sum'). Bags are the rows of a 2-D ``input``, or the runs of a
    1-D ``input`` starting at each of ``offsets``. Indices equal to ``padding_idx`` are left out
    (and not counted by 'mean'); an empty bag gives zeros. The sums are an index_add of the rows
    into their bag, so each row's gradient is its bag's (divided by the bag's size for 'mean')."""
    if mode not in ("sum", "mean", "max"):
        raise OpError(f"embedding_bag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
    if max_norm is not None or scale_grad_by_freq:
        raise OpError("embedding_bag: max_norm and scale_grad_by_freq are not supported")
    if per_sample_weights is not None and mode != "sum":
        raise OpError(f"embedding_bag: per_sample_weights is only supported for mode='sum', got mode={mode!r}")
    xp = input.xp
    if input.ndim == 2:
        if offsets is not None:
            raise OpError("embedding_bag: offsets must be None when input is 2-D (each row is a bag)")
        bags, length = input.shape
        bag_of = xp.repeat(xp.arange(bags), length)
        flat = input.reshape(-1)
    elif input.ndim == 1:
        if offsets is None or offsets.ndim != 1:
            raise OpError(f"embedding_bag: a 1-D input needs 1-D offsets, got {None if offsets is None else offsets.shape}")
        starts = offsets._data.astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        bags = starts.shape[0]
        if bags and (int(starts[0]) != 0 or bool((xp.diff(starts) < 0).any()) or int(starts[-1]) > input.shape[0]):
            raise OpError(f"embedding_bag: offsets must start at 0 and not decrease, up to the input's length "
                          f"{input.shape[0]}, got {offsets._data.tolist()}")
        bag_of = xp.searchsorted(starts, xp.arange(input.shape[0]), side="right") - 1
        flat = input
    else:
        raise OpError(f"embedding_bag: input must be 1-D (with offsets) or 2-D, got shape {input.shape}")
    keep = xp.ones(flat.shape[0], dtype=bool)
    if padding_idx is not None:
        keep = flat._data != _padding_index(padding_idx, weight.shape[0])
    rows = embedding(Tensor(flat._data[keep]), weight)
    bag_of = bag_of[keep]
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1)[Tensor(xp.flatnonzero(keep))].unsqueeze(-1)
    empty = Tensor(xp.zeros((bags, weight.shape[1]), dtype=weight.dtype))
    if mode == "max":
        index = Tensor(xp.broadcast_to(bag_of[:, None], rows.shape).copy())
        return empty.scatter_reduce(0, index, rows, "amax", include_self=False)
    total = empty.index_add(0, Tensor(bag_of), rows)
    if mode == "sum":
        return total
    counts = xp.bincount(bag_of, minlength=bags).astype(weight.dtype)
    return total / Tensor(xp.maximum(counts, 1)[:, None])
