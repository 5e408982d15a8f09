"""Batches of sequences of different lengths (``zengrad.nn.utils.rnn``, as ``torch.nn.utils.rnn``):
padding them to one length, and packing them so that a recurrent layer reads each sequence only up
to its own end.

A batch of B sequences with lengths L₀ ≥ L₁ ≥ … (sorted longest first) is *packed* time step by
time step: step t holds the rows of the sequences still running at t, so

    data = [x₀[0], x₁[0], …, x₀[1], x₁[1], …]   (Σ Lᵦ rows),   batch_sizes[t] = #{b : Lᵦ > t}.

``sorted_indices`` is the order of the original batch that sorting produced (None when the input
was already sorted, ``enforce_sorted=True``), ``unsorted_indices`` its inverse. Every function is
composed of differentiable ops (index_select, cat, stack), so gradients flow through packing and
padding.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ...errors import OpError
from ...ops import cat, index_select, stack
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pack_sequence", "pad_packed_sequence", "pad_sequence",
           "unpack_sequence", "unpad_sequence"]


class PackedSequence(NamedTuple):
    """data (Σ Lᵦ, *), batch_sizes (T,) int64, sorted_indices and unsorted_indices (B,) int64 or None."""

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None

    def lengths(self) -> list[int]:
        """The length of every sequence, in the original batch order."""
        sizes = self.batch_sizes.numpy()
        in_sorted_order = [int((sizes > b).sum()) for b in range(int(sizes[0]))] if sizes.size else []
        if self.unsorted_indices is None:
            return in_sorted_order
        return [in_sorted_order[i] for i in self.unsorted_indices.numpy()]


def _index(positions) -> Tensor:
    return Tensor(np.asarray(positions, dtype=np.int64))


def _lengths(lengths, batch: int) -> list[int]:
    values = [int(n) for n in (lengths.numpy() if isinstance(lengths, Tensor) else np.asarray(lengths)).reshape(-1)]
    if len(values) != batch:
        raise OpError(f"pack_padded_sequence: expected len(lengths) to be equal to batch_size, but got "
                      f"{len(values)} (batch_size={batch})")
    if any(n <= 0 for n in values):
        raise OpError(f"pack_padded_sequence: length of all samples has to be greater than 0, got {values}")
    return values


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) whose sequence b is
    ``lengths[b]`` long. With ``enforce_sorted`` the lengths must already decrease; otherwise the
    batch is sorted first and the order kept in ``sorted_indices``."""
    if batch_first:
        input = input.transpose(0, 1)
    values = _lengths(lengths, input.shape[1])
    if max(values) > input.shape[0]:
        raise OpError(f"pack_padded_sequence: a length {max(values)} exceeds the padded length {input.shape[0]}")
    if enforce_sorted:
        if any(a < b for a, b in zip(values, values[1:])):
            raise OpError("pack_padded_sequence: `lengths` array must be sorted in decreasing order when "
                          "`enforce_sorted` is True; pass enforce_sorted=False to sort it here")
        order = None
    else:
        order = sorted(range(len(values)), key=lambda b: -values[b])  # stable: ties keep their order
        input = index_select(input, 1, _index(order))
        values = [values[b] for b in order]
    sizes = [sum(1 for n in values if n > t) for t in range(values[0])]
    data = cat([input[t, :size] for t, size in enumerate(sizes)], dim=0)
    return _packed(data, sizes, order)


def _packed(data: Tensor, sizes: list[int], order: list[int] | None) -> PackedSequence:
    if order is None:
        return PackedSequence(data, _index(sizes))
    return PackedSequence(data, _index(sizes), _index(order), _index(np.argsort(order, kind="stable")))


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of :func:`pack_padded_sequence`: (padded (T, B, *) or (B, T, *), lengths (B,)
    int64), in the original batch order, positions past a sequence's end filled with
    ``padding_value``; ``total_length`` pads T further (it may not be shorter than the longest)."""
    data, sizes = sequence.data, [int(n) for n in sequence.batch_sizes.numpy()]
    steps, batch = len(sizes), sizes[0]
    if total_length is not None and total_length < steps:
        raise OpError(f"pad_packed_sequence: total_length={total_length} is shorter than the longest "
                      f"sequence ({steps})")
    steps = steps if total_length is None else total_length
    rows, start = [], 0
    for size in sizes:
        rows.append(_pad_rows(data[start:start + size], batch, padding_value))
        start += size
    blank = _pad_rows(data[:0], batch, padding_value)
    padded = stack(rows + [blank] * (steps - len(rows)), dim=0)
    if sequence.unsorted_indices is not None:
        padded = index_select(padded, 1, sequence.unsorted_indices)
    lengths = _index(sequence.lengths())
    return (padded.transpose(0, 1) if batch_first else padded), lengths


def _pad_rows(rows: Tensor, count: int, value: float) -> Tensor:
    """``rows`` (n, *) followed by count − n rows of ``value``."""
    missing = count - rows.shape[0]
    if not missing:
        return rows
    fill = Tensor(rows.xp.full((missing,) + tuple(rows.shape[1:]), value, dtype=rows.dtype))
    return cat([rows, fill], dim=0)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack tensors (Lᵦ, *) of different lengths into (T, B, *) (or (B, T, *) with
    ``batch_first``), T = max Lᵦ, each padded with ``padding_value`` after its end (or before its
    start with ``padding_side='left'``)."""
    sequences = list(sequences)
    if not sequences:
        raise OpError("pad_sequence: received an empty list of sequences")
    if padding_side not in ("right", "left"):
        raise OpError(f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}")
    trailing = tuple(sequences[0].shape[1:])
    for sequence in sequences:
        if tuple(sequence.shape[1:]) != trailing:
            raise OpError(f"pad_sequence: every sequence must have the trailing shape {trailing}, got "
                          f"{tuple(sequence.shape)}")
    longest = max(sequence.shape[0] for sequence in sequences)
    padded = []
    for sequence in sequences:
        if padding_side == "right":
            padded.append(_pad_rows(sequence, longest, padding_value))
        else:
            padded.append(_pad_rows(sequence.flip((0,)), longest, padding_value).flip((0,)))
    return stack(padded, dim=0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of tensors (Lᵦ, *): :func:`pad_sequence` then :func:`pack_padded_sequence`."""
    sequences = list(sequences)
    return pack_padded_sequence(pad_sequence(sequences), [s.shape[0] for s in sequences],
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list[Tensor]:
    """The list of tensors :func:`pad_sequence` stacked: sequence b cut to ``lengths[b]``."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    values = _lengths(lengths, padded_sequences.shape[0])
    return [padded_sequences[b, :n] for b, n in enumerate(values)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of tensors :func:`pack_sequence` packed, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation of 0 … n−1: inverse[permutation[i]] = i (None stays None) —
    how ``unsorted_indices`` follow from ``sorted_indices``."""
    if permutation is None:
        return None
    inverse = permutation.xp.empty_like(permutation._data)
    inverse[permutation._data] = permutation.xp.arange(permutation.numel(), dtype=permutation.dtype)
    return Tensor(inverse)
