"""Sampling an image at arbitrary points (the spatial transformer): ``affine_grid`` makes the
points of an affine map, ``grid_sample`` reads the image there.

Points are in normalised coordinates: x = −1 is the left edge and x = +1 the right one of the
input (y likewise for top and bottom). With ``align_corners=True`` ±1 are the *centres* of the
corner pixels, so pixel i sits at −1 + 2i/(W − 1); with ``align_corners=False`` they are the outer
edges of the corner pixels, so pixel i sits at (2i + 1)/W − 1. Both functions are composed of
differentiable ops, so gradients reach the input, the grid and θ.
"""

from __future__ import annotations

import numpy as np

from ...errors import OpError
from ...ops import floor, where
from ...tensor import Tensor

_MODES = ("bilinear", "nearest")
_PADDING_MODES = ("zeros", "border", "reflection")


def _pixel_centres(xp, size: int, align_corners: bool, dtype):
    """The normalised coordinates of the ``size`` pixel centres along one axis."""
    if size <= 1:
        return xp.zeros(size, dtype=dtype)
    centres = xp.linspace(-1.0, 1.0, size)
    return (centres if align_corners else centres * (size - 1) / size).astype(dtype)


def affine_grid(theta: Tensor, size, align_corners: bool = False) -> Tensor:
    """The sampling grid (N, H, W, 2) of a batch of affine maps θ (N, 2, 3) for an output of
    ``size`` (N, C, H, W): grid[n, i, j] = θₙ · (xⱼ, yᵢ, 1)ᵀ, with (xⱼ, yᵢ) the normalised centre
    of output pixel (i, j) (see the module docstring for ``align_corners``). ∂/∂θ flows through
    the product."""
    size = tuple(int(n) for n in size)
    if len(size) != 4:
        raise OpError(f"affine_grid: only 2-D sizes (N, C, H, W) are supported, got size {size}")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (2, 3) or theta.shape[0] != size[0]:
        raise OpError(f"affine_grid: expected theta of shape ({size[0]}, 2, 3) for size {size}, got "
                      f"{tuple(theta.shape)}")
    if theta.dtype.kind != "f":
        raise OpError(f"affine_grid: theta must be a floating point tensor, got {theta.dtype}")
    n, _, height, width = size
    xp = theta.xp
    xs = _pixel_centres(xp, width, align_corners, theta.dtype)
    ys = _pixel_centres(xp, height, align_corners, theta.dtype)
    base = xp.stack([xp.broadcast_to(xs[None, :], (height, width)), xp.broadcast_to(ys[:, None], (height, width)),
                     xp.ones((height, width), dtype=theta.dtype)], axis=-1).reshape(1, height * width, 3)
    points = Tensor(xp.ascontiguousarray(xp.broadcast_to(base, (n, height * width, 3))))
    return (points @ theta.transpose(1, 2)).reshape(n, height, width, 2)


def _to_pixels(coordinate: Tensor, size: int, align_corners: bool) -> Tensor:
    """Normalised coordinate → pixel index space: (x + 1)/2·(size − 1) aligned, ((x + 1)·size − 1)/2 not."""
    if align_corners:
        return (coordinate + 1) * ((size - 1) / 2)
    return ((coordinate + 1) * size - 1) / 2


def _reflect(index: Tensor, low2: float, high2: float) -> Tensor:
    """Fold index into [low2/2, high2/2] by reflecting at its ends as often as needed (PyTorch's
    reflect_coordinates; the bounds are given doubled so that they stay integers)."""
    if low2 == high2:
        return index * 0
    low, span = low2 / 2, (high2 - low2) / 2
    offset = index - low
    distance = where(offset < 0, -offset, offset)  # |offset| with slope +1 at 0, as PyTorch
    flips = floor(distance.detach() / span)
    extra = distance - flips * span
    return where(Tensor((flips._data % 2) == 0), extra + low, span - extra + low)


