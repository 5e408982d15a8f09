"""Parametrizations (``torch.nn.utils.parametrize``): a parameter computed from others on every read.

``register_parametrization(module, "weight", P)`` makes ``module.weight`` mean ``P(original)``:
the tensor that was the weight moves to ``module.parametrizations.weight.original`` (still the same
Parameter object, so an optimizer built earlier keeps training it) and each read of
``module.weight`` computes ``P(original)`` — a symmetric matrix ``X.triu() + X.triu(1).T``, a
weight of fixed norm, an orthogonal one. Gradients reach ``original`` through ``P``.

* Several parametrizations of one tensor chain: ``P₂(P₁(original))``.
* If ``P`` has ``right_inverse(W)``, registering sets ``original = right_inverse(W)`` so the module
  computes what it did before, and assigning ``module.weight = W`` later sets
  ``original = right_inverse(W)``; ``right_inverse`` may return several tensors (``original0``,
  ``original1``, … — weight normalisation's magnitude and direction), and ``P.forward`` then takes
  them all.
* The module's class becomes a subclass named ``Parametrized<Class>`` that defines ``weight`` as a
  property (how an attribute can compute on read); ``remove_parametrizations`` restores the class.
* ``with cached():`` computes each parametrized tensor once inside the block.

The state_dict holds ``parametrizations.weight.original`` (and the parametrizations' own buffers),
as PyTorch's does.
"""

from __future__ import annotations

import contextlib

from ...autograd import increment_version
from ...grad_mode import no_grad
from ...tensor import Tensor
from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = ["ParametrizationList", "cached", "is_parametrized", "register_parametrization",
           "remove_parametrizations", "type_before_parametrizations"]

_cache: dict | None = None  # (id(module), name) → tensor, inside ``cached()``


@contextlib.contextmanager
def cached():
    """Inside the block each parametrized tensor is computed on its first read and reused."""
    global _cache
    outer = _cache
    _cache = {} if outer is None else outer
    try:
        yield
    finally:
        _cache = outer


def _assign(target: Tensor, value: Tensor) -> None:
    """``target`` takes ``value``'s values and shape, staying the same object (PyTorch's ``set_``)."""
    target._data = value._data.copy()
    increment_version(target)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the original tensor(s) they read."""

    def __init__(self, modules, original: Tensor, unsafe: bool = False):
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            value = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    value = module.right_inverse(value)
        if isinstance(value, Tensor):
            if value is not original:
                _assign(original, value)
            self._register_original("original", original)
            self.is_tensor, self.ntensors = True, 1
        else:
            for i, part in enumerate(value):
                self._register_original(f"original{i}", Parameter(part._data.copy(), requires_grad=original.requires_grad)
                                        if isinstance(original, Parameter) else Tensor(part._data.copy()))
            self.is_tensor, self.ntensors = False, len(value)

    def _register_original(self, name: str, tensor: Tensor) -> None:
        if isinstance(tensor, Parameter):
            self.register_parameter(name, tensor)
        else:
            self.register_buffer(name, tensor)

    def originals(self) -> list[Tensor]:
        return [self.original] if self.is_tensor else [getattr(self, f"original{i}") for i in range(self.ntensors)]

    def right_inverse(self, value: Tensor) -> None:
        """Set the original(s) so that this list computes ``value``."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not implement right_inverse.")
                value = module.right_inverse(value)
            parts = [value] if isinstance(value, Tensor) else list(value)
            for target, part in zip(self.originals(), parts):
                _assign(target, part)

    def forward(self) -> Tensor:
        modules = list(self)
        value = modules[0](*self.originals())
        for module in modules[1:]:
            value = module(value)
        return value


def _parametrized_getter(name: str):
    def get(self):
        if _cache is None:
            return self.parametrizations[name]()
        key = (id(self), name)
        if key not in _cache:
            _cache[key] = self.parametrizations[name]()
        return _cache[key]
    return get


def _parametrized_setattr(self, name: str, value) -> None:
    parametrizations = self.__dict__.get("_modules", {}).get("parametrizations")
    if parametrizations is not None and name in parametrizations:
        parametrizations[name].right_inverse(value)
    else:
        Module.__setattr__(self, name, value)


def _refuse_pickling(self):
    raise RuntimeError("Serialization of parametrized modules is only supported through state_dict().")


def _parametrized_class(base: type, names) -> type:
    """A new ``Parametrized<Base>`` class, with a property for each parametrized tensor name
    (one class per module, so removing a parametrization from one module leaves the others)."""
    cls = type(f"Parametrized{base.__name__}", (base,), {
        "__setattr__": _parametrized_setattr, "__getstate__": _refuse_pickling, "__deepcopy__": _deepcopy,
        "_class_before_parametrizations": base})
    for name in names:
        setattr(cls, name, property(_parametrized_getter(name)))
    return cls


def _deepcopy(self, memo):
    """A copy with its own parametrized class (``copy.deepcopy`` works, as in PyTorch)."""
    import copy
    clone = object.__new__(_parametrized_class(type_before_parametrizations(self), self.parametrizations.keys()))
    memo[id(self)] = clone
    clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
    return clone


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False):
    """Make ``module.<tensor_name>`` read as ``parametrization(original)`` (see the module's
    docstring); returns the module."""
    if not isinstance(parametrization, Module):
        raise TypeError(f"register_parametrization: the parametrization must be a Module, got "
                        f"{type(parametrization).__name__}")
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    original = module._parameters.get(tensor_name, module._buffers.get(tensor_name))
    if original is None:
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{tensor_name}'")
    delattr(module, tensor_name)
    if not is_parametrized(module):
        module.__class__ = _parametrized_class(type(module), ())
        module.parametrizations = ModuleDict()
    module.parametrizations[tensor_name] = ParametrizationList([parametrization], original, unsafe=unsafe)
    setattr(type(module), tensor_name, property(_parametrized_getter(tensor_name)))
    return module


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has any parametrization (or one of ``tensor_name``)."""
    parametrizations = module.__dict__.get("_modules", {}).get("parametrizations")
    if not isinstance(parametrizations, ModuleDict) or "_class_before_parametrizations" not in type(module).__dict__:
        return False
    return tensor_name is None or tensor_name in parametrizations


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before its first parametrization."""
    return type(module).__dict__.get("_class_before_parametrizations", type(module))


def remove_parametrizations(module: Module, tensor_name: str, leave_parametrized: bool = True) -> Module:
    """Undo the parametrizations of ``tensor_name``: it becomes a Parameter again, holding the
    parametrized value (``leave_parametrized``) or the original; the first original stays the
    same object when there is one."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    chain = module.parametrizations[tensor_name]
    if chain.is_tensor:
        original = chain.original
        if leave_parametrized:
            with no_grad():
                _assign(original, getattr(module, tensor_name))
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                             "parametrized in terms of a sequence of tensors.")
        with no_grad():
            value = getattr(module, tensor_name)
        original = Parameter(value._data.copy(), requires_grad=chain.original0.requires_grad)
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    if isinstance(original, Parameter):
        module.register_parameter(tensor_name, original)
    else:
        module.register_buffer(tensor_name, original)
    if not len(module.parametrizations):
        delattr(module, "parametrizations")
        module.__class__ = type_before_parametrizations(module)
    return module
