"""Lazy modules: layers that read their input size from their first input (PyTorch's LazyLinear,
LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d, LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d).

Until then their parameters (and running statistics) are *uninitialised*: tensors without a shape
(:class:`UninitializedParameter`, :class:`UninitializedBuffer`). The first forward call runs a
forward pre-hook that sets the size (``in_features``, ``in_channels`` or ``num_features``),
gives every uninitialised tensor its shape *in place* (the same objects, so an optimizer built
before then updates them), initialises them as the ordinary layer does, and turns the module into
that layer (a LazyLinear becomes a Linear), as PyTorch does. Loading a state_dict into a lazy
module gives its tensors the shapes of the loaded values instead (the size attribute stays 0
until the first forward, as in PyTorch).
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..tensor import Tensor
from .conv import Conv2d, Conv3d, ConvTranspose2d, ConvTranspose3d, _ConvTranspose
from .conv1d import Conv1d, ConvTranspose1d
from .linear import Linear
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .module import Module
from .parameter import Parameter


class _Uninitialized(Tensor):
    """What both uninitialised tensors share: an empty array of the right device and dtype until
    :meth:`materialize` gives them a shape and makes them the class they stand for."""

    __slots__ = ()
    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device=None, dtype=None):
        xp = backend.array_module(backend.normalize_device(device))
        Tensor.__init__(self, xp.empty((0,), dtype=np.dtype(dtype or np.float32)), requires_grad=requires_grad)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor ``shape`` (its values uninitialised: the owner initialises them) and turn it
        into a ``cls_to_become`` in place."""
        xp = backend.array_module(backend.normalize_device(device) if device is not None else self.device)
        self.data = xp.empty(tuple(shape), dtype=np.dtype(dtype or self.dtype))
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A Parameter whose shape is not known yet (a lazy module's weight before the first input)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        super().__init__(requires_grad, device, dtype)


class UninitializedBuffer(_Uninitialized):
    """A buffer whose shape is not known yet (a lazy BatchNorm's running statistics)."""

    __slots__ = ()


def _infer_parameters(module, args) -> None:
    """The forward pre-hook of every lazy module: initialise from the first input, then become the
    ordinary layer (for good: the hook removes itself)."""
    module.initialize_parameters(*args)
    module._initialize_hook.remove()
    del module._initialize_hook
    module.__class__ = module.cls_to_become


class LazyModuleMixin(Module):
    """The lazy behaviour, mixed in before the ordinary layer's class (``cls_to_become``): built with
    size 0 for the attribute named by ``inferred``, every parameter and the buffers named in
    ``lazy_buffers`` are replaced by uninitialised ones, and the first forward fills them in.
    Subclasses say how the size is read from the input (:meth:`size_from`) and each tensor's shape
    (:meth:`shape_of`). It is a Module (PyTorch's mixin is not) so that the module's class can be
    swapped for the ordinary layer's: Python allows that only between classes of one memory layout."""

    cls_to_become = None
    inferred = ""
    lazy_buffers: tuple = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, param in self._parameters.items():
            if param is not None:
                self._parameters[name] = UninitializedParameter(param.requires_grad, param.device, param.dtype)
        for name in self.lazy_buffers:
            buffer = self._buffers.get(name)
            if buffer is not None:
                self._buffers[name] = UninitializedBuffer(False, buffer.device, buffer.dtype)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """Whether a parameter or buffer still waits for its shape."""
        return any(isinstance(t, _Uninitialized) for t in (*self._parameters.values(), *self._buffers.values()))

    def reset_parameters(self) -> None:
        if getattr(self, self.inferred) and not self.has_uninitialized_params():
            super().reset_parameters()

    def initialize_parameters(self, input, *args, **kwargs) -> None:
        """Read the size from ``input``, shape every uninitialised tensor and initialise them."""
        if not self.has_uninitialized_params():
            return
        setattr(self, self.inferred, self.size_from(input))
        for name, tensor in (*self._parameters.items(), *self._buffers.items()):
            if isinstance(tensor, _Uninitialized):
                tensor.materialize(self.shape_of(name))
        self.reset_parameters()

    def materialize_from(self, state_dict, prefix: str) -> None:
        """Shape every uninitialised tensor as its value in ``state_dict`` (called by
        :meth:`Module.load_state_dict` before it copies the values in)."""
        for name, tensor in (*self._parameters.items(), *self._buffers.items()):
            if isinstance(tensor, _Uninitialized) and prefix + name in state_dict:
                tensor.materialize(tuple(np.shape(state_dict[prefix + name])))


class _LazyLinear(LazyModuleMixin):
    inferred = "in_features"

    def size_from(self, input) -> int:
        return input.shape[-1]

    def shape_of(self, name: str) -> tuple:
        return (self.out_features, self.in_features) if name == "weight" else (self.out_features,)


class LazyLinear(_LazyLinear, Linear):
    """A :class:`Linear` whose in_features is the last size of its first input."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__(0, out_features, bias, device, dtype)


class _LazyConv(LazyModuleMixin):
    """The convolutions' in_channels: dimension 1 of a batched input, 0 of an unbatched one."""

    inferred = "in_channels"

    def size_from(self, input) -> int:
        spatial = len(self.kernel_size)
        if input.ndim not in (spatial + 1, spatial + 2):
            raise RuntimeError(f"{type(self).__name__}: expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) "
                               f"input, but got input of size: {list(input.shape)}")
        return input.shape[1 if input.ndim == spatial + 2 else 0]

    def shape_of(self, name: str) -> tuple:
        if name == "bias":
            return (self.out_channels,)
        transposed = isinstance(self, (_ConvTranspose, ConvTranspose1d))
        rows, columns = (self.in_channels, self.out_channels) if transposed else (self.out_channels, self.in_channels)
        return (rows, columns // self.groups) + tuple(self.kernel_size)


class _LazyConvolution(_LazyConv):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1, groups: int = 1,
                 bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(0, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device,
                         dtype)


class _LazyTransposedConvolution(_LazyConv):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0, groups: int = 1,
                 bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None, dtype=None):
        super().__init__(0, out_channels, kernel_size, stride, padding, output_padding, groups, bias, dilation,
                         padding_mode, device, dtype)


class LazyConv1d(_LazyConvolution, Conv1d):
    """A :class:`Conv1d` whose in_channels is read from its first input."""

    cls_to_become = Conv1d


class LazyConv2d(_LazyConvolution, Conv2d):
    """A :class:`Conv2d` whose in_channels is read from its first input."""

    cls_to_become = Conv2d


class LazyConv3d(_LazyConvolution, Conv3d):
    """A :class:`Conv3d` whose in_channels is read from its first input."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyTransposedConvolution, ConvTranspose1d):
    """A :class:`ConvTranspose1d` whose in_channels is read from its first input."""

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyTransposedConvolution, ConvTranspose2d):
    """A :class:`ConvTranspose2d` whose in_channels is read from its first input."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyTransposedConvolution, ConvTranspose3d):
    """A :class:`ConvTranspose3d` whose in_channels is read from its first input."""

    cls_to_become = ConvTranspose3d


class _LazyNorm(LazyModuleMixin):
    """The normalisations' num_features: dimension 1 of the first input (for an unbatched instance
    norm input too, as PyTorch reads it). γ, β and the running statistics wait for it;
    num_batches_tracked does not. Note the defaults: affine and track_running_stats are on, for
    the lazy instance norms too (PyTorch's)."""

    inferred = "num_features"
    lazy_buffers = ("running_mean", "running_var")

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None):
        super().__init__(0, eps, momentum, affine, track_running_stats, device, dtype)

    def size_from(self, input) -> int:
        return input.shape[1]

    def shape_of(self, name: str) -> tuple:
        return (self.num_features,)


class LazyBatchNorm1d(_LazyNorm, BatchNorm1d):
    """A :class:`BatchNorm1d` whose num_features is read from its first input."""

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNorm, BatchNorm2d):
    """A :class:`BatchNorm2d` whose num_features is read from its first input."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNorm, BatchNorm3d):
    """A :class:`BatchNorm3d` whose num_features is read from its first input."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNorm, InstanceNorm1d):
    """An :class:`InstanceNorm1d` whose num_features is read from its first input."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNorm, InstanceNorm2d):
    """An :class:`InstanceNorm2d` whose num_features is read from its first input."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNorm, InstanceNorm3d):
    """An :class:`InstanceNorm3d` whose num_features is read from its first input."""

    cls_to_become = InstanceNorm3d
