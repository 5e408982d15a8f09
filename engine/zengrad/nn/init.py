"""Parameter initialisation (``zengrad.nn.init``, as ``torch.nn.init``).

Every function fills ``tensor`` in place (its array is overwritten, so references to it stay
valid), draws from zengrad's global generator (so ``manual_seed`` repeats it) or from the
``generator=`` given (a :class:`zengrad.Generator`), and returns it.

Fans: for a weight of shape (out, in, *k), fan_in = in·∏k and fan_out = out·∏k.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import backend
from ..creation import drawing_from
from ..errors import OpError
from ..grad_mode import no_grad
from ..ops.special import erfinv
from ..autograd import increment_version
from ..tensor import Tensor


#: The nonlinearities (and linear layers) whose gain is 1, PyTorch's list.
_GAIN_ONE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
             "sigmoid")


def calculate_gain(nonlinearity: str, param=None) -> float:
    """The factor that keeps activations' variance steady through ``nonlinearity``.

    linear/conv/sigmoid: 1;  tanh: 5/3;  relu: √2;  leaky_relu(slope): √(2 / (1 + slope²));
    selu: 3/4. Any other name raises ValueError, as in PyTorch.
    """
    if nonlinearity in _GAIN_ONE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"negative_slope {slope!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError(f"Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (shape {tensor.shape})")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """fan_in or fan_out, as ``mode`` names it (in either case: "FAN_IN" is "fan_in")."""
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of U(a, b)."""
    with no_grad():
        draw = drawing_from(generator, tensor.device).random(tensor.shape, dtype=tensor.dtype)
        tensor._data[...] = a + (b - a) * draw
        increment_version(tensor)
    return tensor


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with samples of N(mean, std²)."""
    with no_grad():
        draw = drawing_from(generator, tensor.device).standard_normal(tensor.shape, dtype=tensor.dtype)
        tensor._data[...] = mean + std * draw
        increment_version(tensor)
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    with no_grad():
        tensor._data[...] = val
        increment_version(tensor)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1.0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: U(−a, a) with a = gain·√(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot: N(0, std²) with std = gain·√(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He: U(−b, b) with b = gain·√(3 / fan), gain = calculate_gain(nonlinearity, a).

    With a = √5 and leaky_relu (what Linear uses) b = 1/√fan_in. A tensor with no elements is left
    as it is (PyTorch warns and does the same).
    """
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _calculate_correct_fan(tensor, mode))
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He: N(0, std²) with std = gain / √fan (a tensor with no elements is left as it is)."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))
    return normal_(tensor, 0.0, std, generator)


