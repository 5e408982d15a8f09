"""Weight normalisation (Salimans & Kingma, 2016), as ``torch.nn.utils.weight_norm``.

A weight W is re-expressed by a magnitude g and a direction V, trained as separate parameters:

    W = g · V / ‖V‖

the norm taken over every dim but ``dim`` (each output's slice of V has its own g), or over all
dims for ``dim=None`` (one g). The gradient then splits as ∂L/∂g = (∂L/∂W · V)/‖V‖ along the
direction and the rest orthogonal to it, which conditions training. The module's parameters become
``<name>_g`` and ``<name>_v``; ``<name>`` is a plain attribute recomputed by a forward pre-hook
(the parametrization form is :func:`zengrad.nn.utils.parametrizations.weight_norm`).
"""

from __future__ import annotations

from ..tensor import Tensor
from .parameter import Parameter


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """‖v‖₂ over every dim but ``dim``, kept as size-1 dims (over all dims, a 0-d tensor, for dim = −1)."""
    if dim == -1:
        return v.norm()
    dim = dim % v.ndim
    return (v * v).sum(dim=[d for d in range(v.ndim) if d != dim], keepdim=True).sqrt()


class WeightNorm:
    """The forward pre-hook that sets ``module.<name>`` = g · V / ‖V‖ before each forward."""

    def __init__(self, name: str, dim: int):
        self.name, self.dim = name, dim
        self.handle = None

    def compute_weight(self, module) -> Tensor:
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, self.dim))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Reparametrise ``module.<name>`` as g · V / ‖V‖ (see the module docstring); returns the module."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"weight_norm: {type(module).__name__} has no parameter {name!r}")
    fn = WeightNorm(name, -1 if dim is None else dim)
    g = norm_except_dim(weight.detach(), fn.dim)
    delattr(module, name)
    module.register_parameter(name + "_g", Parameter(g._data.copy()))
    module.register_parameter(name + "_v", Parameter(weight._data.copy()))
    setattr(module, name, fn.compute_weight(module))
    fn.handle = module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo :func:`weight_norm`: ``<name>`` becomes a Parameter holding the current g · V / ‖V‖."""
    for hook in list(module._forward_pre_hooks.values()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            weight = hook.compute_weight(module).detach()
            hook.handle.remove()
            delattr(module, name + "_g")
            delattr(module, name + "_v")
            module.__dict__.pop(name, None)
            module.register_parameter(name, Parameter(weight._data))
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
