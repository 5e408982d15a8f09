"""Containers: Sequential (modules applied in order); ModuleList and ModuleDict (a list and a dict
that register their modules); ParameterList and ParameterDict (the same for parameters)."""

from __future__ import annotations

from collections import OrderedDict

from .module import Module
from .parameter import Parameter


def _key_at(container: Module, table: dict, index: int) -> str:
    """The name in ``table`` (a list-like container's registration table) at position ``index``
    (negative counts from the end): TypeError for a non-integer, IndexError out of range."""
    size = len(table)
    if not isinstance(index, int):
        raise TypeError(f"{type(container).__name__} indices must be integers or slices, got {type(index).__name__}")
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of range for {type(container).__name__} of length {size}")
    return list(table)[index % size]


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: indexing, length, iteration and the list edits
    (append, extend, insert, pop, del, +=), after which the children are numbered "0", "1", … again
    as PyTorch numbers them."""

    def _key(self, index: int) -> str:
        return _key_at(self, self._modules, index)

    def _renumber(self, modules) -> None:
        self._modules.clear()
        for index, module in enumerate(modules):
            self.add_module(str(index), module)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(*self._slice_arguments(index))
        return self._modules[self._key(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(self._key(index), module)

    def __delitem__(self, index) -> None:
        keys = list(self._modules)[index] if isinstance(index, slice) else [self._key(index)]
        for key in keys:
            del self._modules[key]
        self._renumber(list(self._modules.values()))

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module):
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def __iadd__(self, modules):
        return self.extend(modules)

    def insert(self, index: int, module: Module):
        """Put ``module`` before position ``index`` (−len ≤ index ≤ len, as list.insert but checked);
        returns self for a Sequential, None for a ModuleList, as PyTorch's do."""
        size = len(self._modules)
        if not -size <= index <= size:
            raise IndexError(f"Index out of range: {index} for {type(self).__name__} of length {size}")
        modules = list(self._modules.values())
        modules.insert(index % (size + 1) if index >= 0 else index + size, module)
        self._renumber(modules)
        return self if isinstance(self, Sequential) else None

    def pop(self, index: int = -1) -> Module:
        module = self[index]
        del self[index]
        return module


class Sequential(_ModuleSequence):
    """``Sequential(m0, m1, ...)`` computes ``m_k(... m1(m0(x)))``; also accepts an OrderedDict.

    Indexable (``seq[0]``, ``seq[-1]``; ``seq[1:]`` gives a Sequential), ``len``-able, iterable and
    editable as a list (append, insert, pop, del, ``+``).
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def _slice_arguments(self, index: slice) -> tuple:
        return (OrderedDict(list(self._modules.items())[index]),)

    def __add__(self, other: "Sequential") -> "Sequential":
        if not isinstance(other, Sequential):
            raise ValueError(f"add operator supports only objects of Sequential class, but {type(other)} is given.")
        return Sequential(*self, *other)

    def __mul__(self, times: int) -> "Sequential":
        """The modules ``times`` over (the same module objects, so their parameters are shared)."""
        if not isinstance(times, int) or isinstance(times, bool):
            raise TypeError(f"unsupported operand type(s) for *: {type(self)} and {type(times)}")
        if times <= 0:
            raise ValueError(f"Non-positive multiplication factor {times} for {type(self)}")
        return Sequential(*(list(self) * times))

    __rmul__ = __mul__

    def __imul__(self, times: int) -> "Sequential":
        repeated = self * times
        self._renumber(list(repeated))
        return self

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the parent sees (a plain list would hide them)."""

    def __init__(self, modules=None):
        super().__init__()
        for module in modules or ():
            self.append(module)

    def _slice_arguments(self, index: slice) -> tuple:
        return (list(self._modules.values())[index],)

    def __add__(self, other) -> "ModuleList":
        return ModuleList([*self, *other])

    def __repr__(self) -> str:
        """As PyTorch prints it: a run of children with the same text is one line,
        ``(0-2): 3 x Linear(...)``."""
        texts = [repr(module).replace("\n", "\n  ") for module in self._modules.values()]
        name = type(self).__name__
        if not texts:
            return f"{name}()"
        lines, start = [], 0
        for end in range(1, len(texts) + 1):
            if end == len(texts) or texts[end] != texts[start]:
                count = end - start
                lines.append(f"({start}): {texts[start]}" if count == 1
                             else f"({start}-{end - 1}): {count} x {texts[start]}")
                start = end
        return f"{name}(\n  " + "\n  ".join(lines) + "\n)"


