"""Pruning (``torch.nn.utils.prune``): zero out chosen weights by a mask, and keep them zero.

Pruning ``module.weight`` keeps the trained tensor as the parameter ``weight_orig``, adds a 0/1
buffer ``weight_mask``, and makes ``weight`` a plain attribute ``weight_orig · weight_mask``,
recomputed by a forward pre-hook before every call — so the pruned entries stay 0 during training
(their gradient in ``weight_orig`` is masked too) and the state_dict holds both. ``remove`` makes
the pruning permanent: ``weight`` becomes a Parameter again, holding the masked values.

Which entries a method prunes (``amount``: a count, or a fraction of the entries, rounded):

* ``l1_unstructured``: the entries of smallest |w|;
* ``random_unstructured``: entries drawn uniformly at random (from zengrad's generator);
* ``ln_structured``: whole slices along ``dim`` (rows, filters) of smallest Lₙ norm;
* ``random_structured``: whole slices at random;
* ``global_unstructured``: the entries of smallest importance across several tensors at once;
* ``custom_from_mask`` / ``identity``: a given mask / nothing.

Pruning a tensor again composes: the new method sees only what is still unpruned (the entries
where the mask is 1, or the slices with any 1 left) and its amount counts within that.
"""

from __future__ import annotations

import numbers

import numpy as np

from ...creation import generator
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..parameter import Parameter

__all__ = ["BasePruningMethod", "CustomFromMask", "Identity", "L1Unstructured", "LnStructured", "PruningContainer",
           "RandomStructured", "RandomUnstructured", "custom_from_mask", "global_unstructured", "identity",
           "is_pruned", "l1_unstructured", "ln_structured", "random_structured", "random_unstructured", "remove"]


def _check_amount(amount) -> None:
    if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
        raise TypeError(f"Invalid type for amount: {amount}. Must be int or float.")
    if (isinstance(amount, numbers.Integral) and amount < 0) or \
            (not isinstance(amount, numbers.Integral) and not 0.0 <= float(amount) <= 1.0):
        raise ValueError(f"amount={amount} should either be a float in the range [0, 1] or a non-negative integer")


def _count(amount, size: int) -> int:
    """How many of ``size`` entries (or slices) ``amount`` prunes; an int larger than size is an error."""
    if isinstance(amount, numbers.Integral):
        if amount > size:
            raise ValueError(f"amount={amount} should be smaller than the number of parameters to prune={size}")
        return int(amount)
    return int(round(float(amount) * size))


def _smallest(values: np.ndarray, count: int) -> np.ndarray:
    """Flat indices of the ``count`` smallest values (stable among ties)."""
    return np.argsort(values.reshape(-1), kind="stable")[:count]


class BasePruningMethod:
    """A pruning method: ``compute_mask(importance, default_mask)`` gives the new 0/1 mask; as a
    forward pre-hook it recomputes ``module.<name>`` = ``<name>_orig`` · ``<name>_mask``."""

    PRUNING_TYPE = "unstructured"
    _tensor_name: str

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define compute_mask")

    def apply_mask(self, module) -> Tensor:
        orig = getattr(module, self._tensor_name + "_orig")
        mask = getattr(module, self._tensor_name + "_mask")
        return mask.to(orig.dtype) * orig

    def __call__(self, module, inputs) -> None:
        setattr(module, self._tensor_name, self.apply_mask(module))

    @classmethod
    def apply(cls, module, name: str, *args, importance_scores=None, **kwargs):
        """Prune ``module.<name>`` with ``cls(*args, **kwargs)``, composing with earlier pruning."""
        earlier = [key for key, hook in module._forward_pre_hooks.items()
                   if isinstance(hook, BasePruningMethod) and hook._tensor_name == name]
        method = cls(*args, **kwargs)
        method._tensor_name = name
        if earlier:
            old = module._forward_pre_hooks.pop(earlier[0])
            container = old if isinstance(old, PruningContainer) else PruningContainer(old)
            container.add_pruning_method(method)
            method = container
        orig = getattr(module, name)
        if importance_scores is not None and tuple(importance_scores.shape) != tuple(orig.shape):
            raise ValueError(f"importance_scores should have the same shape as parameter {name} of {module}")
        importance = orig if importance_scores is None else importance_scores
        if not earlier:
            delattr(module, name)
            module.register_parameter(name + "_orig", orig)
            default_mask = Tensor(np.ones(orig.shape, dtype=orig.dtype))
        else:
            default_mask = Tensor(getattr(module, name + "_mask")._data.copy())
        with no_grad():
            mask = method.compute_mask(importance.detach(), default_mask=default_mask)
        module.register_buffer(name + "_mask", mask)
        setattr(module, name, method.apply_mask(module))
        module.register_forward_pre_hook(method)
        return method

    def remove(self, module) -> None:
        """Make the pruning permanent: ``<name>`` becomes a Parameter with the masked values."""
        with no_grad():
            weight = self.apply_mask(module)
        orig = module._parameters[self._tensor_name + "_orig"]
        module.__dict__.pop(self._tensor_name, None)
        del module._parameters[self._tensor_name + "_orig"]
        del module._buffers[self._tensor_name + "_mask"]
        orig._data = weight._data.astype(orig.dtype)
        module.register_parameter(self._tensor_name, orig if isinstance(orig, Parameter) else Parameter(orig._data))


