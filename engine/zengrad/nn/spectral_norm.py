"""Spectral normalisation (Miyato et al., 2018), as ``torch.nn.utils.spectral_norm``.

The weight is divided by its largest singular value σ(W), so the layer is (about) 1-Lipschitz:

    W_SN = W / σ(W),    σ(W) ≈ uᵀ W v

where W is the weight reshaped to a matrix (dimension ``dim`` first, the rest flattened) and u, v
are estimates of its leading left and right singular vectors. They are kept as buffers and
refined by power iteration before each forward pass in training mode:

    v ← Wᵀu / ‖Wᵀu‖,    u ← W v / ‖W v‖      (``n_power_iterations`` times)

No gradient flows through u and v: they are constants of the forward pass, so
∂σ/∂W = u vᵀ. The module's parameter becomes ``weight_orig``; ``weight`` is a plain attribute
recomputed from it by a forward pre-hook; the state_dict holds ``weight_orig``, ``weight_u`` and
``weight_v``, as PyTorch's does.
"""

from __future__ import annotations

from .. import backend
from ..creation import generator
from ..grad_mode import no_grad
from ..autograd import increment_version
from ..tensor import Tensor
from .conv import ConvTranspose2d, ConvTranspose3d
from .conv1d import ConvTranspose1d
from .parameter import Parameter


def _normalize(array, eps: float):
    """array / max(‖array‖₂, eps)."""
    xp = backend.array_module(backend.device_of(array))
    return array / max(float(xp.linalg.norm(array)), eps)


class SpectralNorm:
    """The forward pre-hook that sets ``module.<name>`` = ``<name>_orig`` / σ before each forward."""

    def __init__(self, name: str, n_power_iterations: int, dim: int, eps: float):
        if n_power_iterations < 0:
            raise ValueError(f"spectral_norm: expected n_power_iterations to be non-negative, got "
                             f"{n_power_iterations}")
        self.name = name
        self.n_power_iterations = n_power_iterations
        self.dim = dim
        self.eps = eps
        self.handle = None

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """The weight as a (size of ``dim``, everything else) matrix."""
        if self.dim != 0:
            order = [self.dim] + [d for d in range(weight.ndim) if d != self.dim]
            weight = weight.permute(*order)
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module, do_power_iteration: bool) -> Tensor:
        weight = getattr(module, self.name + "_orig")
        u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
        matrix = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            power_iteration(matrix, u, v, self.n_power_iterations, self.eps)
        u_fixed, v_fixed = Tensor(u._data.copy()), Tensor(v._data.copy())
        sigma = (u_fixed * (matrix @ v_fixed)).sum()
        return weight / sigma

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))


def power_iteration(matrix: Tensor, u: Tensor, v: Tensor, steps: int, eps: float) -> None:
    """``steps`` rounds of v ← Wᵀu/‖Wᵀu‖, u ← Wv/‖Wv‖, written into u and v (no gradient)."""
    with no_grad():
        for _ in range(steps):
            v._data[...] = _normalize(matrix._data.T @ u._data, eps)
            u._data[...] = _normalize(matrix._data @ v._data, eps)
        increment_version(u)
        increment_version(v)


def spectral_vectors(matrix: Tensor, eps: float):
    """Starting u and v: normalised N(0, I) draws from zengrad's generator (arrays)."""
    rows, columns = matrix.shape
    draw = generator(matrix.device)
    return (_normalize(draw.standard_normal(rows, dtype=matrix.dtype), eps),
            _normalize(draw.standard_normal(columns, dtype=matrix.dtype), eps))


def output_dim(module) -> int:
    """The dim of a layer's weight that indexes its outputs: 1 for transposed convolutions
    (weights (in, out, …)), 0 otherwise."""
    return 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)) else 0


def spectral_norm(module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None):
    """Reparametrise ``module.<name>`` as W / σ(W) (see the module docstring); returns the module.

    ``dim`` is the output dimension: 0, except 1 for transposed convolutions, whose weight is (in, out, …).
    u and v start as normalised N(0, I) draws from zengrad's generator.
    """
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            raise RuntimeError(f"Cannot register two spectral_norm hooks on the same parameter {name}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"spectral_norm: {type(module).__name__} has no parameter {name!r}")
    if dim is None:
        dim = output_dim(module)
    fn = SpectralNorm(name, n_power_iterations, dim, eps)
    with no_grad():
        u, v = spectral_vectors(fn.reshape_weight_to_matrix(weight), eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, Tensor(weight._data))
    module.register_buffer(name + "_u", Tensor(u))
    module.register_buffer(name + "_v", Tensor(v))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module, name: str = "weight"):
    """Undo :func:`spectral_norm`: ``<name>`` becomes a Parameter holding the current W / σ."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, SpectralNorm) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module, do_power_iteration=False)
            hook.handle.remove()
            for suffix in ("_orig", "_u", "_v"):
                delattr(module, name + suffix)
            module.__dict__.pop(name, None)
            module.register_parameter(name, Parameter(weight._data))
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
