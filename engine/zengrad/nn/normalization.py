"""Batch and instance normalisation layers: BatchNorm1d/2d/3d and InstanceNorm1d/2d/3d (the math is in
:mod:`zengrad.ops.batch_norm`, behind ``F.batch_norm`` and ``F.instance_norm``)."""

from __future__ import annotations

import warnings

import numpy as np

from .. import backend
from ..autograd import increment_version
from ..errors import OpError
from ..ops.batch_norm import batch_norm, instance_norm
from ..tensor import Tensor
from . import init
from ._factory import empty_parameter, optional_parameter
from .module import Module


class _NormBase(Module):
    """What batch and instance normalisation layers share: γ (weight, starts at 1) and β (bias,
    starts at 0) per channel when ``affine`` (``bias=False`` drops β), and, with
    ``track_running_stats``, the buffers running_mean (0), running_var (1) and
    num_batches_tracked."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.register_parameter("weight", init.ones_(empty_parameter(num_features, device=device, dtype=dtype))
                                if affine else None)
        self.register_parameter("bias", optional_parameter(affine and bias, num_features, device=device,
                                                           dtype=dtype))
        if track_running_stats:
            xp = backend.array_module(backend.normalize_device(device))
            float_dtype = np.dtype(dtype or np.float32)
            self.register_buffer("running_mean", Tensor(xp.zeros(num_features, dtype=float_dtype)))
            self.register_buffer("running_var", Tensor(xp.ones(num_features, dtype=float_dtype)))
            self.register_buffer("num_batches_tracked", Tensor(xp.zeros((), dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def _complete_state_dict(self, state_dict: dict, prefix: str) -> None:
        """A checkpoint without num_batches_tracked (PyTorch's before it had one) keeps this layer's count."""
        if self.track_running_stats and prefix + "num_batches_tracked" not in state_dict:
            state_dict[prefix + "num_batches_tracked"] = self.num_batches_tracked

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean._data[...] = 0
            self.running_var._data[...] = 1
            self.num_batches_tracked._data[...] = 0
            for buffer in (self.running_mean, self.running_var, self.num_batches_tracked):
                increment_version(buffer)

    def reset_parameters(self) -> None:
        """The running statistics reset, γ back to 1 and β to 0 (PyTorch's)."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    #: the numbers of input dimensions a subclass accepts
    ndims: tuple = ()

    def _check_input(self, input) -> None:
        name = type(self).__name__
        if input.ndim not in self.ndims:
            expected = " or ".join(f"{n}D" for n in self.ndims)
            raise ValueError(f"{name}: expected {expected} input (got {input.ndim}D input of shape {input.shape})")

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """y = (x − μ) / √(σ² + eps) · γ + β per channel c = dimension 1 of x.

    Training: μ and σ² are the batch's mean and *biased* variance over every dimension but the
    channel one (N, and L or H and W), and the running statistics move towards the batch's,
    using the *unbiased* variance (× n/(n − 1)):
    running ← (1 − momentum)·running + momentum·batch. With momentum=None the running values are
    the cumulative average over all batches seen. Evaluation (and ``track_running_stats=False``
    never) uses the running statistics instead. γ (weight) starts at 1, β (bias) at 0; with
    ``affine=False`` neither exists, and ``bias=False`` (keyword-only, as in PyTorch 2.13) drops β.
    """

    def forward(self, input):
        return self.forward_activated(input, None)

    def forward_activated(self, input, negative_slope: float | None):
        """The layer followed by ReLU (``negative_slope`` 0) or LeakyReLU (another slope), as one
        node in training (:class:`~zengrad.ops.batch_norm.BatchNormTraining`); None: the layer alone. Containers whose
        layers allow it call this for a BatchNorm and the activation after it (see
        :func:`zengrad.models.dcgan.fused_forward`)."""
        self._check_input(input)
        if input.shape[1] != self.num_features:
            raise OpError(f"{type(self).__name__}: input has {input.shape[1]} channels (shape {input.shape}), "
                          f"expected num_features={self.num_features}")
        counting = self.training and self.track_running_stats
        factor = 0.0
        if counting:
            factor = 1.0 / (float(self.num_batches_tracked._data) + 1) if self.momentum is None else self.momentum
        out = batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                         self.training or not self.track_running_stats, factor, self.eps, negative_slope)
        if counting:
            self.num_batches_tracked._data += 1
        return out


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs: statistics over N (and L) per channel."""

    ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs: statistics over N, H and W per channel."""

    ndims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs: statistics over N, D, H and W per channel."""

    ndims = (5,)


class _InstanceNorm(_NormBase):
    """y = (x − μ_nc)/√(σ²_nc + eps)·γ_c + β_c: every sample's channel standardised over its own
    spatial positions (see :func:`~zengrad.ops.batch_norm.instance_norm`). Unlike batch
    normalisation the defaults are ``affine=False`` and ``track_running_stats=False`` (the same
    in training and evaluation); with tracking, evaluation uses the running statistics, and
    ``momentum=None`` leaves them where they are. An input without the batch dimension is
    taken as one sample."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = False,
                 track_running_stats: bool = False, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, input):
        self._check_input(input)
        unbatched = input.ndim == min(self.ndims)
        batch = input.unsqueeze(0) if unbatched else input
        if batch.shape[1] != self.num_features:
            message = (f"{type(self).__name__}: expected input's size at dim={0 if unbatched else 1} "
                       f"to match num_features ({self.num_features}), but got: {batch.shape[1]}.")
            if self.affine:
                raise ValueError(message)
            warnings.warn(message + " The layer has no weights, so it normalises the channels it gets.", stacklevel=2)
        out = instance_norm(batch, self.running_mean, self.running_var, self.weight, self.bias,
                            self.training or not self.track_running_stats,
                            self.momentum if self.momentum is not None else 0.0, self.eps)
        return out.squeeze(0) if unbatched else out


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs: statistics over L per sample and channel."""

    ndims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs: statistics over H and W per
    sample and channel."""

    ndims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) inputs: statistics over D, H and W
    per sample and channel."""

    ndims = (4, 5)