class PruningContainer(BasePruningMethod):
    """The methods applied one after the other to one tensor: each new one prunes within what the
    mask so far leaves (its entries, or its slices along the method's dim)."""

    def __init__(self, *methods):
        self._pruning_methods: tuple = ()
        for method in methods:
            self.add_pruning_method(method)

    def add_pruning_method(self, method: BasePruningMethod) -> None:
        if not isinstance(method, BasePruningMethod):
            raise TypeError(f"{type(method)} is not a BasePruningMethod subclass")
        if self._pruning_methods and method._tensor_name != self._tensor_name:
            raise ValueError(f"Can only add pruning methods acting on the parameter named '{self._tensor_name}' to "
                             f"PruningContainer. Found '{method._tensor_name}'")
        self._tensor_name = method._tensor_name
        self._pruning_methods += (method,)

    def __len__(self) -> int:
        return len(self._pruning_methods)

    def __iter__(self):
        return iter(self._pruning_methods)

    def __getitem__(self, index):
        return self._pruning_methods[index]

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        method = self._pruning_methods[-1]
        mask = default_mask._data
        if method.PRUNING_TYPE == "unstructured":
            where = mask == 1
        elif method.PRUNING_TYPE == "structured":
            dim = method.dim % t.ndim
            keep = mask.sum(axis=tuple(d for d in range(t.ndim) if d != dim)) != 0
            where = [slice(None)] * t.ndim
            where[dim] = keep
            where = tuple(where)
        else:
            where = (slice(None),) * t.ndim
        partial = method.compute_mask(Tensor(t._data[where]), Tensor(mask[where]))
        combined = mask.astype(t.dtype).copy()
        combined[where] = partial._data
        return Tensor(combined)


class Identity(BasePruningMethod):
    """Prunes nothing (the mask is all ones)."""

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        return default_mask


class _Unstructured(BasePruningMethod):
    """Prunes the ``amount`` entries of smallest score (``_scores``: one number per entry)."""

    def __init__(self, amount):
        _check_amount(amount)
        self.amount = amount

    def _scores(self, t: Tensor) -> np.ndarray:
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        count = _count(self.amount, t.numel())
        mask = default_mask._data.copy()
        if count:
            mask.reshape(-1)[_smallest(self._scores(t), count)] = 0
        return Tensor(mask)


class RandomUnstructured(_Unstructured):
    """Prunes ``amount`` entries chosen uniformly at random."""

    def _scores(self, t: Tensor) -> np.ndarray:
        return generator("cpu").random(t.numel())


class L1Unstructured(_Unstructured):
    """Prunes the ``amount`` entries of smallest absolute value."""

    def _scores(self, t: Tensor) -> np.ndarray:
        return np.abs(t._data)


class _Structured(BasePruningMethod):
    PRUNING_TYPE = "structured"

    def __init__(self, amount, dim: int = -1):
        _check_amount(amount)
        self.amount, self.dim = amount, dim

    def _scores(self, t: Tensor) -> np.ndarray:
        raise NotImplementedError

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if t.ndim < 1 or not -t.ndim <= self.dim < t.ndim:
            raise IndexError(f"Invalid dim {self.dim} for a tensor of shape {tuple(t.shape)}")
        dim = self.dim % t.ndim
        count = _count(self.amount, t.shape[dim])
        if count == 0:
            return default_mask
        keep = np.argsort(-self._scores(t), kind="stable")[:t.shape[dim] - count]
        mask = np.zeros(t.shape, dtype=default_mask.dtype)
        where = [slice(None)] * t.ndim
        where[dim] = keep
        mask[tuple(where)] = 1
        return Tensor(mask * default_mask._data)


