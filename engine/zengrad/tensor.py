"""The Tensor: a NumPy or CuPy array plus what autograd needs (``requires_grad``, ``grad``, ``grad_fn``).

Operations are defined in :mod:`zengrad.ops`; the methods here only forward to them, so each
op's math lives in one place. The raw NumPy/CuPy array is ``tensor._data`` (what ops compute on);
``tensor.data`` is, as in PyTorch, a Tensor outside the graph that shares that memory.

Every tensor has a version counter, as in PyTorch: ``tensor._version`` counts the in-place changes
made to its values. Autograd records the versions of the tensors an op saved for its backward
and refuses to run that backward if one has changed since (see :mod:`zengrad.autograd`). Views
made by ops (reshape, permute, indexing, ``detach``) share the counter of the tensor they look
into. Code that writes into ``tensor._data`` in place calls
:func:`zengrad.autograd.increment_version` (the optimizers, ``load_state_dict`` and the in-place
ops do); assigning to ``tensor.data`` counts as a change by itself.

A view made by an op also keeps the tensor it views, as PyTorch's ``tensor._base``: an in-place op
on the view then rewrites the base's history too (:mod:`zengrad.ops.inplace`).
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .errors import OpError
from . import backend
from .placement import PlacementShortcuts, to_arguments


class VersionCounter:
    """The number of in-place changes to one block of memory, shared by the tensors that view it."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0


