"""Devices: which array library holds a tensor's data.

zengrad runs the same code on two array libraries: NumPy for ``device="cpu"`` and CuPy for
``device="cuda"``. This module is the only place that imports CuPy; everything else asks
:func:`array_module` for the module that matches a device or an array.
"""

from __future__ import annotations

import functools

import numpy as np

DEVICES = ("cpu", "cuda")


class device(str):
    """A device as PyTorch names it — ``device("cpu")``, ``device("cuda")``, ``device("cuda", 0)``,
    ``device("cuda:0")`` — with its ``type`` and ``index``. It *is* the string of its type ("cpu" or
    "cuda"), so it compares, hashes and formats as the plain device strings zengrad uses everywhere;
    ``Tensor.device`` returns one."""

    def __new__(cls, type, index: int | None = None):
        name = str(type)
        kind, colon, number = name.partition(":")
        if colon:
            if index is not None or not number.isdigit():
                raise RuntimeError(f"Invalid device string: {name!r}")
            index = int(number)
        if kind not in DEVICES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICES)} device type at start of device string: {name}")
        if index is not None and (not isinstance(index, int) or index < 0):
            raise RuntimeError(f"Device index must not be negative, got {index!r}")
        made = super().__new__(cls, kind)
        made.index = index if kind == "cuda" else None
        return made

    @property
    def type(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"device(type={self.type!r}" + ("" if self.index is None else f", index={self.index}") + ")"

    def __getnewargs__(self):
        return (self.type, self.index)


#: the two device objects ``Tensor.device`` hands out
DEVICE_OBJECTS = {name: device(name) for name in DEVICES}

#: the dtype of new floating tensors and of results promoted from integers (PyTorch's default)
DEFAULT_DTYPE = np.dtype(np.float32)


def set_default_dtype(dtype) -> None:
    """The floating-point dtype of tensors made from Python floats and of ``zeros``, ``randn`` …
    without a dtype: float32 (the default) or float64, as ``torch.set_default_dtype``."""
    global DEFAULT_DTYPE
    dtype = np.dtype(dtype)
    if dtype not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 are supported, got {dtype}")
    DEFAULT_DTYPE = dtype


def get_default_dtype() -> np.dtype:
    """The dtype :func:`set_default_dtype` set (float32 unless changed)."""
    return DEFAULT_DTYPE


# ---- floating-point errors ------------------------------------------------------------------
# 1/0 = inf, 0/0 = NaN, inf − inf = NaN, log 0 = −inf, e¹⁰⁰⁰ = inf come quietly in PyTorch; NumPy
# prints a RuntimeWarning for each. Every op's forward (``Function.apply``) and every backward pass
# (``autograd.run_backward``) runs between ``quiet_floats()`` and ``restore_floats(token)``, so
# none escapes to the user and the user's own NumPy settings are left as they were. NumPy ≥ 2
# keeps its error settings in a context variable: setting it to a prepared "ignore all" object
# costs about 0.15 µs, entering ``np.errstate(all="ignore")`` about 1.6 µs (it builds the object
# each time; measured on the 2-vCPU Zen 4 machine, NumPy 2.4, 2026-12-03) — a share of every op.
try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")

    def quiet_floats():
        """Ignore floating-point errors until :func:`restore_floats` (returns its token; None when they
        are ignored already, as for every op a backward pass runs)."""
        if _extobj_contextvar.get() is _IGNORE_ALL:
            return None
        return _extobj_contextvar.set(_IGNORE_ALL)

    def restore_floats(token) -> None:
        if token is not None:
            _extobj_contextvar.reset(token)
except ImportError:  # another NumPy: the public, slower way
    def quiet_floats():
        """Ignore floating-point errors until :func:`restore_floats` (returns its token)."""
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore_floats(token) -> None:
        token.__exit__(None, None, None)


DEFAULT_DEVICE = "cpu"


def set_default_device(device) -> None:
    """The device of tensors made without a ``device`` (factories, ``tensor`` of Python numbers),
    as ``torch.set_default_device``; None means the CPU."""
    global DEFAULT_DEVICE
    DEFAULT_DEVICE = "cpu" if device is None else normalize_device(device)


def get_default_device() -> device:
    """The device :func:`set_default_device` set (the CPU unless changed)."""
    return DEVICE_OBJECTS[DEFAULT_DEVICE]


def normalize_device(device) -> str:
    """Map ``"cpu"``, ``"cuda"``, ``"cuda:0"`` or ``None`` (the default device, see
    :func:`set_default_device`) to ``"cpu"`` or ``"cuda"``."""
    if device is None:
        return DEFAULT_DEVICE
    name = str(device)
    if name == "cuda:0":
        name = "cuda"
    if name not in DEVICES:
        raise ValueError(f"unknown device {device!r}: expected 'cpu' or 'cuda'")
    if name == "cuda" and not cuda_is_available():
        raise RuntimeError(f"device 'cuda' requested but CUDA is unavailable: {cuda_unavailable_reason()}")
    return name


@functools.lru_cache(maxsize=None)
def _cupy_or_reason():
    """(cupy module, "") when CuPy imports and sees a device, else (None, why not)."""
    try:
        import cupy
    except ImportError as error:
        return None, f"CuPy is not installed ({error}); install zengrad[cuda]"
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError subclasses
        return None, f"CuPy found no usable GPU: {error}"
    if count == 0:
        return None, "CuPy sees no CUDA device"
    return cupy, ""


def cuda_is_available() -> bool:
    """True when CuPy is installed and a CUDA device is visible."""
    return _cupy_or_reason()[0] is not None


def cuda_unavailable_reason() -> str:
    """Why ``device="cuda"`` cannot be used here ("" when it can)."""
    return _cupy_or_reason()[1]


def cupy():
    """The CuPy module; raises RuntimeError with the reason when CUDA is unavailable."""
    module, reason = _cupy_or_reason()
    if module is None:
        raise RuntimeError(f"CUDA is unavailable: {reason}")
    return module


def array_module(device: str):
    """numpy for "cpu", cupy for "cuda"."""
    return np if device == "cpu" else cupy()


def device_of(array) -> str:
    """The device an array lives on: "cpu" for NumPy arrays, "cuda" for CuPy arrays."""
    if type(array) is np.ndarray or isinstance(array, (np.ndarray, np.generic, int, float, bool)):
        return "cpu"
    return "cuda"


def to_device(array, device: str):
    """Copy ``array`` to ``device`` (no copy when it is already there)."""
    if device_of(array) == device:
        return array
    if device == "cpu":
        return array.get()
    return cupy().asarray(array)


def zeros_for_accumulation(xp, shape, dtype):
    """Zeros that are about to be added into in place (``+=``, ``add.at``), written up front.

    NumPy's ``zeros`` asks the OS for untouched pages, which all map one shared zero page: the
    first ``+=`` on each page then reads it (a fault), and writes it (a second fault, and a copy).
    Writing the zeros first costs one sequential pass instead: for a loss gradient scattered into a
    (2048, 100) array, tens of times less than the faults.
    """
    if xp is not np:
        return xp.zeros(shape, dtype=dtype)
    out = np.empty(shape, dtype=dtype)
    out.fill(0)
    return out


def data_address(array) -> int:
    """The memory address of ``array``'s first element (NumPy or CuPy)."""
    return array.__array_interface__["data"][0] if isinstance(array, np.ndarray) else array.data.ptr


def storage_of(array):
    """The 1-d array of ``array``'s dtype over all the memory ``array`` views (PyTorch's storage):
    the array that owns the memory, read flat from its first byte."""
    root = array
    while True:
        above = getattr(root, "base", None)
        if not isinstance(above, type(array)):  # as_strided's views hang from a holder of the array
            above = getattr(above, "base", None)
        if not isinstance(above, type(array)):
            break
        root = above
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        return None
    return root.reshape(-1, order="A").view(np.uint8)[:root.nbytes - root.nbytes % array.itemsize].view(array.dtype)


def element_addresses(array):
    """The memory address of every element of ``array`` (an int64 array of its shape): where its
    data starts plus Σ index·stride — which tells which elements of one array another views."""
    xp = np if isinstance(array, np.ndarray) else cupy()
    addresses = xp.asarray(data_address(array), dtype=xp.int64)
    for size, stride in zip(array.shape, array.strides):
        addresses = addresses[..., None] + xp.arange(size, dtype=xp.int64) * stride
    return addresses