def _source_index(coordinate: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    index = _to_pixels(coordinate, size, align_corners)
    if padding_mode == "reflection":
        index = _reflect(index, 0, 2 * (size - 1)) if align_corners else _reflect(index, -1, 2 * size - 1)
    if padding_mode in ("border", "reflection"):  # the edges count as outside: no gradient there (PyTorch)
        index = where(index <= 0, 0.0, where(index >= size - 1, float(size - 1), index))
    return index


def _read(flat: Tensor, ix, iy, width: int, height: int, channels: int) -> Tensor:
    """flat (N, C, H·W) at integer pixels (ix, iy) (arrays (N, P)); zeros where outside the image."""
    inside = (ix >= 0) & (ix < width) & (iy >= 0) & (iy < height)
    position = np.where(inside, iy * width + ix, 0).astype(np.int64)
    index = np.broadcast_to(position[:, None, :], (position.shape[0], channels, position.shape[1]))
    values = flat.gather(2, Tensor(flat.xp.asarray(index)))
    return values * Tensor(flat.xp.asarray(inside[:, None, :].astype(flat.dtype)))


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """out[n, c, i, j] = input[n, c] read at the normalised point grid[n, i, j] = (x, y).

    The point becomes the pixel position (ix, iy) (see ``align_corners`` in the module
    docstring; None means False, as in PyTorch). ``mode='bilinear'`` mixes the four neighbours:
    out = Σ (1 − |ix − x_k|)(1 − |iy − y_k|)·input[y_k, x_k] over x_k ∈ {⌊ix⌋, ⌊ix⌋ + 1} and the same
    for y, so ∂out/∂ix = Σ ±(1 − |iy − y_k|)·input[y_k, x_k]; ``'nearest'`` reads the pixel at
    (ix, iy) rounded half to even (no gradient to the grid). Points outside the image read 0
    (``padding_mode='zeros'``), the nearest edge pixel ('border') or the image mirrored at its
    edges ('reflection'). input (N, C, H, W), grid (N, H_out, W_out, 2) → (N, C, H_out, W_out).
    """
    if mode not in _MODES:
        raise OpError(f"grid_sample: mode must be one of {_MODES}, got {mode!r}")
    if padding_mode not in _PADDING_MODES:
        raise OpError(f"grid_sample: padding_mode must be one of {_PADDING_MODES}, got {padding_mode!r}")
    if input.ndim != 4 or grid.ndim != 4 or grid.shape[-1] != 2 or grid.shape[0] != input.shape[0]:
        raise OpError(f"grid_sample: expected input (N, C, H, W) and grid (N, H_out, W_out, 2) with the same N, "
                      f"got shapes {tuple(input.shape)} and {tuple(grid.shape)}")
    if input.dtype != grid.dtype:
        raise OpError(f"grid_sample: input and grid must have the same dtype, got {input.dtype} and {grid.dtype}")
    align_corners = bool(align_corners)
    n, channels, height, width = input.shape
    out_height, out_width = grid.shape[1:3]
    points = grid.reshape(n, out_height * out_width, 2)
    ix = _source_index(points[..., 0], width, padding_mode, align_corners)
    iy = _source_index(points[..., 1], height, padding_mode, align_corners)
    flat = input.reshape(n, channels, height * width)
    if mode == "nearest":
        out = _read(flat, np.rint(ix.detach().numpy()).astype(np.int64),
                    np.rint(iy.detach().numpy()).astype(np.int64), width, height, channels)
    else:
        x0, y0 = floor(ix.detach()), floor(iy.detach())
        wx1, wy1 = (ix - x0).unsqueeze(1), (iy - y0).unsqueeze(1)
        x0, y0 = x0.numpy().astype(np.int64), y0.numpy().astype(np.int64)
        corners = [(_read(flat, x0 + dx, y0 + dy, width, height, channels),
                    (wx1 if dx else 1 - wx1) * (wy1 if dy else 1 - wy1)) for dy in (0, 1) for dx in (0, 1)]
        out = sum(value * weight for value, weight in corners)
    return out.reshape(n, channels, out_height, out_width)


__all__ = ["affine_grid", "grid_sample"]
