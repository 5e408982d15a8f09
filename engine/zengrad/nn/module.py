"""Module: the base class of every layer — it owns parameters, buffers and submodules.

Assigning a :class:`Parameter`, a :class:`Module` or (for names made with ``register_buffer``) a
Tensor as an attribute registers it, so ``parameters()``, ``state_dict()``, ``to()`` and
``train()/eval()`` find it without any bookkeeping in the subclass. Names are dotted paths, as in
PyTorch: ``"0.weight"``, ``"encoder.layer1.bias"``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Iterator, NamedTuple

import numpy as np

from .. import backend
from ..autograd import increment_version
from ..grad_mode import is_grad_enabled, no_grad
from ..hooks import RemovableHandle
from ..placement import PlacementShortcuts, to_arguments
from ..ops.memory_format import channels_last, channels_last_3d, laid_out
from ..tensor import Tensor
from .backward_hooks import gate_inputs, gate_outputs
from .parameter import Buffer, Parameter


class StateDictError(RuntimeError, ValueError):
    """``load_state_dict`` found missing or unexpected keys, or a shape that does not fit.

    A RuntimeError as in PyTorch, and a ValueError as zengrad's checkpoint errors are.
    """


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` skipped."""

    missing_keys: list
    unexpected_keys: list

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


def _as_array(value):
    """A state_dict value as a NumPy or CuPy array (Tensors, arrays, lists, other array-likes)."""
    if isinstance(value, Tensor):
        return value._data
    if isinstance(value, np.ndarray) or type(value).__module__.startswith("cupy"):
        return value
    return np.asarray(value)


def _key_problems(strict: bool, missing: list, unexpected: list) -> list:
    """load_state_dict's lines for the missing and unexpected keys, worded (and spaced) as PyTorch's; none unless strict."""
    lines = []
    if strict and missing:
        lines.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
    if strict and unexpected:
        lines.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
    return lines


def _checked_value(name: str, value, target: Tensor):
    """(the value as an array, None), or (None, why it cannot be copied into ``target``).

    A one-element 1-D value for a 0-d entry is read as a scalar (PyTorch's allowance for old
    checkpoints); a value of another dtype is cast, unless the cast loses something (2.5 into an
    integer entry, 2 into a bool one).
    """
    try:
        array = _as_array(value)
    except (TypeError, ValueError) as error:
        return None, f"{name}: {type(value).__name__} value is not an array ({error})."
    kind = np.dtype(array.dtype).kind
    if kind not in "biuf":
        return None, f"{name}: value of type {type(value).__name__} with dtype {array.dtype} is not numeric."
    if target.ndim == 0 and tuple(array.shape) == (1,):
        array = array.reshape(())
    if np.dtype(target.dtype).kind in "biu" and kind != np.dtype(target.dtype).kind and \
            not bool((array.astype(target.dtype) == array).all()):
        return None, f"{name}: a {array.dtype} value cannot be copied into the {target.dtype} entry without loss."
    return array, None


class SubmoduleLookupError(AttributeError, ValueError):
    """``get_submodule`` / ``get_parameter`` / ``get_buffer`` found no such name, or a name of
    the wrong kind. An AttributeError as in PyTorch, and a ValueError (a bad argument)."""


class ModuleNameError(KeyError, ValueError):
    """A parameter's, buffer's or child module's name is empty, holds a dot or is taken by another
    attribute. A KeyError as in PyTorch, and a ValueError."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _refuse_arrays(module, args, where: str = "argument") -> None:
    """A TypeError for a NumPy/CuPy array (or a tuple holding one) among a module's arguments."""
    for i, arg in enumerate(args):
        if isinstance(arg, (tuple, list)):
            _refuse_arrays(module, arg, f"{where} {i}, element")
        elif not isinstance(arg, Tensor) and (hasattr(arg, "__array_interface__")
                                              or hasattr(arg, "__cuda_array_interface__")):
            kind = type(arg)
            raise TypeError(f"{type(module).__name__}: expected a Tensor as {where} {i}, got "
                            f"{kind.__module__}.{kind.__qualname__} of shape {tuple(getattr(arg, 'shape', ()))}; "
                            "make one with zengrad.tensor(...)")


