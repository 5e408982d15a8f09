"""Datasets and batching, as ``torch.utils.data``: Dataset, TensorDataset, Subset, random_split,
DataLoader; and the embedded ``digits()``.

A dataset is anything with ``len(ds)`` and ``ds[i]`` (an item: an array, a Tensor, a number, or a
tuple of them). The DataLoader stacks items into batches of Tensors; datasets that hold whole
arrays (TensorDataset, the image datasets, Subsets of them) are sliced once per batch instead of
item by item.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..creation import generator, tensor
from ..tensor import Tensor

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "digits", "random_split"]


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(index)")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__()")


def _host_array(value) -> np.ndarray:
    if isinstance(value, Tensor):
        data = value.data
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
    to the first subsets, as in PyTorch). ``generator``: an int seed or a NumPy Generator; by
    default zengrad's global generator (so ``manual_seed`` repeats the split)."""
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
    if seed_or_generator is None:
        return generator("cpu")
    if isinstance(seed_or_generator, numbers.Integral):
        return np.random.default_rng(int(seed_or_generator))
    return seed_or_generator


def _slice_batch(dataset, indices):
    """The batch at ``indices`` as a tuple of arrays (one array for unlabelled images), sliced from
    whole arrays when the dataset holds them (through any Subsets); None for datasets that only
    give items one by one."""
    while isinstance(dataset, Subset):
        dataset, indices = dataset.dataset, dataset.indices[indices]
    if hasattr(dataset, "arrays"):
        return tuple(a[indices] for a in dataset.arrays)
    if hasattr(dataset, "images") and hasattr(dataset, "labels"):
        if dataset.labels is None:  # an unlabelled image folder: batches of images alone
            return dataset.images[indices]
        return dataset.images[indices], dataset.labels[indices]
    return None


def _collate(items):
    """Stack items (arrays, Tensors, numbers, or tuples of them) along a new first axis."""
    if isinstance(items[0], (tuple, list)):
        return tuple(np.stack([_host_array(item[k]) for item in items]) for k in range(len(items[0])))
    return np.stack([_host_array(item) for item in items])


class DataLoader:
    """Iterate over a dataset in batches of Tensors (PyTorch's ``DataLoader``, single process).

    Each item of the dataset is an array, Tensor or number, or a tuple of them; a batch stacks
    them along a new first axis. With ``shuffle=True`` the order is a fresh permutation each epoch
    drawn from a generator seeded by ``seed`` (zengrad addition; ``generator`` — an int or NumPy
    Generator — takes precedence), so runs repeat exactly. ``device`` puts batches on that device.
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed: int | None = 0, device=None, generator=None):
        if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.device = device
        self.rng = _rng(generator) if generator is not None else np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _batch_items(self, indices):
        batch = _slice_batch(self.dataset, indices)
        if batch is not None:
            return batch
        return _collate([self.dataset[int(i)] for i in indices])

    def __iter__(self):
        n = len(self.dataset)
        order = self.rng.permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, n, self.batch_size):
            indices = order[start:start + self.batch_size]
            if self.drop_last and len(indices) < self.batch_size:
                return
            batch = self._batch_items(indices)
            if isinstance(batch, tuple):
                yield tuple(tensor(b, device=self.device) for b in batch)
            else:
                yield tensor(batch, device=self.device)


def digits():
    """The 1,797 embedded UCI digits (see :func:`zengrad.data.digits`): a dataset of
    (8×8 image, label) items that also unpacks as ``X, y = digits()`` into two Tensors."""
    from ..data.digits import digits as load
    return load()
