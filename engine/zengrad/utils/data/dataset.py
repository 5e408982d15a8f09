"""Datasets, as ``torch.utils.data.dataset``: Dataset, IterableDataset, TensorDataset, Subset,
ConcatDataset, ChainDataset, random_split; and the embedded ``digits()``.

A map-style dataset is anything with ``len(ds)`` and ``ds[i]`` (an item: an array, a Tensor, a
number, or a tuple or dict of them); an iterable dataset is anything with ``iter(ds)``.
"""

from __future__ import annotations

import bisect
import math
import numbers

import numpy as np

from ...creation import drawing_from
from ...tensor import Tensor

__all__ = ["ChainDataset", "ConcatDataset", "Dataset", "IterableDataset", "StackDataset", "Subset", "TensorDataset", "digits",
           "random_split"]


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")

    def __add__(self, other) -> "ConcatDataset":
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of datasets read as a stream: subclasses define ``__iter__`` (and may define
    ``__len__``). The DataLoader groups the items it yields into batches, in order."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__()")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, it cannot be indexed")

    def __add__(self, other) -> "ChainDataset":
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """The items of several iterable datasets, one dataset after the other."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        for i, dataset in enumerate(self.datasets):
            if not isinstance(dataset, IterableDataset):
                raise TypeError(f"ChainDataset: dataset {i} is a {type(dataset).__name__}, not an IterableDataset")

    def __iter__(self):
        for dataset in self.datasets:
            yield from dataset

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self.datasets)


class ConcatDataset(Dataset):
    """Several map-style datasets end to end: index i falls in the first dataset whose cumulative
    size exceeds i (``cumulative_sizes``), at i minus the sizes before it; negative indices count
    from the end."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for i, dataset in enumerate(self.datasets):
            if isinstance(dataset, IterableDataset):
                raise TypeError(f"ConcatDataset: dataset {i} is an IterableDataset, which cannot be indexed "
                                "(use ChainDataset)")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if not isinstance(index, numbers.Integral):
            raise TypeError(f"ConcatDataset: index must be an int, got {type(index).__name__}")
        if index < 0:
            if -index > len(self):
                raise ValueError(f"ConcatDataset: absolute value of index {index} exceeds the length {len(self)}")
            index += len(self)
        if index >= len(self):
            raise IndexError(f"ConcatDataset: index {index} is out of range for length {len(self)}")
        which = bisect.bisect_right(self.cumulative_sizes, index)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][int(index - start)]


class StackDataset(Dataset):
    """Several map-style datasets of one length side by side: item i is the tuple of their items i
    (given positionally), or the dict of them (given by keyword)."""

    def __init__(self, *args, **kwargs):
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                             "input/output, but both types are given.")
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        datasets = args or tuple(kwargs.values())
        lengths = {len(d) for d in datasets}
        if len(lengths) != 1:
            raise ValueError("Size mismatch between datasets")
        self._length = lengths.pop()
        self.datasets = args if args else kwargs

    def __getitem__(self, index):
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __len__(self) -> int:
        return self._length


def _host_array(value) -> np.ndarray:
    if isinstance(value, Tensor):
        data = value._data
        return data.get() if hasattr(data, "get") else data
    return np.asarray(value)


class TensorDataset(Dataset):
    """Items are tuples ``(a[i], b[i], ...)`` of equally long Tensors or arrays; ``ds[i]`` gives
    Tensors, as in PyTorch. ``arrays`` keeps the data as NumPy arrays (what the loader slices)."""

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        lengths = [len(t) for t in tensors]
        if len(set(lengths)) != 1:
            raise ValueError(f"TensorDataset: tensors differ in length (size of dim 0): {lengths}")
        self.arrays = [_host_array(t) for t in tensors]

    @property
    def tensors(self) -> tuple:
        return tuple(Tensor(a) for a in self.arrays)

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(Tensor(np.asarray(a[index])) for a in self.arrays)


class Subset(Dataset):
    """The items of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index):
        if isinstance(index, (list, np.ndarray)):
            return Subset(self.dataset, self.indices[np.asarray(index)])
        return self.dataset[int(self.indices[index])]


def random_split(dataset, lengths, generator=None) -> list:
    """Split into non-overlapping random Subsets of the given ``lengths``: counts that add up to
    len(dataset), or fractions that add up to 1 (the remainder of flooring is dealt one by one
    to the first subsets, as in PyTorch). ``generator``: an int seed, a zengrad.Generator or a NumPy
    Generator; by default zengrad's global generator (so ``manual_seed`` repeats the split)."""
    n = len(dataset)
    lengths = list(lengths)
    if lengths and all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0):
        if any(x < 0 for x in lengths):
            raise ValueError(f"random_split: fractions must be non-negative, got {lengths}")
        counts = [int(math.floor(n * f)) for f in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(not isinstance(x, numbers.Integral) or x < 0 for x in lengths) or sum(lengths) != n:
        raise ValueError(f"random_split: lengths {lengths} must be non-negative ints adding up to the "
                         f"dataset's length {n}, or fractions adding up to 1")
    order = _rng(generator).permutation(n)
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length]))
        start += length
    return subsets


def _rng(seed_or_generator):
    """The NumPy generator to draw from: the global one for None, a new one seeded by an int, or
    a zengrad or NumPy Generator's own."""
    if isinstance(seed_or_generator, numbers.Integral):
        return np.random.default_rng(int(seed_or_generator))
    return drawing_from(seed_or_generator, "cpu")


def digits():
    """The 1,797 embedded UCI digits (see :func:`zengrad.data.digits`): a dataset of
    (8×8 image, label) items that also unpacks as ``X, y = digits()`` into two Tensors."""
    from ...data.digits import digits as load
    return load()
