"""Containers: Sequential (modules applied in order) and ModuleList (a list that registers)."""

from __future__ import annotations

from collections import OrderedDict

from .module import Module


class Sequential(Module):
    """``Sequential(m0, m1, ...)`` computes ``m_k(... m1(m0(x)))``; also accepts an OrderedDict.

    Indexable (``seq[0]``, ``seq[1:]`` gives a Sequential), ``len``-able and iterable.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def _index(self, index: int) -> str:
        size = len(self._modules)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of length {size}")
        return list(self._modules)[index % size]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return self._modules[self._index(index)]

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(self._index(index), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules whose parameters the parent sees (a plain list would hide them)."""

    def __init__(self, modules=None):
        super().__init__()
        for module in modules or ():
            self.append(module)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ModuleList(list(self._modules.values())[index])
        size = len(self._modules)
        if not -size <= index < size:
            raise IndexError(f"index {index} is out of range for ModuleList of length {size}")
        return list(self._modules.values())[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules) -> "ModuleList":
        for module in modules:
            self.append(module)
        return self