def _checked_hook(module, hook):
    if not callable(hook):
        raise TypeError(f"{type(module).__name__}: a hook must be callable, got {type(hook).__name__}")
    return hook


class Module(PlacementShortcuts):
    """Base class for layers and models. Subclasses set attributes in ``__init__`` (after
    ``super().__init__()``) and define ``forward``; calling the module calls ``forward``."""

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_backward_hooks", OrderedDict())

    # ---- registration ---------------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            if isinstance(value, (Parameter, Module, Buffer)):  # a plain attribute may come first, as in PyTorch
                raise AttributeError(f"cannot assign {name!r} ({type(value).__name__}) before Module.__init__() "
                                     "is called")
            object.__setattr__(self, name, value)
            return
        if isinstance(value, Parameter):
            self._forget(name, self._parameters)
            self._parameters[name] = value
        elif name in self._parameters:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                                "(zengrad.nn.Parameter or None expected)")
            self._parameters[name] = None
        elif isinstance(value, Module):
            self._forget(name, self._modules)
            self._modules[name] = value
        elif name in self._modules:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' "
                                "(zengrad.nn.Module or None expected)")
            self._modules[name] = None
        elif isinstance(value, Buffer):
            self.register_buffer(name, value, value.persistent)
        elif name in self._buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                                "(zengrad.Tensor or None expected)")
            self._buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, keep: dict) -> None:
        """Drop ``name`` from wherever it is registered but ``keep``, the table it is about to be
        registered in again (where it keeps its place in the order, as in PyTorch)."""
        self.__dict__.pop(name, None)
        for table in (self._parameters, self._buffers, self._modules):
            if table is not keep:
                table.pop(name, None)

    def __getattr__(self, name: str):
        for table in ("_parameters", "_buffers", "_modules"):
            entries = self.__dict__.get(table)
            if entries is not None and name in entries:
                return entries[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for table in (self._parameters, self._buffers, self._modules):
            if name in table:
                del table[name]
                return
        object.__delattr__(self, name)

    def _check_new_name(self, name, kind: str, table: dict) -> None:
        """PyTorch's checks of a name given to ``register_parameter``/``register_buffer``/``add_module``
        (``kind``: "parameter", "buffer", "module"): a string (TypeError), not empty and without a dot,
        and not an attribute of another kind already (KeyError)."""
        if not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: {kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise ModuleNameError(f"{type(self).__name__}: {kind} name can't contain \".\", got: {name}")
        if not name:
            raise ModuleNameError(f"{type(self).__name__}: {kind} name can't be empty string \"\"")
        if name not in table and hasattr(self, name):
            raise ModuleNameError(f"{type(self).__name__}: attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or None, a declared-but-absent one like ``bias=False``)."""
        self._check_new_name(name, "parameter", self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign {type(param).__name__} as parameter {name!r} (Parameter or None required)")
        self._forget(name, self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not learnable (e.g. BatchNorm's running mean).

        Persistent buffers are saved in ``state_dict``; ``to()`` moves every buffer.
        """
        self._check_new_name(name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign {type(tensor).__name__} as buffer {name!r} (Tensor or None required)")
        self._forget(name, self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self.__dict__.setdefault("_non_persistent", set()).add(name)
        else:
            self.__dict__.get("_non_persistent", set()).discard(name)

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module (or None) under ``name``, as assigning ``self.name = module`` does."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_new_name(name, "module", self._modules)
        self._forget(name, self._modules)
        self._modules[name] = module

    def register_module(self, name: str, module: "Module | None") -> None:
        """Alias of :meth:`add_module`."""
        self.add_module(name, module)

    # ---- calling --------------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} has no forward() method")

    #: Whether ``forward`` takes NumPy arrays (the classic models, fitted like scikit-learn's).
    #: Layers and losses take Tensors, as in PyTorch: an array is refused naming the module.
    takes_arrays = False

    def __call__(self, *args, **kwargs):
        if not self.takes_arrays:
            _refuse_arrays(self, args)
        with_kwargs = self.__dict__.get("_hooks_with_kwargs", ())
        for key, hook in list(self._forward_pre_hooks.items()):
            if key in with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {result}.")
                    args, kwargs = result
                continue
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        backward_hooks = self.__dict__.get("_backward_hooks")
        if backward_hooks and is_grad_enabled():
            args, record = gate_inputs(self, list(backward_hooks.values()), args)
        output = self.forward(*args, **kwargs)
        for key, hook in list(self._forward_hooks.items()):
            result = hook(self, args, kwargs, output) if key in with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        if backward_hooks and is_grad_enabled():
            output = gate_outputs(output, record)
        return output

    def _add_forward_hook(self, table: OrderedDict, hook, prepend: bool, with_kwargs: bool) -> "RemovableHandle":
        handle = RemovableHandle(table, _checked_hook(self, hook), prepend)
        if with_kwargs:
            self.__dict__.setdefault("_hooks_with_kwargs", set()).add(handle.id)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> "RemovableHandle":
        """Call ``hook(module, args)`` before every ``forward``; a non-None result replaces the
        positional arguments (a tuple, or a single value). Returns a handle whose ``remove()``
        unregisters it. Hooks run in the order they were registered (``prepend=True`` puts this
        one first), as in PyTorch. With ``with_kwargs=True`` it is ``hook(module, args, kwargs)``
        and returns None or a pair (args, kwargs).
        """
        return self._add_forward_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False) -> "RemovableHandle":
        """Call ``hook(module, args, output)`` after every ``forward`` (``args``: the positional
        arguments forward received, after any pre-hooks); a non-None result replaces the output,
        and the next hook sees the replacement. Returns a handle whose ``remove()`` unregisters it.
        Hooks run in the order they were registered (``prepend=True`` puts this one first). With
        ``with_kwargs=True`` it is ``hook(module, args, kwargs, output)``. (``always_call`` is
        accepted: a forward that raises skips the hooks here.)
        """
        return self._add_forward_hook(self._forward_hooks, hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook, prepend: bool = False) -> "RemovableHandle":
        """Call ``hook(module, grad_input, grad_output)`` in every backward pass through a call of
        this module, once the gradients with respect to its tensor inputs are known (None for an
        input that does not require grad); a non-None result (a tuple like grad_input) replaces
        them. grad_output holds the gradients that reached the outputs (see
        :mod:`zengrad.nn.backward_hooks`)."""
        return RemovableHandle(self._backward_hooks, _checked_hook(self, hook), prepend)

    # ---- traversal ------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """This module and every module below it, each once (under every name it has with
        ``remove_duplicate=False``), with dotted names ("" for self)."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name, remove_duplicate)

    def get_submodule(self, target: str) -> "Module":
        """The module at dotted path ``target`` ("" is this module): ``"encoder.layers.0"``."""
        if not isinstance(target, str):
            raise TypeError(f"{type(self).__name__}.get_submodule: target should be a string, got "
                            f"{type(target).__name__}")
        module = self
        where = f"{type(self).__name__}.get_submodule({target!r})"
        for item in target.split(".") if target else ():
            if module._modules.get(item) is None:
                if hasattr(module, item):
                    raise SubmoduleLookupError(f"{where}: `{item}` of {type(module).__name__} is not an nn.Module")
                raise SubmoduleLookupError(f"{where}: {type(module).__name__} has no submodule `{item}`")
            module = module._modules[item]
        return module

    def _get_member(self, target: str, table: str, kind: str):
        """The parameter or buffer (``table``) at dotted path ``target``."""
        if not isinstance(target, str):
            raise TypeError(f"{type(self).__name__}.get_{kind}: target should be a string, got {type(target).__name__}")
        path, _, name = target.rpartition(".")
        module = self.get_submodule(path)
        member = getattr(module, table).get(name)
        if member is None and not (kind == "buffer" and name in module._buffers):  # a None buffer is returned
            where = f"{type(self).__name__}.get_{kind}({target!r})"
            if hasattr(module, name):
                raise SubmoduleLookupError(f"{where}: `{name}` of {type(module).__name__} is not a {kind}")
            raise SubmoduleLookupError(f"{where}: {type(module).__name__} has no {kind} `{name}`")
        return member

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at dotted path ``target``: ``"encoder.0.weight"``."""
        return self._get_member(target, "_parameters", "parameter")

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at dotted path ``target``: ``"bn.running_mean"``."""
        return self._get_member(target, "_buffers", "buffer")

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """(name, child) for each direct child, a child held under two names listed once (its first)."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool, remove_duplicate: bool = True):
        seen: set[int] = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) for every parameter, shared ones listed once (under each of
        their names with ``remove_duplicate=False``)."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn) -> "Module":
        """Call ``fn(module)`` on every submodule (children first) and on self; returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients --------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``.training``) here and in every submodule; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: ``train(False)`` (Dropout is the identity, BatchNorm uses running stats)."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's ``.grad`` (to None by default, as PyTorch does)."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad = Tensor(param.xp.zeros_like(param.grad._data))

    # ---- devices and dtypes ---------------------------------------------------------------
    def to(self, *args, dtype=None, device=None, non_blocking: bool = False, memory_format=None) -> "Module":
        """Move parameters and buffers to a device and/or cast floating ones to a dtype, in place.

        ``to("cuda")``, ``to(zengrad.float64)``, ``to("cpu", zengrad.float32)``; ``memory_format``
        (``zengrad.channels_last``) re-lays the 4-d (or, for channels_last_3d, 5-d) parameters and
        buffers. Parameters keep their identity (their ``.data`` is replaced), so an optimizer built
        earlier still holds them.
        """
        device, dtype = to_arguments(args, dtype, device)
        device = None if device is None else backend.normalize_device(device)
        dtype = None if dtype is None else np.dtype(dtype)
        if dtype is not None and dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, got {dtype}")

        def convert(array):
            if device is not None:
                array = backend.to_device(array, device)
            if dtype is not None and array.dtype.kind == "f":
                array = array.astype(dtype, copy=False)
            if memory_format is not None and array.ndim == {channels_last: 4, channels_last_3d: 5}.get(memory_format):
                array = laid_out(Tensor(array), memory_format)._data
            return array

        for module in self.modules():
            for param in module._parameters.values():
                if param is not None and convert(param._data) is not param._data:
                    param.data = convert(param._data)  # counts as an in-place change (a new version)
                    if param.grad is not None:
                        param.grad = Tensor(convert(param.grad._data))
            for buffer in module._buffers.values():
                if buffer is not None and convert(buffer._data) is not buffer._data:
                    buffer.data = convert(buffer._data)
        return self

    # ---- state ----------------------------------------------------------------------------
    def __dir__(self):
        """Attributes plus registered names, less the numbered entries of containers ("0", "1"), as PyTorch's."""
        names = set(super().__dir__()).union(self._parameters, self._buffers, self._modules)
        return sorted(name for name in names if not name[0].isdigit())

    def compile(self, *args, **kwargs) -> None:
        """PyTorch compiles the module's forward in place; zengrad runs every op eagerly, so the
        module stays as it is (see ``zengrad.compile``)."""

    def share_memory(self) -> "Module":
        """PyTorch moves tensors to shared memory for worker processes; zengrad's DataLoader runs in
        this process, so there is nothing to share: returns self."""
        return self

    def type(self, dst_type) -> "Module":
        """Cast every floating parameter and buffer to ``dst_type`` (PyTorch's ``module.type``)."""
        return self.to(dst_type)

    def _persistent_buffers(self) -> Iterator[tuple[str, Tensor]]:
        skipped = self.__dict__.get("_non_persistent", set())
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in skipped:
                yield name, buffer

    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Every parameter and persistent buffer by dotted name, as Tensors sharing memory.

        ``keep_vars=False`` (the default) gives detached tensors, as PyTorch does. Each module's
        state_dict hooks run around its own entries (see :meth:`register_state_dict_pre_hook`).
        """
        return self._collect_state(OrderedDict() if destination is None else destination, prefix, keep_vars, True)

    def _collect_state(self, destination, prefix: str, keep_vars: bool, hooks: bool):
        """state_dict's walk; ``hooks=False`` (what load_state_dict reads) leaves the hooks out."""
        tables = self.__dict__ if hooks else {}
        for hook in tables.get("_state_dict_pre_hooks", {}).values():
            hook(self, prefix, keep_vars)
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buffer in self._persistent_buffers():
            destination[prefix + name] = buffer if keep_vars else buffer.detach()
        for name, module in self._modules.items():
            if module is not None:
                module._collect_state(destination, prefix + name + ".", keep_vars, hooks)
        for hook in tables.get("_state_dict_hooks", {}).values():
            if hook(self, destination, prefix, {}) is not None:
                raise RuntimeError("state_dict post-hook must return None")
        return destination

    def _state_hooks(self, table: str) -> OrderedDict:
        return self.__dict__.setdefault(table, OrderedDict())

    def register_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, prefix, keep_vars)`` before ``state_dict`` collects this module's entries."""
        return RemovableHandle(self._state_hooks("_state_dict_pre_hooks"), _checked_hook(self, hook))

    def register_state_dict_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata)`` once ``state_dict`` has this
        module's entries and its children's; it may edit ``state_dict`` in place and returns None."""
        return RemovableHandle(self._state_hooks("_state_dict_hooks"), _checked_hook(self, hook))

    def register_load_state_dict_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, state_dict, prefix, local_metadata, strict, missing_keys,
        unexpected_keys, error_msgs)`` before ``load_state_dict`` reads this module's entries: it may
        edit (a copy of) ``state_dict``, add keys to the two lists, and messages to ``error_msgs``
        (which make the load fail)."""
        return RemovableHandle(self._state_hooks("_load_state_dict_pre_hooks"), _checked_hook(self, hook))

    def register_load_state_dict_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, incompatible_keys)`` after ``load_state_dict`` has copied the values;
        it may remove keys from ``incompatible_keys.missing_keys``/``unexpected_keys`` (in place)
        before ``strict`` checks them. With such hooks present a strict load that then fails has
        already copied the values (as PyTorch's); without them nothing is copied first."""
        return RemovableHandle(self._state_hooks("_load_state_dict_post_hooks"), _checked_hook(self, hook))

    def _complete_state_dict(self, state_dict: dict, prefix: str) -> None:
        """Add to (a copy of) a state_dict being loaded what an older checkpoint lacks, under
        ``prefix``; nothing here (BatchNorm keeps its num_batches_tracked when it is missing)."""

    def _state_entries(self) -> OrderedDict:
        """name -> the live Tensor (parameter or buffer) that ``load_state_dict`` writes into."""
        return self._collect_state(OrderedDict(), "", True, False)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False) -> IncompatibleKeys:
        """Copy values from ``state_dict`` (name -> Tensor or array) into parameters and buffers.

        With ``assign=True`` the values replace the parameters and buffers instead (each value
        becomes a new Parameter — a Parameter given is kept itself — with the old one's requires_grad,
        on the old one's device and in the value's own dtype), as PyTorch's ``assign``; optimizers
        built before then still hold the old ones.

        Copies are made in place (``param._data[...] = value``) on each parameter's own device and
        dtype, so optimizers and views keep pointing at the same arrays. With ``strict`` (the
        default) a missing or unexpected key raises; a shape mismatch, a value that is not numeric
        (a string, None, an object array) and a value an integer or bool buffer cannot hold exactly
        always raise, naming the key. Everything is checked first: nothing is modified when an error
        is raised (unless a load_state_dict post-hook is registered, see
        :meth:`register_load_state_dict_post_hook`). Modules' load_state_dict pre-hooks run first.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict: expected a dict of name -> tensor, got {type(state_dict).__name__}")
        state_dict = OrderedDict(state_dict)  # modules may complete it; the caller's stays as it was
        hook_missing, hook_unexpected, problems = [], [], []
        for prefix, module in self.named_modules():
            prefix = prefix + "." if prefix else ""
            if hasattr(module, "materialize_from"):  # a lazy module takes the loaded values' shapes
                module.materialize_from(state_dict, prefix)
            module._complete_state_dict(state_dict, prefix)
            hooks = module.__dict__.get("_load_state_dict_pre_hooks", {}).values()
            if hooks:  # each sees (and may edit) the entries under its module's prefix, as in PyTorch
                local = OrderedDict((key, value) for key, value in state_dict.items() if key.startswith(prefix))
                for hook in hooks:
                    hook(module, local, prefix, {}, strict, hook_missing, hook_unexpected, problems)
                for key in [key for key in state_dict if key.startswith(prefix) and key not in local]:
                    del state_dict[key]
                state_dict.update(local)
        own = self._state_entries()
        missing = hook_missing + [name for name in own if name not in state_dict]
        unexpected = hook_unexpected + [name for name in state_dict if name not in own]
        post_hooks = [(module, hook) for _, module in self.named_modules()
                      for hook in module.__dict__.get("_load_state_dict_post_hooks", {}).values()]
        if not post_hooks:
            problems[:0] = _key_problems(strict, missing, unexpected)
        arrays = {}
        for name, target in own.items():
            if name not in state_dict:
                continue
            array, problem = _checked_value(name, state_dict[name], target)
            if problem:
                problems.append(problem)
                continue
            if tuple(array.shape) != target.shape:
                problems.append(f"size mismatch for {name}: copying a param with shape {tuple(array.shape)} "
                                f"from checkpoint, the shape in current model is {target.shape}.")
                continue
            arrays[name] = array
        self._raise_if(problems)
        with no_grad():
            for name, array in arrays.items():
                target = own[name]
                if assign:
                    value = state_dict[name]
                    same = isinstance(value, Parameter) and value.device == target.device and value.shape == target.shape
                    self._assign(name, target, value if same else Tensor(backend.to_device(array, target.device)))
                    continue
                target._data[...] = backend.to_device(array, target.device).astype(target.dtype, copy=False)
                increment_version(target)
        result = IncompatibleKeys(missing, unexpected)
        for module, hook in post_hooks:
            if hook(module, result) is not None:
                raise RuntimeError("load_state_dict post-hook must return None")
        self._raise_if(_key_problems(strict, missing, unexpected) if post_hooks else [])
        return result

    def _raise_if(self, problems: list) -> None:
        if problems:
            raise StateDictError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                                 + "\n\t".join(problems))

    def _assign(self, name: str, old: Tensor, value: Tensor) -> None:
        owner_path, _, attribute = name.rpartition(".")
        owner = self.get_submodule(owner_path)
        if attribute in owner._parameters:  # a Parameter given is kept (itself), as in PyTorch
            owner._parameters[attribute] = (value.requires_grad_(old.requires_grad) if isinstance(value, Parameter)
                                            else Parameter(value, requires_grad=old.requires_grad))
        else:
            owner._buffers[attribute] = value

    # ---- printing -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (its constructor arguments)."""
        return ""

    def __repr__(self) -> str:
        """PyTorch's layout: a one-line extra_repr inside the parentheses when there are no
        children, otherwise one line per extra_repr line and per child, children indented."""
        extra = [line for line in self.extra_repr().split("\n") if line]
        lines = extra + [f"({name}): " + repr(module).replace("\n", "\n  ") for name, module in self._modules.items()]
        if len(extra) <= 1 and not self._modules:
            return f"{type(self).__name__}({''.join(extra)})"
        body = "\n  ".join(lines)
        return f"{type(self).__name__}(\n  {body}\n)"
