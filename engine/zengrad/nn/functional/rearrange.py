"""Moving elements between axes without arithmetic: ``pixel_shuffle``/``pixel_unshuffle``
(channels ⇄ space) and ``channel_shuffle``."""

from __future__ import annotations

from ...errors import OpError
from ...tensor import Tensor


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C·r², H, W) → (*, C, H·r, W·r): each group of r² channels becomes an r×r block of pixels
    (out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]); a reshape and a permute."""
    r = upscale_factor
    if input.ndim < 3 or r < 1 or input.shape[-3] % (r * r):
        raise OpError(f"pixel_shuffle: input of shape {input.shape} needs >= 3 dims and channels divisible "
                      f"by upscale_factor² = {r * r}")
    *lead, c, h, w = input.shape
    k = len(lead)
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    x = x.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of pixel_shuffle: (*, C, H·r, W·r) → (*, C·r², H, W)."""
    r = downscale_factor
    if input.ndim < 3 or r < 1 or input.shape[-2] % r or input.shape[-1] % r:
        raise OpError(f"pixel_unshuffle: input of shape {input.shape} needs >= 3 dims and height and width "
                      f"divisible by downscale_factor = {r}")
    *lead, c, hr, wr = input.shape
    k = len(lead)
    x = input.reshape(*lead, c, hr // r, r, wr // r, r)
    x = x.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return x.reshape(*lead, c * r * r, hr // r, wr // r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) with its C channels, read as ``groups`` groups of C/groups, interleaved: channel
    g·(C/groups) + i goes to i·groups + g (ShuffleNet); a reshape, a transpose and a reshape."""
    if input.ndim < 3 or groups < 1 or input.shape[1] % groups:
        raise OpError(f"channel_shuffle: expects (N, C, *) with C divisible by groups={groups}, got shape "
                      f"{input.shape}")
    n, c = input.shape[:2]
    grouped = input.reshape((n, groups, c // groups) + input.shape[2:])
    return grouped.transpose(1, 2).reshape(input.shape)
