"""Pooling and resampling layers: MaxPool1d/2d, AvgPool1d/2d, LPPool1d/2d, MaxUnpool1d/2d,
AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d, Upsample (and its named forms UpsamplingNearest2d/UpsamplingBilinear2d), PixelShuffle/PixelUnshuffle, and
Unfold/Fold.

They hold no parameters; each forwards to its function in ``nn.functional`` (where the math is):
max and average pooling read every window as an im2col column, adaptive pooling and
interpolation apply one constant resampling matrix per axis.
"""

from __future__ import annotations

from . import functional as F
from .module import Module


class _Pool(Module):
    """The arguments every pooling layer keeps, shown by ``repr``."""

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name in self._shown)


class MaxPool2d(_Pool):
    """y[n, c, i, j] = max of the kh×kw window at (i·s, j·s) of the −∞-padded input (see
    :func:`~zengrad.nn.functional.max_pool2d`); stride defaults to the kernel size."""

    _shown = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices: bool = False,
                 ceil_mode: bool = False):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class MaxPool1d(MaxPool2d):
    """y[n, c, i] = max of the k-wide window at i·s of the −∞-padded (N, C, L) or (C, L) input."""

    def forward(self, input):
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode,
                            self.return_indices)


class AvgPool2d(_Pool):
    """y[n, c, i, j] = mean of the kh×kw window at (i·s, j·s) of the zero-padded input (see
    :func:`~zengrad.nn.functional.avg_pool2d` for the divisor)."""

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)


class AvgPool1d(_Pool):
    """y[n, c, i] = mean of the k-wide window at i·s of the zero-padded (N, C, L) or (C, L) input."""

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
        super().__init__()
        self.kernel_size, self.stride = kernel_size, stride if stride is not None else kernel_size
        self.padding, self.ceil_mode, self.count_include_pad = padding, ceil_mode, count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class AdaptiveAvgPool2d(_Pool):
    """Average pooling to a fixed (oh, ow) whatever the input size (PyTorch's bins)."""

    _shown = ("output_size",)

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveAvgPool1d(AdaptiveAvgPool2d):
    """Average pooling of (N, C, L) or (C, L) to a fixed length (PyTorch's bins)."""

    def forward(self, input):
        return F.adaptive_avg_pool1d(input, self.output_size)


class Upsample(_Pool):
    """Resize by ``size`` or ``scale_factor`` with mode 'nearest', 'linear' or 'bilinear'
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


class AdaptiveMaxPool1d(_Pool):
    """Max pooling to a fixed output length (see :func:`~zengrad.nn.functional.adaptive_max_pool1d`)."""

    _shown = ("output_size",)

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_Pool):
    """Max pooling to a fixed output size (see :func:`~zengrad.nn.functional.adaptive_max_pool2d`)."""

    _shown = ("output_size",)

    def __init__(self, output_size, return_indices: bool = False):
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class LPPool2d(_Pool):
    """Power-average pooling (Σ_window xᵖ)^(1/p) (see :func:`~zengrad.nn.functional.lp_pool2d`)."""

    _shown = ("norm_type", "kernel_size", "stride", "ceil_mode")

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input):
        return F.lp_pool2d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(LPPool2d):
    """Power-average pooling along one dim (see :func:`~zengrad.nn.functional.lp_pool1d`)."""

    def forward(self, input):
        return F.lp_pool1d(input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


class MaxUnpool2d(_Pool):
    """Puts max_pool2d's maxima back where they came from, zeros elsewhere (see
    :func:`~zengrad.nn.functional.max_unpool2d`)."""

    _shown = ("kernel_size", "stride", "padding")

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, input, indices, output_size=None):
        return F.max_unpool2d(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(MaxUnpool2d):
    """max_unpool2d along one dim (see :func:`~zengrad.nn.functional.max_unpool1d`)."""

    def forward(self, input, indices, output_size=None):
        return F.max_unpool1d(input, indices, self.kernel_size, self.stride, self.padding, output_size)