class _RegisteredDict(Module):
    """A dict (string keys, insertion order) over one of the module's registration tables
    (``_table``): reading, iterating and deleting go to that table; ``__setitem__`` registers."""

    _table = "_modules"

    def _entries(self):
        return getattr(self, self._table)

    def __getitem__(self, key: str):
        return self._entries()[key]

    def __delitem__(self, key: str) -> None:
        del self._entries()[key]

    def __len__(self) -> int:
        return len(self._entries())

    def __iter__(self):
        return iter(self._entries())

    def __contains__(self, key: str) -> bool:
        return key in self._entries()

    def keys(self):
        return self._entries().keys()

    def values(self):
        return self._entries().values()

    def items(self):
        return self._entries().items()

    def pop(self, key: str):
        return self._entries().pop(key)

    def clear(self) -> None:
        self._entries().clear()

    def update(self, entries) -> None:
        for key, value in (entries.items() if hasattr(entries, "items") else entries):
            self[key] = value


class ModuleDict(_RegisteredDict):
    """A dict of modules (string keys, insertion order) whose parameters the parent sees."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)


def _parameter_lines(entries, kind) -> str:
    """PyTorch's listing of a ParameterList/ParameterDict: one line per parameter, its ``kind``
    (the dtype in a list, the tensor type — zengrad.FloatTensor — in a dict) and size."""
    return "\n".join(f"  ({key}): Parameter containing: [{kind(value)} of size "
                     f"{'x'.join(str(n) for n in value.shape)}]" for key, value in entries)


class MissingParameterError(KeyError, AttributeError):
    """A ParameterDict has no such key: an AttributeError as PyTorch raises, and the KeyError of a dict."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _as_parameter(value) -> Parameter:
    return value if isinstance(value, Parameter) else Parameter(value)


class ParameterList(Module):
    """A list of parameters a module registers (named "0", "1", …, as in PyTorch's state dict);
    tensors given to it are wrapped as Parameters. A slice gives a new ParameterList."""

    def __init__(self, values=None):
        super().__init__()
        for value in values or ():
            self.append(value)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList(list(self._parameters.values())[index])
        return self._parameters[_key_at(self, self._parameters, index)]

    def __setitem__(self, index: int, value) -> None:
        self.register_parameter(_key_at(self, self._parameters, index), _as_parameter(value))

    def __len__(self) -> int:
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def append(self, value) -> "ParameterList":
        self.register_parameter(str(len(self._parameters)), _as_parameter(value))
        return self

    def extend(self, values) -> "ParameterList":
        for value in values:
            self.append(value)
        return self

    def __iadd__(self, values) -> "ParameterList":
        return self.extend(values)

    def extra_repr(self) -> str:
        return _parameter_lines(self._parameters.items(), lambda value: f"zengrad.{value.dtype}")


class ParameterDict(_RegisteredDict):
    """A dict of parameters (string keys) a module registers; tensors are wrapped as Parameters."""

    _table = "_parameters"

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __setitem__(self, key: str, value) -> None:
        self.register_parameter(key, _as_parameter(value))

    def update(self, entries) -> None:
        """As dict.update, but a plain dict's entries are added in sorted key order, as PyTorch's
        ParameterDict adds them (an OrderedDict or a ParameterDict keeps its own order)."""
        if hasattr(entries, "items") and not isinstance(entries, (OrderedDict, ParameterDict)):
            entries = sorted(entries.items())
        super().update(entries)

    def __getitem__(self, key: str) -> Parameter:
        if key not in self._parameters:
            raise MissingParameterError(f"'ParameterDict' object has no attribute '{key}'")
        return self._parameters[key]

    def get(self, key: str, default=None):
        return self._parameters.get(key, default)

    def setdefault(self, key: str, default=None) -> Parameter:
        if key not in self._parameters:
            self[key] = default
        return self._parameters[key]

    def popitem(self) -> tuple:
        """The last (key, parameter) added, removed."""
        return self._parameters.popitem()

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same parameters (not copies of them), in the same order."""
        return ParameterDict(OrderedDict(self._parameters))

    def fromkeys(self, keys, default=None) -> "ParameterDict":
        """A new ParameterDict with each of ``keys`` holding ``default`` (one shared parameter)."""
        return ParameterDict(OrderedDict((key, default) for key in keys))

    def __reversed__(self):
        return reversed(list(self._parameters))

    def __or__(self, other: "ParameterDict") -> "ParameterDict":
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: "ParameterDict") -> "ParameterDict":
        merged = other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other: "ParameterDict") -> "ParameterDict":
        self.update(other)
        return self

    def extra_repr(self) -> str:
        return _parameter_lines(self._parameters.items(), lambda value: value.type())
