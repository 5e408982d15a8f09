"""Pooling and resampling layers: MaxPool1d/2d/3d, AvgPool1d/2d/3d, LPPool1d/2d/3d, MaxUnpool1d/2d/3d,
AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d, Upsample (and its named forms UpsamplingNearest2d/UpsamplingBilinear2d), PixelShuffle/PixelUnshuffle, and
Unfold/Fold.

They hold no parameters; each forwards to its function in ``nn.functional`` (where the math is):
max and average pooling read every window as an im2col column, adaptive pooling and
interpolation apply one constant resampling matrix per axis.
"""

from __future__ import annotations

from ..ops.conv import _ntuple
from . import functional as F
from .module import Module


class _Pool(Module):
    """The arguments every pooling layer keeps, shown by ``repr``."""

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name in self._shown)


class _MaxPool(_Pool):
    """Max pooling over ``pool``'s spatial axes; stride defaults to the kernel size."""

    _shown = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return self.pool(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                         self.return_indices)


class MaxPool1d(_MaxPool):
    """y[n, c, i] = max of the k-wide window at i·s of the −∞-padded (N, C, L) or (C, L) input."""

    pool = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPool):
    """y[n, c, i, j] = max of the kh×kw window at (i·s, j·s) of the −∞-padded input (see
    :func:`~zengrad.nn.functional.max_pool2d`); stride defaults to the kernel size."""

    pool = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPool):
    """y[n, c, i, j, k] = max of the kd×kh×kw window at (i·s₀, j·s₁, k·s₂) of the −∞-padded
    (N, C, D, H, W) or (C, D, H, W) input (see :func:`~zengrad.nn.functional.max_pool3d`)."""

    pool = staticmethod(F.max_pool3d)


class AvgPool2d(_Pool):
    """y[n, c, i, j] = mean of the kh×kw window at (i·s, j·s) of the zero-padded input (see
    :func:`~zengrad.nn.functional.avg_pool2d` for the divisor)."""

    pool = staticmethod(F.avg_pool2d)

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return self.pool(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                         self.count_include_pad, self.divisor_override)


class AvgPool3d(AvgPool2d):
    """y[n, c, i, j, k] = mean of the kd×kh×kw window at (i·s₀, j·s₁, k·s₂) of the zero-padded input
    (see :func:`~zengrad.nn.functional.avg_pool3d` for the divisor)."""

    pool = staticmethod(F.avg_pool3d)


class AvgPool1d(_Pool):
    """y[n, c, i] = mean of the k-wide window at i·s of the zero-padded (N, C, L) or (C, L) input.

    Its sizes are kept as 1-tuples (``kernel_size=(3,)``), as PyTorch's are (and shown so in repr).
    """

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1, "kernel_size", "AvgPool1d")
        self.stride = _ntuple(kernel_size if stride is None else stride, 1, "stride", "AvgPool1d")
        self.padding, self.ceil_mode, self.count_include_pad = _ntuple(padding, 1, "padding", "AvgPool1d"), ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AdaptiveAvgPool(_Pool):
    """Average pooling to a fixed output size whatever the input size (PyTorch's bins)."""

    _shown = ("output_size",)

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return self.pool(input, self.output_size)


class AdaptiveAvgPool1d(_AdaptiveAvgPool):
    """Average pooling of (N, C, L) or (C, L) to a fixed length (PyTorch's bins)."""

    pool = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPool):
    """Average pooling to a fixed (oh, ow) whatever the input size (PyTorch's bins)."""

    pool = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPool):
    """Average pooling of (N, C, D, H, W) or (C, D, H, W) to a fixed (od, oh, ow)."""

    pool = staticmethod(F.adaptive_avg_pool3d)


class Upsample(_Pool):
    """Resize by ``size`` or ``scale_factor`` with mode 'nearest', 'linear', 'bilinear' or 'trilinear'
    (see :func:`~zengrad.nn.functional.interpolate`)."""

    _shown = ("size", "scale_factor", "mode")

    def __init__(self, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             self.recompute_scale_factor)

    def extra_repr(self) -> str:
        """PyTorch's: the size or the scale factor (as floats) that is set, then the quoted mode."""
        if self.scale_factor is not None:
            factor = (tuple(float(f) for f in self.scale_factor) if isinstance(self.scale_factor, (tuple, list))
                      else float(self.scale_factor))
            return f"scale_factor={factor}, mode={self.mode!r}"
        return f"size={self.size}, mode={self.mode!r}"