class LnStructured(_Structured):
    """Prunes the ``amount`` slices along ``dim`` of smallest Lₙ norm (n = 1, 2, inf, …)."""

    def __init__(self, amount, n, dim: int = -1):
        super().__init__(amount, dim)
        self.n = n

    def _scores(self, t: Tensor) -> np.ndarray:
        dim = self.dim % t.ndim
        flat = np.moveaxis(t._data, dim, 0).reshape(t.shape[dim], -1).astype(np.float64)
        return np.linalg.norm(flat, ord=self.n if self.n not in ("fro", "nuc") else 2, axis=1)


class RandomStructured(_Structured):
    """Prunes ``amount`` slices along ``dim`` chosen at random."""

    def _scores(self, t: Tensor) -> np.ndarray:
        return generator("cpu").random(t.shape[self.dim % t.ndim])


class CustomFromMask(BasePruningMethod):
    """Prunes where the given mask is 0."""

    PRUNING_TYPE = "global"

    def __init__(self, mask: Tensor):
        self.mask = mask

    def compute_mask(self, t: Tensor, default_mask: Tensor) -> Tensor:
        if tuple(default_mask.shape) != tuple(self.mask.shape):
            raise ValueError(f"custom_from_mask: a mask of shape {tuple(self.mask.shape)} for a tensor of shape "
                             f"{tuple(default_mask.shape)}")
        return Tensor(default_mask._data * self.mask._data.astype(default_mask.dtype))


def identity(module, name: str):
    """Register the pruning machinery on ``module.<name>`` with an all-ones mask; returns the module."""
    Identity.apply(module, name)
    return module


def random_unstructured(module, name: str, amount):
    RandomUnstructured.apply(module, name, amount)
    return module


def l1_unstructured(module, name: str, amount, importance_scores=None):
    L1Unstructured.apply(module, name, amount=amount, importance_scores=importance_scores)
    return module


def random_structured(module, name: str, amount, dim: int):
    RandomStructured.apply(module, name, amount, dim)
    return module


def ln_structured(module, name: str, amount, n, dim: int, importance_scores=None):
    LnStructured.apply(module, name, amount, n, dim, importance_scores=importance_scores)
    return module


def custom_from_mask(module, name: str, mask: Tensor):
    CustomFromMask.apply(module, name, mask)
    return module


def global_unstructured(parameters, pruning_method, importance_scores=None, **kwargs) -> None:
    """Prune ``(module, name)`` pairs together: the entries of smallest importance among all of
    them (an unstructured method, e.g. ``L1Unstructured`` with ``amount``)."""
    parameters = list(parameters)
    if not parameters:
        raise TypeError("global_unstructured: parameters should be a non-empty iterable of (module, name) pairs")
    importance_scores = importance_scores or {}
    scores, masks = [], []
    for module, name in parameters:
        scores.append(importance_scores.get((module, name), getattr(module, name)).detach()._data.reshape(-1))
        mask = getattr(module, name + "_mask", None)
        masks.append(np.ones(scores[-1].shape, scores[-1].dtype) if mask is None else mask._data.reshape(-1))
    method = pruning_method(**kwargs)
    if method.PRUNING_TYPE != "unstructured":
        raise TypeError(f'Only "unstructured" PRUNING_TYPE supported for the `pruning_method`. Found method '
                        f"{pruning_method} of type {method.PRUNING_TYPE}")
    method._tensor_name = "temp"
    container = PruningContainer(method)
    final = container.compute_mask(Tensor(np.concatenate(scores)), Tensor(np.concatenate(masks)))._data
    start = 0
    for module, name in parameters:
        size = getattr(module, name).numel()
        custom_from_mask(module, name, Tensor(final[start:start + size].reshape(getattr(module, name).shape)))
        start += size


def remove(module, name: str):
    """Make the pruning of ``module.<name>`` permanent; returns the module."""
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, BasePruningMethod) and hook._tensor_name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"Parameter '{name}' of module {module} has to be pruned before pruning can be removed")


def is_pruned(module) -> bool:
    """Whether ``module`` or any module inside it carries a pruning hook."""
    return any(isinstance(hook, BasePruningMethod) for m in module.modules() for hook in m._forward_pre_hooks.values())
