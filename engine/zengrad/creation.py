"""Making tensors: from data, filled with constants, random, ranges; and the global random seed."""

from __future__ import annotations

import numpy as np

from . import backend
from .tensor import Tensor

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
bool_ = np.dtype(np.bool_)

_DEFAULT_DTYPE = float32
_generators: dict[str, object] = {}


def manual_seed(seed: int) -> None:
    """Seed every random draw zengrad makes (CPU and, when present, CUDA)."""
    _generators["cpu"] = np.random.default_rng(seed)
    if backend.cuda_is_available():
        _generators["cuda"] = backend.cupy().random.default_rng(seed)


def generator(device: str = "cpu"):
    """The global random generator for ``device`` (seeded by :func:`manual_seed`)."""
    if device not in _generators:
        xp = backend.array_module(device)
        _generators[device] = xp.random.default_rng()
    return _generators[device]


def _infer_dtype(data, dtype):
    if dtype is not None:
        return np.dtype(dtype)
    if hasattr(data, "dtype"):  # NumPy/CuPy arrays keep their dtype, like torch.tensor
        return data.dtype
    sample = np.asarray(data)
    if sample.dtype.kind == "f" or sample.dtype == object:
        return _DEFAULT_DTYPE
    if sample.dtype.kind in "iu":
        return int64
    return sample.dtype


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (nested lists, numbers, or arrays).

    Python floats become float32 (the default dtype), Python ints int64; arrays keep their dtype.
    """
    if isinstance(data, Tensor):
        data = data.data
    device = backend.normalize_device(device if device is not None else backend.device_of(data)
                                      if hasattr(data, "dtype") else None)
    xp = backend.array_module(device)
    array = xp.array(backend.to_device(data, device) if hasattr(data, "dtype") else data,
                     dtype=_infer_dtype(data, dtype))
    return Tensor(array, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    return Tensor(array)


def _shape(size) -> tuple:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def _filled(fill, size, dtype, device, requires_grad) -> Tensor:
    device = backend.normalize_device(device)
    xp = backend.array_module(device)
    array = xp.full(_shape(size), fill, dtype=np.dtype(dtype or _DEFAULT_DTYPE))
    return Tensor(array, requires_grad=requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled(0, size, dtype, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled(1, size, dtype, device, requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _filled(fill_value, (size,) if isinstance(size, int) else tuple(size), dtype, device, requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return zeros(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return ones(t.shape, dtype=dtype or t.dtype, device=t.device, requires_grad=requires_grad)


def randn(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples from the standard normal distribution N(0, 1)."""
    device = backend.normalize_device(device)
    array = generator(device).standard_normal(_shape(size), dtype=np.dtype(dtype or _DEFAULT_DTYPE))
    return Tensor(array, requires_grad=requires_grad)


def rand(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Samples from the uniform distribution on [0, 1)."""
    device = backend.normalize_device(device)
    array = generator(device).random(_shape(size), dtype=np.dtype(dtype or _DEFAULT_DTYPE))
    return Tensor(array, requires_grad=requires_grad)


def randn_like(t: Tensor) -> Tensor:
    return randn(t.shape, dtype=t.dtype, device=t.device)


def randint(low: int, high: int, size, device=None) -> Tensor:
    """Integers drawn uniformly from [low, high)."""
    device = backend.normalize_device(device)
    return Tensor(generator(device).integers(low, high, size=tuple(size)))


def arange(start, end=None, step=1, dtype=None, device=None) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; ints give int64, floats float32."""
    if end is None:
        start, end = 0, start
    xp = backend.array_module(backend.normalize_device(device))
    if dtype is None:
        dtype = int64 if all(isinstance(v, int) for v in (start, end, step)) else _DEFAULT_DTYPE
    return Tensor(xp.arange(start, end, step, dtype=np.dtype(dtype)))


def eye(n: int, m: int | None = None, dtype=None, device=None) -> Tensor:
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor(xp.eye(n, m, dtype=np.dtype(dtype or _DEFAULT_DTYPE)))


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor to be overwritten; zengrad fills it with zeros (so nothing uninitialised is read)."""
    return _filled(0, size, dtype, device, requires_grad)


def full_like(t: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled(fill_value, t.shape, dtype or t.dtype, t.device, requires_grad)


def empty_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _filled(0, t.shape, dtype or t.dtype, t.device, requires_grad)


def rand_like(t: Tensor) -> Tensor:
    return rand(t.shape, dtype=t.dtype, device=t.device)


def randint_like(t: Tensor, low: int, high: int | None = None) -> Tensor:
    """Integers from [low, high) (or [0, low)) in t's shape and dtype."""
    low, high = (0, low) if high is None else (low, high)
    return Tensor(generator(t.device).integers(low, high, size=t.shape).astype(t.dtype))


def randperm(n: int, dtype=None, device=None) -> Tensor:
    """A random permutation of 0 … n − 1 (int64), from the global generator."""
    device = backend.normalize_device(device)
    return Tensor(generator(device).permutation(n).astype(np.dtype(dtype or int64)))


def linspace(start: float, end: float, steps: int, dtype=None, device=None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor(xp.linspace(start, end, steps).astype(np.dtype(dtype or _DEFAULT_DTYPE)))


def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype=None, device=None) -> Tensor:
    """base ** linspace(start, end, steps)."""
    xp = backend.array_module(backend.normalize_device(device))
    return Tensor((base ** xp.linspace(start, end, steps)).astype(np.dtype(dtype or _DEFAULT_DTYPE)))


def _new(fill):
    def new(self: Tensor, *size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
        return _filled(fill, size, dtype or self.dtype, device or self.device, requires_grad)
    return new


def _new_full(self: Tensor, size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def _new_tensor(self: Tensor, data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


# Tensor.new_zeros(3, 4) etc.: new tensors with this tensor's dtype and device unless told otherwise.
Tensor.new_zeros, Tensor.new_ones, Tensor.new_empty = _new(0), _new(1), _new(0)
Tensor.new_full, Tensor.new_tensor = _new_full, _new_tensor