def default_affine_(weight: Tensor, bias: Tensor | None) -> None:
    """PyTorch's default for Linear and convolutions: weight ~ U(−1/√fan_in, 1/√fan_in) (kaiming
    uniform with a = √5), and the bias ~ U(−1/√fan_in, 1/√fan_in) too. zengrad addition: the one
    place both layers share."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = _calculate_fan_in_and_fan_out(weight)
        uniform_(bias, *_symmetric(fan_in))


def uniform_affine_(weight: Tensor, bias: Tensor | None, fan_in: int) -> None:
    """Weight and bias both ~ U(−1/√fan_in, 1/√fan_in) (PyTorch's default for Bilinear, whose
    fan_in is in1_features)."""
    for tensor in (weight, bias):
        if tensor is not None:
            uniform_(tensor, *_symmetric(fan_in))


def _symmetric(fan_in: int) -> tuple[float, float]:
    """(−1/√fan_in, 1/√fan_in); (0, 0) for a layer without inputs, as PyTorch does."""
    bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return -bound, bound


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None) -> Tensor:
    """Fill with samples of N(mean, std²) conditioned on [a, b] (the bounds are absolute values, as in
    PyTorch), by inverting the normal CDF Φ: u ~ U(Φ(α), Φ(β)) with α = (a − mean)/std and
    β = (b − mean)/std, then x = mean + std·√2·erf⁻¹(2u − 1), clamped to [a, b] (which only rounding
    far in a tail reaches). No redrawing, so bounds far from the mean cost no more than near ones.
    """
    if not a < b:
        raise OpError(f"trunc_normal_: needs a < b, got a={a}, b={b}")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    low, high = (0.5 * (1 + math.erf((bound - mean) / (std * math.sqrt(2)))) for bound in (a, b))
    with no_grad():
        u = drawing_from(generator, tensor.device).random(tensor.shape)
        x = erfinv(Tensor(2 * (low + (high - low) * u) - 1))._data
        tensor._data[...] = tensor.xp.clip(mean + std * math.sqrt(2) * x, a, b).astype(tensor.dtype)
        increment_version(tensor)
    return tensor


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill a (rows, cols…) tensor, read as rows × (cols·…), with a random (semi-)orthogonal matrix
    times ``gain``: Q of the QR decomposition of a Gaussian matrix, its columns' signs fixed by R's
    diagonal so the law is uniform over orthogonal matrices (Saxe et al., 2013)."""
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, got {tensor.shape}")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows if rows else 0
    with no_grad():
        gaussian = backend.to_device(drawing_from(generator, tensor.device).standard_normal((rows, cols)), "cpu")
        flat = gaussian.T if rows < cols else gaussian
        q, r = np.linalg.qr(flat)
        q = q * np.sign(np.diag(r))
        q = q.T if rows < cols else q
        tensor._data[...] = backend.to_device((gain * q).reshape(tensor.shape).astype(tensor.dtype), tensor.device)
        increment_version(tensor)
    return tensor


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, zeros elsewhere; a
    rectangular one keeps the identity in its top-left square), as ``torch.nn.init.eye_``."""
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    with no_grad():
        tensor._data[...] = tensor.xp.eye(*tensor.shape, dtype=tensor.dtype)
        increment_version(tensor)
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight (out, in, *kernel) with the Dirac delta: within each
    of ``groups`` groups, output channel d reads input channel d at the kernel's centre and
    nothing else, so the convolution passes its input through unchanged (as far as channels go)."""
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only 3, 4 or 5-D tensors are supported, got shape {tensor.shape}")
    if tensor.shape[0] % groups:
        raise ValueError(f"dirac_: dim 0 ({tensor.shape[0]}) must be divisible by groups ({groups})")
    per_group = tensor.shape[0] // groups
    centre = tuple(size // 2 for size in tensor.shape[2:])
    with no_grad():
        tensor._data[...] = 0
        for group in range(groups):
            for d in range(min(per_group, tensor.shape[1])):
                tensor._data[(group * per_group + d, d) + centre] = 1
        increment_version(tensor)
    return tensor



def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a 2-D tensor with samples of N(0, std²), then zero ⌈sparsity·rows⌉ entries, at random
    rows, in every column (Martens, 2010), as ``torch.nn.init.sparse_``."""
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: only 2-D tensors are supported, got shape {tensor.shape}")
    rows, cols = tensor.shape
    zeros = math.ceil(sparsity * rows)
    rng = drawing_from(generator, tensor.device)
    normal_(tensor, 0.0, std, generator)
    with no_grad():
        for col in range(cols):
            tensor._data[rng.permutation(rows)[:zeros], col] = 0
        increment_version(tensor)
    return tensor


def _deprecated(method):
    """PyTorch's old name of ``method`` (without the trailing underscore): warns, then calls it."""
    def old(*args, **kwargs):
        warnings.warn(f"nn.init.{method.__name__[:-1]} is now deprecated in favor of nn.init.{method.__name__}.",
                      FutureWarning, stacklevel=2)
        return method(*args, **kwargs)

    old.__name__ = old.__qualname__ = method.__name__[:-1]
    old.__doc__ = f"Deprecated: :func:`{method.__name__}`."
    return old


uniform, normal, constant = _deprecated(uniform_), _deprecated(normal_), _deprecated(constant_)
xavier_uniform, xavier_normal = _deprecated(xavier_uniform_), _deprecated(xavier_normal_)
kaiming_uniform, kaiming_normal = _deprecated(kaiming_uniform_), _deprecated(kaiming_normal_)
orthogonal, sparse = _deprecated(orthogonal_), _deprecated(sparse_)