class PixelShuffle(_Pool):
    """(N, C·r², H, W) → (N, C, H·r, W·r): channels into space (a sub-pixel convolution's last step)."""

    _shown = ("upscale_factor",)

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)


class PixelUnshuffle(_Pool):
    """(N, C, H·r, W·r) → (N, C·r², H, W): space into channels."""

    _shown = ("downscale_factor",)

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)


class UpsamplingNearest2d(Upsample):
    """Upsample with mode 'nearest' (PyTorch keeps this name for it)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """Upsample with mode 'bilinear' and ``align_corners=True`` (PyTorch keeps this name for it)."""

    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


class Unfold(_Pool):
    """im2col: (N, C, H, W) → (N, C·kh·kw, L), one column per sliding window (see
    :func:`~zengrad.nn.functional.unfold`)."""

    _shown = ("kernel_size", "dilation", "padding", "stride")

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(_Pool):
    """col2im: (N, C·kh·kw, L) → (N, C, H, W), the windows' overlaps summed (see
    :func:`~zengrad.nn.functional.fold`)."""

    _shown = ("output_size", "kernel_size", "dilation", "padding", "stride")

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)


class _AdaptiveMaxPool(_Pool):
    """Max pooling to a fixed output size (``pool``: its function); ``return_indices`` also gives
    each maximum's flat position."""

    _shown = ("output_size",)

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return self.pool(input, self.output_size, self.return_indices)


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max pooling to a fixed output length (see :func:`~zengrad.nn.functional.adaptive_max_pool1d`)."""

    pool = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max pooling to a fixed output size (see :func:`~zengrad.nn.functional.adaptive_max_pool2d`)."""

    pool = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Max pooling to a fixed (od, oh, ow) (see :func:`~zengrad.nn.functional.adaptive_max_pool3d`)."""

    pool = staticmethod(F.adaptive_max_pool3d)


class _LPPool(_Pool):
    """Power-average pooling (Σ_window xᵖ)^(1/p) over ``pool``'s spatial axes."""

    _shown = ("norm_type", "kernel_size", "stride", "ceil_mode")

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        return self.pool(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(_LPPool):
    """Power-average pooling along one dim (see :func:`~zengrad.nn.functional.lp_pool1d`)."""

    pool = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPool):
    """Power-average pooling (Σ_window xᵖ)^(1/p) (see :func:`~zengrad.nn.functional.lp_pool2d`)."""

    pool = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPool):
    """Power-average pooling over kd×kh×kw windows (see :func:`~zengrad.nn.functional.lp_pool3d`)."""

    pool = staticmethod(F.lp_pool3d)


class _MaxUnpool(_Pool):
    """Puts a max pool's maxima back where they came from, zeros elsewhere; the geometry is kept as
    ``spatial``-tuples (the stride defaults to the kernel size), as PyTorch shows it."""

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        name = type(self).__name__
        self.kernel_size = _ntuple(kernel_size, self.spatial, "kernel_size", name)
        self.stride = _ntuple(kernel_size if stride is None else stride, self.spatial, "stride", name)
        self.padding = _ntuple(padding, self.spatial, "padding", name)

    def forward(self, input, indices, output_size=None):
        return self.unpool(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(_MaxUnpool):
    """max_unpool2d along one dim (see :func:`~zengrad.nn.functional.max_unpool1d`)."""

    spatial, unpool = 1, staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpool):
    """Puts max_pool2d's maxima back where they came from, zeros elsewhere (see
    :func:`~zengrad.nn.functional.max_unpool2d`)."""

    spatial, unpool = 2, staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpool):
    """Puts max_pool3d's maxima back where they came from (see :func:`~zengrad.nn.functional.max_unpool3d`)."""

    spatial, unpool = 3, staticmethod(F.max_unpool3d)
