"""Activation layers: module forms of the elementwise nonlinearities and (log-)softmax."""

from __future__ import annotations

from . import functional as F
from .module import Module


class Tanh(Module):
    """y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)."""

    def forward(self, input):
        return F.tanh(input)


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e⁻ˣ)."""

    def forward(self, input):
        return F.sigmoid(input)


class Softmax(Module):
    """yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ} along ``dim`` (None: PyTorch's deprecated implicit choice, with its warning)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """yᵢ = xᵢ − log Σⱼ e^{xⱼ} along ``dim`` (None: PyTorch's implicit choice)."""

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class _Elementwise(Module):
    """An activation layer: ``forward`` applies ``function`` with the settings given at construction.

    Where PyTorch's layer takes ``inplace=True`` (``in_place_form``), so does this one, and it
    overwrites its input as PyTorch's does (see :mod:`zengrad.nn.functional.activations`).
    """

    function = None
    settings: tuple = ()
    in_place_form = False
    #: whether repr shows ``inplace=True`` (PyTorch's Hardsigmoid and Hardswish do not)
    shows_inplace = True
    #: whether repr names the settings (``lambd=0.5``); PyTorch's shrink layers show the bare value
    names_settings = True

    def __init__(self, *args, inplace: bool = False, **kwargs):
        super().__init__()
        if inplace and not self.in_place_form:
            raise TypeError(f"{type(self).__name__} has no in-place form (inplace=True)")
        names = [name for name, _ in self.settings]
        if self.in_place_form and len(args) == len(names) + 1:  # inplace given by position: ReLU(True)
            *args, inplace = args
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} settings, got {len(args)}")
        values = dict(self.settings)
        values.update(zip(names, args))
        for key in kwargs:
            if key not in values:
                raise TypeError(f"{type(self).__name__} got an unexpected setting {key!r}")
        values.update(kwargs)
        self.inplace = inplace
        for name, value in values.items():
            setattr(self, name, value)

    def forward(self, input):
        settings = {name: getattr(self, name) for name, _ in self.settings}
        if self.inplace:
            settings["inplace"] = True
        return type(self).function(input, **settings)

    def extra_repr(self) -> str:
        shown = [(f"{name}=" if self.names_settings else "")
                 + (repr(getattr(self, name)) if isinstance(getattr(self, name), str) else str(getattr(self, name)))
                 for name, _ in self.settings]
        return ", ".join(shown + (["inplace=True"] if self.inplace and self.shows_inplace else []))


class ReLU(_Elementwise):
    """y = max(x, 0)."""
    function = F.relu
    in_place_form = True


class LeakyReLU(_Elementwise):
    """y = x for x ≥ 0, negative_slope·x otherwise."""
    function = F.leaky_relu
    settings = (("negative_slope", 0.01),)
    in_place_form = True


class GELU(_Elementwise):
    """y = x·Φ(x) (approximate='tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³))))."""
    function = F.gelu
    settings = (("approximate", "none"),)


class SiLU(_Elementwise):
    """y = x·σ(x)."""
    function = F.silu
    in_place_form = True


class ELU(_Elementwise):
    """y = x for x > 0, α(eˣ − 1) otherwise."""
    function = F.elu
    settings = (("alpha", 1.0),)
    in_place_form = True


class SELU(_Elementwise):
    """y = λ·elu(x, α), λ ≈ 1.0507, α ≈ 1.6733."""
    function = F.selu
    in_place_form = True


class CELU(_Elementwise):
    """y = x for x > 0, α(e^(x/α) − 1) otherwise."""
    function = F.celu
    settings = (("alpha", 1.0),)
    in_place_form = True


class Softplus(_Elementwise):
    """y = (1/β) ln(1 + e^(βx)), x where βx > threshold."""
    function = F.softplus
    settings = (("beta", 1.0), ("threshold", 20.0))


class Softsign(_Elementwise):
    """y = x/(1 + |x|)."""
    function = F.softsign


class Mish(_Elementwise):
    """y = x·tanh(softplus(x))."""
    function = F.mish
    in_place_form = True


class Hardtanh(_Elementwise):
    """y = x clipped to [min_val, max_val]."""
    function = F.hardtanh
    settings = (("min_val", -1.0), ("max_val", 1.0))
    in_place_form = True


class ReLU6(_Elementwise):
    """y = min(max(x, 0), 6)."""
    function = F.relu6
    in_place_form = True


class Hardsigmoid(_Elementwise):
    """y = relu6(x + 3)/6."""
    function = F.hardsigmoid
    in_place_form = True
    shows_inplace = False


class Hardswish(_Elementwise):
    """y = x·relu6(x + 3)/6."""
    function = F.hardswish
    in_place_form = True
    shows_inplace = False


class LogSigmoid(_Elementwise):
    """y = ln σ(x)."""
    function = F.logsigmoid


class GLU(_Elementwise):
    """y = a·σ(b), a and b the halves of x along ``dim``."""
    function = F.glu
    settings = (("dim", -1),)


class Softmin(_Elementwise):
    """y = softmax(−x) along ``dim``."""
    function = F.softmin
    settings = (("dim", None),)


class Threshold(_Elementwise):
    """y = x where x > threshold, else value."""
    function = F.threshold
    settings = (("threshold", None), ("value", None))
    in_place_form = True


class Tanhshrink(_Elementwise):
    """y = x − tanh x."""
    function = F.tanhshrink


class Softshrink(_Elementwise):
    """y = x − λ above λ, x + λ below −λ, 0 between."""
    function = F.softshrink
    settings = (("lambd", 0.5),)
    names_settings = False


class Hardshrink(_Elementwise):
    """y = x where |x| > λ, else 0."""
    function = F.hardshrink
    settings = (("lambd", 0.5),)
    names_settings = False


class PReLU(Module):
    """y = x for x > 0, w·x otherwise, with a learned slope w: one (num_parameters=1) or one per
    channel (dim 1 of the input), initialised to ``init``."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        from ._factory import empty_parameter
        self.num_parameters = num_parameters
        self.weight = empty_parameter(num_parameters, device=device, dtype=dtype)
        self.weight._data[...] = init

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softmax2d(Module):
    """Softmax over the channels at every position: dim −3 of (N, C, H, W) or (C, H, W)."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D or 4-D input, got shape {input.shape}")
        return F.softmax(input, -3)


class RReLU(Module):
    """Randomized leaky ReLU: slope a ~ U(lower, upper) per element in training, (lower + upper)/2
    in evaluation (see :func:`~zengrad.nn.functional.rrelu`)."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (see :func:`~zengrad.nn.functional.channel_shuffle`)."""

    def __init__(self, groups: int):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
