"""DataLoader: batches from any indexable dataset, shuffled reproducibly."""

from __future__ import annotations

import math

import numpy as np

from ..creation import tensor


class TensorDataset:
    """Items are tuples ``(a[i], b[i], ...)`` of equally long arrays or Tensors."""

    def __init__(self, *arrays):
        lengths = {len(a) for a in arrays}
        if len(lengths) != 1:
            raise ValueError(f"TensorDataset: arrays differ in length: {[len(a) for a in arrays]}")
        self.arrays = [a.numpy() if hasattr(a, "numpy") else np.asarray(a) for a in arrays]

    def __len__(self) -> int:
        return len(self.arrays[0])

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)


class DataLoader:
    """Iterate over a dataset in batches of Tensors (PyTorch's ``DataLoader``, single process).

    Each item of the dataset is an array or a tuple of arrays; a batch stacks them along a new
    first axis. With ``shuffle=True`` the order is a fresh permutation each epoch drawn from a
    generator seeded by ``seed`` (zengrad addition), so runs repeat exactly.
    """

    def __init__(self, dataset, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 seed: int | None = 0, device=None):
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.device = device
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _batch_items(self, indices):
        if hasattr(self.dataset, "arrays"):  # fast path: slice the arrays once per batch
            return tuple(a[indices] for a in self.dataset.arrays)
        if hasattr(self.dataset, "images"):
            if self.dataset.labels is None:
                return self.dataset.images[indices]
            return self.dataset.images[indices], self.dataset.labels[indices]
        items = [self.dataset[int(i)] for i in indices]
        if isinstance(items[0], tuple):
            return tuple(np.stack([np.asarray(item[k]) for item in items]) for k in range(len(items[0])))
        return np.stack([np.asarray(item) for item in items])

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
