"""DataLoader, as ``torch.utils.data.DataLoader`` (single process): batches from a dataset.

The order of indices comes from a sampler (SequentialSampler, or RandomSampler with
``shuffle=True``, or the one given), grouped by a BatchSampler (or the ``batch_sampler`` given);
each list of indices becomes a batch through ``collate_fn`` (default_collate). Datasets that hold
whole arrays (TensorDataset, the image datasets, Subsets of them) are sliced once per batch
instead of item by item when the default collation is used. An IterableDataset is read in order
and its items grouped into batches.
"""

from __future__ import annotations

import numbers

import numpy as np

from ...creation import tensor
from ...tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, _rng
from .sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader"]


def _slice_batch(dataset, indices):
    """The batch at ``indices`` as a tuple of arrays (one array for unlabelled images), sliced from
    whole arrays when the dataset holds them (through any Subsets); None for datasets that only
    give items one by one."""
    indices = np.asarray(indices, dtype=np.int64)
    while isinstance(dataset, Subset):
        dataset, indices = dataset.dataset, dataset.indices[indices]
    if hasattr(dataset, "arrays"):
        return tuple(a[indices] for a in dataset.arrays)
    if hasattr(dataset, "images") and hasattr(dataset, "labels"):
        if dataset.labels is None:  # an unlabelled image folder: batches of images alone
            return dataset.images[indices]
        return dataset.images[indices], dataset.labels[indices]
    return None


def _to_device(batch, device):
    """Every Tensor in ``batch`` (through tuples, lists and dicts) on ``device``."""
    if isinstance(batch, Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {key: _to_device(value, device) for key, value in batch.items()}
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):
        return type(batch)(*(_to_device(b, device) for b in batch))
    if isinstance(batch, (tuple, list)):
        return type(batch)(_to_device(b, device) for b in batch)
    return batch


class DataLoader:
    """Iterate over a dataset in batches of Tensors (PyTorch's ``DataLoader``, single process).

    ``batch_size``, ``shuffle``, ``drop_last``, ``sampler`` (indices), ``batch_sampler`` (lists of
    indices; excludes batch_size, shuffle, sampler and drop_last) and ``collate_fn`` (a list of
    items → a batch; default :func:`default_collate`) work as in PyTorch; ``batch_size=None``
    gives items one by one (through :func:`default_convert`). With ``shuffle=True`` the order is
    a fresh permutation each epoch drawn from a generator seeded by ``seed`` (zengrad addition;
    ``generator`` — an int, a zengrad.Generator or a NumPy Generator — takes precedence), so runs
    repeat exactly; it is ``self.rng``, which trainers save to resume. ``device`` puts batches on that device.
    Batches are always loaded in the calling process: ``num_workers`` is kept but changes nothing
    (PyTorch's workers give the same batches in the same order), nor does ``pin_memory``.
    """

    def __init__(self, dataset, batch_size: int | None = 1, shuffle: bool | None = None, sampler=None,
                 batch_sampler=None, num_workers: int = 0, collate_fn=None, pin_memory: bool = False,
                 drop_last: bool = False, seed: int | None = 0, device=None, generator=None):
        if batch_size is not None and (not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool)
                                       or batch_size < 1):
            raise ValueError(f"DataLoader: batch_size must be at least 1, got {batch_size}")
        if not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers should be a non-negative int, got {num_workers!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.device = device
        self.pin_memory = pin_memory
        self.num_workers = int(num_workers)
        self.rng = _rng(generator) if generator is not None else np.random.default_rng(seed)
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"got {name}={value!r}")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            self.batch_size = None
            self.drop_last = False
        elif sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if sampler is None and not self._iterable:
            sampler = RandomSampler(dataset, generator=self.rng) if self.shuffle else SequentialSampler(dataset)
        if batch_sampler is None and self.batch_size is not None and not self._iterable:
            batch_sampler = BatchSampler(sampler, self.batch_size, bool(drop_last))
        for name, value in (("sampler", sampler), ("batch_sampler", batch_sampler)):
            if value is not None and not hasattr(value, "__iter__"):
                raise TypeError(f"DataLoader: {name} must be an iterable of indices, got {type(value).__name__}")
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self._auto_collation = batch_sampler is not None or (self._iterable and self.batch_size is not None)
        self._default_collate = collate_fn is None
        self.collate_fn = collate_fn or (default_collate if self._auto_collation else default_convert)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _collate(self, indices):
        """One batch from a list of indices: sliced whole where the data allows, else collated."""
        batch = _slice_batch(self.dataset, indices) if self._default_collate else None
        if batch is None:
            return self.collate_fn([self.dataset[i] for i in indices])
        return tuple(tensor(b) for b in batch) if isinstance(batch, tuple) else tensor(batch)

    def _batches(self):
        if self._iterable:
            if self.batch_size is None:
                yield from (self.collate_fn(item) for item in self.dataset)
                return
            items = []
            for item in self.dataset:
                items.append(item)
                if len(items) == self.batch_size:
                    yield self.collate_fn(items)
                    items = []
            if items and not self.drop_last:
                yield self.collate_fn(items)
        elif self.batch_sampler is not None:
            yield from (self._collate(list(indices)) for indices in self.batch_sampler)
        else:
            yield from (self.collate_fn(self.dataset[i]) for i in self.sampler)

    def __iter__(self):
        for batch in self._batches():
            yield batch if self.device is None else _to_device(batch, self.device)



def get_worker_info():
    """None: every batch is loaded in the calling process (PyTorch returns None there too, and a
    worker's id and count inside a worker process, which zengrad never starts)."""
    return None