#: PyTorch's tensor-type names (FloatTensor, …) by dtype, for Tensor.type
_TYPE_NAMES = {np.dtype(np.float32): "Float", np.dtype(np.float64): "Double", np.dtype(np.float16): "Half",
               np.dtype(np.int64): "Long", np.dtype(np.int32): "Int", np.dtype(np.int16): "Short",
               np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte", np.dtype(np.bool_): "Bool"}


class Size(tuple):
    """A shape, as ``torch.Size``: a tuple of ints (a tensor's ``shape`` equals it) with ``numel``."""

    def numel(self) -> int:
        return math.prod(self)

    def __repr__(self) -> str:
        return f"zengrad.Size({list(self)})"


def _legacy_array(data, sizes: tuple, dtype=None):
    """The array of PyTorch's ``torch.Tensor(...)`` / ``FloatTensor(...)`` forms: sizes (``Tensor(2,
    3)`` or a ``Size``: zeros, where PyTorch leaves memory uninitialised), values (``Tensor([1, 2])``, in the
    default float dtype), another tensor (its data, shared), or nothing (an empty tensor)."""
    dtype = backend.get_default_dtype() if dtype is None else dtype
    if data is None:
        return np.zeros((0,), dtype)
    if isinstance(data, Tensor):
        return data._data if data.dtype == dtype else data._data.astype(dtype)
    if isinstance(data, numbers.Integral) and not isinstance(data, bool) or (isinstance(data, Size) and not sizes):
        shape = tuple(data) if isinstance(data, Size) else (data,) + tuple(sizes)
        if not all(isinstance(n, numbers.Integral) and n >= 0 for n in shape):
            raise TypeError(f"Tensor: sizes must be non-negative ints, got {shape}")
        return np.zeros(shape, dtype)
    if sizes:
        raise TypeError(f"Tensor: expected sizes (ints) or one sequence of values, got {len(sizes) + 1} "
                        "arguments (requires_grad= is a keyword)")
    return np.asarray(data, dtype=dtype)


_NOT_A_LEAF = ("you can only change requires_grad flags of leaf variables. If you want to use a computed "
               "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")


def _refresh_view(view: "Tensor") -> None:
    """:func:`zengrad.autograd.refresh_if_stale`, imported when first needed (autograd imports this module)."""
    from .autograd import refresh_if_stale
    refresh_if_stale(view)


class Tensor(PlacementShortcuts):
    """An n-dimensional array that can record the operations applied to it.

    Attributes:
        data: the backend array (``numpy.ndarray`` on "cpu", ``cupy.ndarray`` on "cuda").
        requires_grad: whether gradients flow to this tensor.
        grad: the accumulated gradient (a Tensor) after ``backward``; None before.
        grad_fn: the :class:`zengrad.autograd.Function` that produced this tensor, None for leaves.
    """

    __slots__ = ("_data", "_version_counter", "_requires_grad", "_grad", "_grad_fn", "_hooks", "_retains_grad",
                 "_base", "_view_version", "__weakref__")
    __array_ufunc__ = None  # numpy scalars/arrays defer to Tensor's operators (x * np.float32(2))

    def __init__(self, data=None, *sizes, requires_grad: bool = False):
        self._version_counter = VersionCounter()
        if isinstance(data, np.generic):
            data = np.asarray(data)
        elif type(data) is not np.ndarray and not hasattr(data, "__cuda_array_interface__") or sizes:
            data = _legacy_array(data, sizes)  # torch.Tensor([1, 2]), torch.Tensor(2, 3)
        self._data = data
        self._base = None  # for a view (reshape, permute, indexing, …): the tensor whose memory it views
        self._grad = None
        self._grad_fn = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # ---- data and its version -----------------------------------------------------------------
    @property
    def data(self) -> "Tensor":
        """The same values as a tensor outside the graph, sharing this tensor's memory, as PyTorch's
        ``.data``: ``p.data.mul_(0.9)`` or ``m.weight.data.normal_(0, 0.02)`` change ``p`` without
        being recorded. As in PyTorch, changes made through it are not counted in ``p``'s version,
        so autograd cannot notice them: ``detach()`` or ``with no_grad():`` are the safe spellings.
        (The raw NumPy/CuPy array is ``tensor._data``; ``numpy()`` gives it on the CPU.)"""
        return Tensor(self._data)

    @data.setter
    def data(self, value) -> None:
        """``t.data = other``: t now holds other's values (a tensor or an array; shared, not copied)."""
        array = value._data if isinstance(value, Tensor) else value
        self._data = np.asarray(array) if isinstance(array, np.generic) else array
        self._version_counter.value += 1

    # ---- its place in the graph ------------------------------------------------------------------
    # The slots ``_requires_grad`` and ``_grad_fn`` are what the engine reads and writes; the public
    # names are read-only views of them, except that a view whose base was changed in place since its
    # node was recorded (through the base, or through another view of it) first takes its place in
    # the base's new history, as PyTorch regenerates a view's ``grad_fn`` when it is read.
    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (a leaf marked so, or the result of an op on one)."""
        if self._base is not None and self._view_version != self._version_counter.value:
            _refresh_view(self)
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        """``t.requires_grad = flag``: leaves only, as in PyTorch (``requires_grad_`` says more)."""
        if self.grad_fn is not None:
            raise RuntimeError(_NOT_A_LEAF)
        self.requires_grad_(value)

    @property
    def grad_fn(self):
        """The node that made this tensor (:class:`zengrad.autograd.Function`); None for a leaf."""
        if self._base is not None and self._view_version != self._version_counter.value:
            _refresh_view(self)
        return self._grad_fn

    @property
    def grad(self):
        """The gradient accumulated by ``backward`` (None before). A non-leaf tensor keeps none unless
        ``retain_grad()`` was called: reading it then warns, as PyTorch does, since it stays None."""
        grad = self._grad
        if grad is None and self.grad_fn is not None and not getattr(self, "_retains_grad", False):
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
                          "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
                          "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                          UserWarning, stacklevel=2)
        return grad

    @grad.setter
    def grad(self, value) -> None:
        """``t.grad = g``: a tensor of t's shape, or None (PyTorch refuses anything else)."""
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                                   f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                                   "tensor are the same size")
        self._grad = value

    @property
    def _version(self) -> int:
        """How many times this tensor (or a view sharing its memory) was changed in place."""
        return self._version_counter.value

    # ---- metadata -------------------------------------------------------------------------
    # Read for every op on the hot paths, so each goes straight to the array (NumPy's and CuPy's
    # ``shape`` are already tuples) and settles the common NumPy case without a call.
    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def device(self) -> backend.device:
        """Where the data lives: ``device("cpu")`` or ``device("cuda")`` (equal to those strings)."""
        return backend.DEVICE_OBJECTS["cpu" if type(self._data) is np.ndarray else backend.device_of(self._data)]

    @property
    def xp(self):
        """The array module of this tensor's device (numpy or cupy)."""
        return np if type(self._data) is np.ndarray else backend.array_module(self.device)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def dim(self) -> int:
        return self._data.ndim

    def size(self, dim: int | None = None):
        """The shape as a :class:`Size` (``size(dim)``: one of its sizes)."""
        return Size(self._data.shape) if dim is None else self.shape[dim]

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        """The number of elements (PyTorch's older name for :meth:`numel`)."""
        return self.numel()

    def ndimension(self) -> int:
        """The number of dimensions (PyTorch's older name for :meth:`dim`)."""
        return self.dim()

    @property
    def is_cuda(self) -> bool:
        return self.device == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device == "cpu"

    # Kinds of tensor PyTorch has and zengrad does not (sparse, quantized, nested, meta, …): a
    # zengrad tensor is always a dense ("strided") array of real numbers.
    is_sparse = is_sparse_csr = is_quantized = is_nested = is_meta = is_mkldnn = False
    layout = "strided"
    name = None  # PyTorch's named-tensor name of a dimension list; zengrad has no named tensors
    output_nr = 0  # which output of its node a tensor is: zengrad's nodes have one

    @property
    def real(self) -> "Tensor":
        """The real part: the tensor itself (zengrad has no complex dtypes)."""
        return self

    @property
    def imag(self) -> "Tensor":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    def element_size(self) -> int:
        """Bytes per element."""
        return self.dtype.itemsize

    itemsize = property(element_size)

    @property
    def nbytes(self) -> int:
        """Bytes of the elements (numel × element size)."""
        return self.numel() * self.dtype.itemsize

    def stride(self, dim: int | None = None):
        """Steps in elements between neighbours along each dim (PyTorch counts elements, NumPy bytes).
        A new empty tensor has no memory to step through (NumPy says 0 for every dim): it reports the
        row-major steps of its shape, as in PyTorch."""
        if self._data.size or any(self._data.strides):
            steps = tuple(step // self.dtype.itemsize for step in self._data.strides)
        else:
            steps, step = [], 1
            for n in reversed(self.shape):
                steps.insert(0, step)
                step *= max(n, 1)
            steps = tuple(steps)
        if dim is None:
            return steps
        if not -max(self.ndim, 1) <= dim < max(self.ndim, 1) or self.ndim == 0:
            raise IndexError(f"stride: dimension {dim} out of range for a tensor with {self.ndim} dimensions")
        return steps[dim]

    def data_ptr(self) -> int:
        """The address of the first element (views of one tensor differ by their offset in bytes;
        0 for a tensor with no elements, as PyTorch)."""
        return backend.data_address(self._data) if self._data.size else 0

    def storage_offset(self) -> int:
        """Elements between the start of the memory this tensor views and its first element."""
        storage = backend.storage_of(self._data)
        if storage is None:
            return 0
        return (backend.data_address(self._data) - backend.data_address(storage)) // self.dtype.itemsize

    def get_device(self) -> int:
        """The GPU's index for a tensor on one, −1 for a CPU tensor."""
        return -1 if self.device.type == "cpu" else (self.device.index or 0)

    def is_contiguous(self, memory_format=None) -> bool:
        """Whether the elements lie in memory in row-major order without gaps (or in the order of
        ``memory_format``: ``zengrad.channels_last``, … — see ops/memory_format.py)."""
        if memory_format is None:
            return bool(self._data.flags.c_contiguous)
        from .ops.memory_format import is_laid_out
        return is_laid_out(self, memory_format)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ---- autograd ---------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Mark a leaf as wanting gradients (floating-point dtypes only)."""
        if requires_grad and self.dtype.kind != "f":
            raise RuntimeError(f"only Tensors of floating point dtype can require gradients (got {self.dtype})")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(_NOT_A_LEAF)
        self._requires_grad = requires_grad
        return self

    def backward(self, gradient=None, retain_graph: bool = False, create_graph: bool = False, inputs=None) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on (of the
        tensors in ``inputs`` only, when given).

        ``gradient`` is d(loss)/d(self); it may be omitted for a single-element tensor. The graph's
        saved arrays are freed afterwards unless ``retain_graph`` (implied by ``create_graph``).
        """
        from .autograd import backward
        backward(self, None if gradient is None else [gradient], retain_graph=retain_graph, create_graph=create_graph,
                 inputs=inputs)

    def detach(self) -> "Tensor":
        """The same data, cut from the graph (shares memory and the version counter, requires no grad)."""
        out = Tensor(self._data)
        out._version_counter = self._version_counter
        return out

    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient whenever backward computes it; a hook
        that returns a tensor replaces the gradient from there on (for the leaves' ``.grad`` and
        for everything upstream). Returns a handle whose ``remove()`` takes the hook out."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd import gradient_hooks
        from .hooks import RemovableHandle
        return RemovableHandle(gradient_hooks(self, create=True), hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after backward has added this leaf's gradient into ``.grad`` (e.g.
        to take an optimizer step per parameter during backward). Returns a removable handle."""
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        from .autograd import post_accumulate_hooks_of
        from .hooks import RemovableHandle
        return RemovableHandle(post_accumulate_hooks_of(self), hook)

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` after backward (leaves keep theirs anyway)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = self
            self._retains_grad = True

    @property
    def retains_grad(self) -> bool:
        """Whether ``retain_grad()`` was called on this non-leaf tensor."""
        return self.grad_fn is not None and getattr(self, "_retains_grad", False)

    def detach_(self) -> "Tensor":
        """Cut this tensor itself from the graph: it becomes a leaf that requires no gradient. Refused
        for a view, as in PyTorch (its base's history would still reach it): use ``detach()``."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ---- conversion -------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The data as a NumPy array (shares memory on CPU). Call ``detach()`` first if it needs grad;
        ``force=True`` returns a copy whatever the tensor (on the CPU, cut from the graph)."""
        if force:
            return backend.to_device(self._data, "cpu").copy()
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if self.device != "cpu":
            raise TypeError("can't convert cuda tensor to numpy. Use Tensor.cpu() first.")
        return self._data

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.numel() != 1:
            raise OpError(f"item: a Tensor with {self.numel()} elements cannot be converted to a scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return backend.to_device(self._data, "cpu").tolist()

    def to(self, *args, dtype=None, device=None, non_blocking: bool = False, copy: bool = False,
           memory_format=None) -> "Tensor":
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(other)`` (other's device and
        dtype), and ``memory_format=`` a layout (ops/memory_format.py); differentiable. Returns
        ``self`` when nothing changes, unless ``copy``. ``non_blocking`` is accepted for PyTorch's
        sake: every copy here completes before returning."""
        device, dtype = to_arguments(args, dtype, device)
        from .ops.elementwise import convert
        converted = convert(self, dtype=dtype, device=device)
        if memory_format is not None:
            from .ops.memory_format import laid_out
            converted = laid_out(converted, memory_format)
        return converted.clone() if copy and converted is self else converted

    def type(self, dtype=None):
        """Without ``dtype``, the tensor type's name as PyTorch spells it ('zengrad.FloatTensor'); with
        one (a dtype, or a name such as 'torch.DoubleTensor'), ``self.to(dtype)``."""
        if dtype is None:
            return f"zengrad.{_TYPE_NAMES.get(self.dtype, str(self.dtype))}Tensor"
        if isinstance(dtype, str):
            by_name = {f"{name}Tensor": kind for kind, name in _TYPE_NAMES.items()}
            short = dtype.rsplit(".", 1)[-1]
            if short not in by_name:
                raise TypeError(f"type: unknown tensor type {dtype!r} (expected one of {sorted(by_name)})")
            dtype = by_name[short]
        return self.to(dtype)

    def long(self) -> "Tensor":
        return self.to(np.int64)

    def byte(self) -> "Tensor":
        return self.to(np.uint8)

    def half(self) -> "Tensor":
        return self.to(np.float16)

    def short(self) -> "Tensor":
        return self.to(np.int16)

    def char(self) -> "Tensor":
        return self.to(np.int8)

    def int(self) -> "Tensor":
        return self.to(np.int32)

    def bool(self) -> "Tensor":
        return self.to(np.bool_)

    def __bool__(self) -> bool:
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with {self.numel()} elements is ambiguous")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __contains__(self, element) -> bool:
        """``element in t``: whether any element of ``t`` equals ``element`` (a number, or a tensor
        compared elementwise after broadcasting), as PyTorch's."""
        if not isinstance(element, (Tensor, numbers.Number)):
            raise OpError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}")
        return bool((self == element).any())

    def __index__(self) -> int:
        """A one-element integer tensor used as an index (``items[t]``, ``range(t)``)."""
        if self.numel() != 1 or self.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``); others as ``str``."""
        return self.item().__format__(spec) if self.ndim == 0 else object.__format__(self, spec)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        """``np.asarray(t)``: the data as :meth:`numpy` gives it (refused where ``numpy`` refuses)."""
        array = self.numpy()
        if dtype is not None:
            array = array.astype(dtype, copy=False)
        return array.copy() if copy else array

    def __repr__(self) -> str:
        from .printing import tensor_repr
        return tensor_repr(self)

    def __hash__(self) -> int:
        return id(self)
