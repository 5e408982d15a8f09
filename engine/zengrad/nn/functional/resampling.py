"""Resampling as one matrix per spatial axis: adaptive average pooling (each output the mean of
its input bin) and ``interpolate`` (nearest, nearest-exact, area, linear, bilinear, bicubic,
trilinear). y = A_H x A_Wᵀ, so the
gradient is A_Hᵀ g A_W."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ...errors import OpError
from ...tensor import Tensor
from .pooling import output_sizes


def _adaptive_matrix(xp, size: int, out: int, dtype):
    """A (out, size) with row i averaging x[⌊i·size/out⌋ : ⌈(i + 1)·size/out⌉] (PyTorch's bins)."""
    matrix = xp.zeros((out, size), dtype=dtype)
    for i in range(out):
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def _resample(x: Tensor, matrices) -> Tensor:
    """Apply one (out, in) matrix to each of the last len(matrices) axes: y = A_h x A_wᵀ in 2-d.

    The first axis's matrix multiplies from the left, the later axes flattened beside it; then the
    rest follow the same way (the last one x A_wᵀ). Each matrix is a constant, so the gradient is
    the transposed resampling Aᵀ g, for free."""
    if len(matrices) == 1:
        return x @ Tensor(matrices[0].T.copy())
    lead, size, rest = x.shape[:-len(matrices)], x.shape[-len(matrices)], x.shape[1 - len(matrices):]
    first = Tensor(matrices[0]) @ x.reshape(lead + (size, math.prod(rest)))
    return _resample(first.reshape(lead + (matrices[0].shape[0],) + rest), matrices[1:])


def _adaptive_avg(op: str, input: Tensor, sizes: tuple) -> Tensor:
    spatial = len(sizes)
    if input.ndim not in (spatial + 1, spatial + 2):
        raise OpError(f"{op}: expected a {spatial + 1}-D or {spatial + 2}-D input, got shape {input.shape}")
    dims = input.shape[-spatial:]
    sizes = tuple(n if s is None else s for s, n in zip(sizes, dims))
    if min(sizes) < 1 or min(dims) < 1:
        raise OpError(f"{op}: output size {sizes} and input shape {input.shape} must be positive")
    return _resample(input, [_adaptive_matrix(input.xp, n, s, input.dtype) for n, s in zip(dims, sizes)])


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (oh, ow): y[n, c, i, j] is the mean of the bin
    rows ⌊i·H/oh⌋ … ⌈(i+1)·H/oh⌉ − 1 and columns likewise (bins may overlap). Each axis's binning
    is a constant (out, in) averaging matrix A, so y = A_h x A_wᵀ: two matrix products, and the
    gradient is A_hᵀ g A_w. ``None`` in ``output_size`` keeps that input size."""
    return _adaptive_avg("adaptive_avg_pool2d", input, output_sizes(output_size, 2))


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) to a fixed (od, oh, ow): each output the mean
    of its bin ⌊i·D/od⌋ … ⌈(i+1)·D/od⌉ − 1 along each axis; one averaging matrix per axis, as in
    :func:`adaptive_avg_pool2d`."""
    return _adaptive_avg("adaptive_avg_pool3d", input, output_sizes(output_size, 3))


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """y[n, c, i] = mean of x[n, c, ⌊i·L/o⌋ : ⌈(i+1)·L/o⌉], as y = x Aᵀ with the averaging matrix A."""
    if input.ndim not in (2, 3) or output_size < 1 or input.shape[-1] < 1:
        raise OpError(f"adaptive_avg_pool1d: expected a 2-D or 3-D input and a positive output size, "
                      f"got shape {input.shape} and {output_size!r}")
    return _resample(input, [_adaptive_matrix(input.xp, input.shape[-1], output_size, input.dtype)])


#: Keys' cubic convolution kernel parameter, PyTorch's (and OpenCV's) choice for bicubic
CUBIC_A = -0.75


def _cubic_weights(t):
    """The four weights of x[⌊src⌋ − 1 … ⌊src⌋ + 2] at fraction t = src − ⌊src⌋ (Keys' kernel:
    w(d) = (A+2)|d|³ − (A+3)|d|² + 1 for |d| ≤ 1, A|d|³ − 5A|d|² + 8A|d| − 4A for 1 < |d| < 2)."""
    a = CUBIC_A

    def near(d):
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a
    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _interpolation_matrix(xp, size: int, out: int, scale: float, mode: str, align_corners: bool, dtype):
    """(out, size) weights mapping input positions to output positions along one axis.

    nearest: y_i = x[min(⌊i·scale⌋, size − 1)]; nearest-exact: x[min(⌊(i + ½)·scale⌋, size − 1)].
    linear: src = i·(size − 1)/(out − 1) with align_corners, else max((i + ½)·scale − ½, 0);
    y_i = (1 − λ)·x[⌊src⌋] + λ·x[⌊src⌋ + 1], λ = src − ⌊src⌋ (the last index clamped).
    cubic: src as linear but not clamped at 0; y_i = Σ_k w_k x[⌊src⌋ − 1 + k] over k = 0…3 with
    Keys' weights (:func:`_cubic_weights`), indices clamped to the edges."""
    matrix = np.zeros((out, size), dtype=np.float64)
    rows = np.arange(out)
    if mode in ("nearest", "nearest-exact"):
        offset = 0.5 if mode == "nearest-exact" else 0.0
        matrix[rows, np.minimum(np.floor((rows + offset) * scale).astype(np.int64), size - 1)] = 1.0
        return xp.asarray(matrix.astype(dtype))
    if align_corners:
        src = rows * ((size - 1) / (out - 1)) if out > 1 else np.zeros(out)
    else:
        src = (rows + 0.5) * scale - 0.5
        if mode == "linear":
            src = np.maximum(src, 0.0)
    low = np.floor(src).astype(np.int64)
    if mode == "cubic":
        for k, weight in enumerate(_cubic_weights(src - low)):
            np.add.at(matrix, (rows, np.clip(low - 1 + k, 0, size - 1)), weight)
        return xp.asarray(matrix.astype(dtype))
    low = np.minimum(low, size - 1)
    high = np.minimum(low + 1, size - 1)
    weight = src - low
    np.add.at(matrix, (rows, low), 1.0 - weight)
    np.add.at(matrix, (rows, high), weight)
    return xp.asarray(matrix.astype(dtype))


#: the interpolating modes, by input rank, and the kind of per-axis matrix each uses
_INTERPOLATING = {3: {"linear": "linear"}, 4: {"bilinear": "linear", "bicubic": "cubic"}, 5: {"trilinear": "linear"}}


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial axes of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input, as
    ``torch.nn.functional.interpolate`` for mode 'nearest', 'nearest-exact' and 'area' (any of
    them), 'linear' (1-d), 'bilinear' and 'bicubic' (2-d) and 'trilinear' (3-d).

    Every mode is linear in x and separable, so each axis is one constant (out, in) matrix
    (see :func:`_interpolation_matrix` for the weights) and y = A_h x A_wᵀ; the gradient is
    A_hᵀ g A_w. The output size is ``size`` or ⌊in·scale_factor⌋; source coordinates use
    scale = in/out when the size was given (or ``recompute_scale_factor``), else 1/scale_factor.
    """
    if input.ndim not in _INTERPOLATING or mode not in ("nearest", "nearest-exact", "area", *_INTERPOLATING[input.ndim]):
        raise OpError(f"interpolate: mode {mode!r} on input of shape {input.shape} is not supported "
                      f"(any of 3-D, 4-D, 5-D: nearest/nearest-exact/area; 3-D: linear, 4-D: bilinear/bicubic, "
                      f"5-D: trilinear)")
    if antialias:
        raise OpError("interpolate: antialias=True is not supported")
    if mode in ("nearest", "nearest-exact", "area") and align_corners is not None:
        raise OpError("interpolate: align_corners option can only be set with the interpolating modes: "
                      "linear | bilinear | bicubic | trilinear")
    spatial = input.shape[2:]
    if (size is None) == (scale_factor is None):
        raise OpError("interpolate: either size or scale_factor should be defined (not both)")
    if size is not None:
        sizes = (size,) * len(spatial) if isinstance(size, int) else tuple(size)
        scales = [n / s for n, s in zip(spatial, sizes)] if len(sizes) == len(spatial) else []
    else:
        factors = (scale_factor,) * len(spatial) if isinstance(scale_factor, (int, float)) else tuple(scale_factor)
        sizes = tuple(int(np.floor(n * f)) for n, f in zip(spatial, factors))
        scales = ([n / s if s else 0.0 for n, s in zip(spatial, sizes)] if recompute_scale_factor
                  else [1.0 / f for f in factors])
    if len(sizes) != len(spatial) or min(sizes) < 1 or min(spatial) < 1:
        raise OpError(f"interpolate: output size {sizes} does not fit input of shape {input.shape}")
    if mode == "area":  # PyTorch's 'area' is adaptive average pooling to the output size
        return _resample(input, [_adaptive_matrix(input.xp, n, s, input.dtype) for n, s in zip(spatial, sizes)])
    kind = _INTERPOLATING[input.ndim].get(mode, mode)
    matrices = [_interpolation_matrix(input.xp, n, s, scale, kind, bool(align_corners), input.dtype)
                for n, s, scale in zip(spatial, sizes, scales)]
    return _resample(input, matrices)


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", UserWarning,
                  stacklevel=3)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None) -> Tensor:
    """PyTorch's deprecated name for :func:`interpolate` (it warns, as PyTorch does)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """PyTorch's deprecated :func:`interpolate` with mode 'nearest' (it warns)."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    """PyTorch's deprecated :func:`interpolate` with mode 'bilinear' and align_corners=True (it warns)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
