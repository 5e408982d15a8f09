"""Collating, as ``torch.utils.data.default_collate``: a list of items becomes one batch.

The rule follows the structure of the first item, recursively:

- Tensor or array (same shape in every item): stacked along a new first axis, dtype kept;
- Python float → a float64 Tensor, int → int64, bool → bool (NumPy scalars keep their dtype);
- str / bytes: the list as it is;
- dict (any mapping): a dict of the collated values, key by key;
- namedtuple: the same namedtuple of collated fields; tuple or list: the fields collated one by
  one ("transposed"), every item needing as many fields, into a list (a tuple too, as PyTorch).

``default_convert`` is what the loader applies to single items when ``batch_size=None``: arrays
(and NumPy scalars) become Tensors, through tuples, lists and dicts; everything else is left as it is.
"""

from __future__ import annotations

import collections.abc
import numbers

import numpy as np

from ...creation import tensor
from ...tensor import Tensor
from .dataset import _host_array

__all__ = ["default_collate", "default_convert"]


def _is_array(value) -> bool:
    return isinstance(value, (Tensor, np.ndarray, np.generic)) and not isinstance(value, (np.str_, np.bytes_))


def default_collate(batch):
    """Merge a list of items into a batch (see the module docstring for the rule)."""
    if not isinstance(batch, collections.abc.Sequence) or isinstance(batch, (str, bytes)) or not batch:
        raise TypeError(f"default_collate: expected a non-empty list of items, got {type(batch).__name__}"
                        + (" (empty)" if isinstance(batch, collections.abc.Sized) else ""))
    first = batch[0]
    if _is_array(first):
        arrays = [_host_array(item) for item in batch]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"default_collate: items to stack must have equal shapes, got {sorted(shapes)}")
        return tensor(np.stack(arrays))
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, bool):
        return tensor(np.array(batch, dtype=np.bool_))
    if isinstance(first, numbers.Integral):
        return tensor(np.array(batch, dtype=np.int64))
    if isinstance(first, numbers.Real):
        return tensor(np.array(batch, dtype=np.float64))
    if isinstance(first, collections.abc.Mapping):
        return {key: default_collate([item[key] for item in batch]) for key in first}
    if isinstance(first, collections.abc.Sequence):
        if any(len(item) != len(first) for item in batch):
            raise ValueError(f"default_collate: each item in the batch should be of equal size, got sizes "
                             f"{sorted({len(item) for item in batch})}")
        fields = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):
            return type(first)(*fields)
        return fields
    if first is None:
        raise TypeError("default_collate: batch contains None (give a collate_fn that handles it)")
    raise TypeError(f"default_collate: batch must contain Tensors, arrays, numbers, dicts or lists; "
                    f"found {type(first).__name__}")


def default_convert(data):
    """Numeric arrays and NumPy scalars to Tensors, through tuples, lists and dicts; the rest unchanged."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind in "biuf":
        return tensor(np.asarray(data))
    if isinstance(data, collections.abc.Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return type(data)(default_convert(d) for d in data)
    return data
