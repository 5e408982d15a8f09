"""Optimizer: parameter groups, per-parameter state, zero_grad, and state_dict for resuming.

Subclasses implement ``step()``; updates work on raw arrays under ``no_grad`` and write into
``param._data`` in place, so views of a parameter and modules holding it see the new values.
"""

from __future__ import annotations

import collections
import copy
import functools
import warnings

import numpy as np

from .. import backend
from ..grad_mode import enable_grad, no_grad
from ..autograd import increment_version
from ..hooks import RemovableHandle
from ..nn.utils import write_grad
from ..tensor import Tensor


#: PyTorch's switches between implementations of the same update (multi-tensor loops, fused
#: kernels, CUDA-graph capture, an update autograd can differentiate through), with their
#: defaults. zengrad has one implementation, so they change nothing; each optimizer accepts
#: those its PyTorch namesake accepts (its ``switches``) and keeps them in its parameter groups.
IMPLEMENTATION_SWITCHES = {"foreach": None, "fused": None, "capturable": False, "differentiable": False}

#: What an optimizer's hooks can be registered for (its register_*_hook methods).
HOOK_KINDS = ("step_pre", "step_post", "state_dict_pre", "state_dict_post", "load_state_dict_pre",
              "load_state_dict_post")

#: Step hooks every optimizer runs (its own pre-hooks after these, its post-hooks before).
_GLOBAL_STEP_HOOKS = {"step_pre": collections.OrderedDict(), "step_post": collections.OrderedDict()}


def register_optimizer_step_pre_hook(hook) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` before every optimizer's ``step`` (see
    :meth:`Optimizer.register_step_pre_hook`)."""
    return RemovableHandle(_GLOBAL_STEP_HOOKS["step_pre"], hook)


def register_optimizer_step_post_hook(hook) -> RemovableHandle:
    """Call ``hook(optimizer, args, kwargs)`` after every optimizer's ``step``."""
    return RemovableHandle(_GLOBAL_STEP_HOOKS["step_post"], hook)


#: The switches most of PyTorch's optimizers take (SGD, Adam and Adagrad take ``fused`` as well).
USUAL_SWITCHES = ("foreach", "capturable", "differentiable")


def _with_step_hooks(step):
    """``step`` wrapped to run the optimizer's step hooks around it (PyTorch's order and contract)."""

    @functools.wraps(step)
    def hooked(*args, **kwargs):
        optimizer = args[0]
        hooks = optimizer._hooks
        if optimizer.__dict__.get("_stepping") or not (  # no hooks (the usual step), or they ran already
                hooks["step_pre"] or hooks["step_post"] or _GLOBAL_STEP_HOOKS["step_pre"]
                or _GLOBAL_STEP_HOOKS["step_post"]):
            out = step(*args, **kwargs)
            optimizer._opt_called = True  # read by the lr schedulers' check of the call order
            return out
        for hook in [*_GLOBAL_STEP_HOOKS["step_pre"].values(), *optimizer._hooks["step_pre"].values()]:
            result = hook(optimizer, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), but got "
                                       f"{result}.")
                args, kwargs = result
        optimizer._stepping = True
        try:
            out = step(*args, **kwargs)
        finally:
            optimizer._stepping = False
        optimizer._opt_called = True  # read by the lr schedulers' check of the call order
        for hook in [*optimizer._hooks["step_post"].values(), *_GLOBAL_STEP_HOOKS["step_post"].values()]:
            hook(optimizer, args, kwargs)
        return out

    return hooked


class Optimizer:
    """Base class. ``params`` is an iterable of tensors or of dicts (parameter groups) with a
    ``"params"`` entry and per-group options that override ``defaults``. A subclass defines
    ``_update`` (one parameter's update, which the base ``step`` calls) or, as in PyTorch, its own
    ``step`` looping over ``param_groups``.

    Every subclass's constructor also takes the keyword-only switches of IMPLEMENTATION_SWITCHES
    that PyTorch's takes (``switches``; accepted, no effect) — ``differentiable`` False only: an
    update that autograd could differentiate through is not supported. ``step``, ``state_dict``
    and ``load_state_dict`` run the hooks registered for them (HOOK_KINDS) as PyTorch's do.
    """

    #: The implementation switches this optimizer's constructor takes (as its PyTorch namesake's;
    #: none for an optimizer defined outside zengrad).
    switches: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _with_step_hooks(cls.__dict__["step"])
        if "__init__" not in cls.__dict__:
            return
        constructor = cls.__init__

        @functools.wraps(constructor)
        def init(self, *args, **settings):
            switches = {name: settings.pop(name, default) for name, default in IMPLEMENTATION_SWITCHES.items()
                        if name in cls.switches}
            if switches.get("differentiable"):
                raise NotImplementedError(f"{cls.__name__}: differentiable=True is not supported")
            self.__dict__.setdefault("_switches", switches)  # the outermost constructor's (AdamW's, not Adam's)
            constructor(self, *args, **settings)

        cls.__init__ = init

    def __init__(self, params, defaults: dict):
        self.defaults = {**defaults, **self.__dict__.pop("_switches", {})}
        self.state: dict[Tensor, dict] = collections.defaultdict(dict)
        self.param_groups: list[dict] = []
        self._hooks = {kind: collections.OrderedDict() for kind in HOOK_KINDS}
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors "
                            f"or dicts, but got {type(params).__name__}")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own options (e.g. a different ``lr``)."""
        group = dict(param_group)
        params = group["params"]
        group["params"] = [params] if isinstance(params, Tensor) else list(params)
        # PyTorch also takes module.named_parameters(): (name, tensor) pairs
        group["params"] = [p[1] if isinstance(p, tuple) and len(p) == 2 else p for p in group["params"]]
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(param).__name__}")
            if param.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in group["params"]}:
            raise ValueError("some parameters appear in more than one parameter group")
        if len({id(p) for p in group["params"]}) != len(group["params"]):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error", UserWarning, stacklevel=3)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter: to None by default, else zero them in place (a
        read-only gradient, such as a broadcast view, is replaced by zeros), as PyTorch does."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    write_grad(param, 0)

    @_with_step_hooks
    def step(self, closure=None):
        """One update of every parameter with a gradient; ``closure`` re-evaluates the loss. A
        0-d Tensor ``lr`` is read as its number."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                if isinstance(group["lr"], Tensor):
                    group = {**group, "lr": group["lr"].item()}
                for param in group["params"]:
                    if param.grad is not None:
                        state = self.state[param]
                        self._update(param, param.grad._data, group, state)
                        increment_version(param)
                        if not state:  # an update that keeps none (SGD without momentum) leaves none
                            del self.state[param]
        return loss

    def register_step_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` before each ``step`` (``args`` starts with the
        optimizer); it returns None or a pair ``(new_args, new_kwargs)`` that the step takes instead."""
        return RemovableHandle(self._hooks["step_pre"], hook)

    def register_step_post_hook(self, hook) -> RemovableHandle:
        """Call ``hook(optimizer, args, kwargs)`` after each ``step``."""
        return RemovableHandle(self._hooks["step_post"], hook)

    def register_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` before :meth:`state_dict` builds its dict."""
        return RemovableHandle(self._hooks["state_dict_pre"], hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` on the dict :meth:`state_dict` built; a dict it
        returns is returned instead."""
        return RemovableHandle(self._hooks["state_dict_post"], hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer, state_dict)`` before :meth:`load_state_dict` (on a shallow copy of
        the dict); a dict it returns is loaded instead."""
        return RemovableHandle(self._hooks["load_state_dict_pre"], hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend: bool = False) -> RemovableHandle:
        """Call ``hook(optimizer)`` after :meth:`load_state_dict`."""
        return RemovableHandle(self._hooks["load_state_dict_post"], hook, prepend)

    def _through_hooks(self, kind: str, state_dict):
        """``state_dict`` passed through the hooks of ``kind``, each may return a replacement."""
        for hook in list(self._hooks[kind].values()):
            replaced = hook(self, state_dict)
            if replaced is not None:
                state_dict = replaced
        return state_dict

    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        """Update ``param`` in place from ``grad`` (an array) with the group's settings and state."""
        raise NotImplementedError(f"{type(self).__name__} defines neither step() nor _update()")

    # ---- saving and resuming --------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{"state": {index: {name: value}}, "param_groups": [{options..., "params": [index]}]}``,
        parameters numbered in group order, as in PyTorch (tensors are shared, not copied)."""
        for hook in list(self._hooks["state_dict_pre"].values()):
            hook(self)
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(values) for p, values in self.state.items() if id(p) in index and values}
        return self._through_hooks("state_dict_post", {"state": state, "param_groups": groups})

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and state saved by :meth:`state_dict` (tensors are copied onto each
        parameter's device; floating state takes the parameter's dtype).

        Everything is checked before anything changes: the number and sizes of the groups, that the
        groups carry all of this optimizer's options (so state from another optimizer type is refused;
        extra keys such as a scheduler's ``initial_lr`` are kept), the
        kind of every option, and that every state value is a number or an array of its
        parameter's shape. A ValueError (TypeError for a non-dict) names what does not fit.
        """
        if isinstance(state_dict, dict):
            state_dict = self._through_hooks("load_state_dict_pre", dict(state_dict))
        saved_groups, saved_state = self._checked_state_dict(state_dict)
        new_state: dict[Tensor, dict] = collections.defaultdict(dict)
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            for key, param in zip(saved["params"], group["params"]):
                if key in saved_state:
                    new_state[param] = {name: _cast_like(value, param) for name, value in saved_state[key].items()}
            restored = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            for option in self._optional_options:
                if option in group:
                    restored.setdefault(option, group[option])
            restored["params"] = group["params"]
            new_groups.append(restored)
        self.state = new_state
        self.param_groups = new_groups
        for hook in list(self._hooks["load_state_dict_post"].values()):
            hook(self)

    def _checked_state_dict(self, state_dict) -> tuple[list, dict]:
        """(saved groups, state by parameter index) once ``state_dict`` is known to fit."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or not isinstance(state_dict.get("param_groups"), (list, tuple)) \
                or not isinstance(state_dict.get("state"), dict):
            raise TypeError(f"{name}.load_state_dict: expected a dict with 'state' (a dict) and 'param_groups' "
                            f"(a list), got {type(state_dict).__name__}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, the optimizer "
                             f"has {len(self.param_groups)}")
        shapes = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if not isinstance(saved, dict) or not isinstance(saved.get("params"), (list, tuple)):
                raise ValueError(f"{name}.load_state_dict: parameter group {i} is not a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict contains a parameter group ({i}) of "
                                 f"{len(saved['params'])} parameters that doesn't match the size of "
                                 f"optimizer's group ({len(group['params'])})")
            missing = sorted(set(self.defaults) - set(saved) - set(self._optional_options))
            if missing:
                raise ValueError(f"{name}.load_state_dict: the state is from another optimizer: group {i} lacks "
                                 f"{name}'s option(s) {missing} (it has {sorted(k for k in saved if k != 'params')})")
            for option in set(self.defaults) & set(saved):
                if not _same_kind(saved[option], group[option]):
                    raise ValueError(f"{name}.load_state_dict: option {option!r} of group {i} is "
                                     f"{saved[option]!r}, not a value like {group[option]!r}")
            for key, param in zip(saved["params"], group["params"]):
                if not isinstance(key, int) or isinstance(key, bool) or key in shapes:
                    raise ValueError(f"{name}.load_state_dict: parameter index {key!r} in group {i} is not a "
                                     "distinct integer")
                shapes[key] = param.shape
        saved_state = {}
        for key, values in state_dict["state"].items():
            index = int(key) if isinstance(key, (int, str)) and str(key).lstrip("-").isdigit() else None
            if index not in shapes or not isinstance(values, dict):
                raise ValueError(f"{name}.load_state_dict: state entry {key!r} does not belong to a parameter "
                                 "of the saved groups (or is not a dict)")
            for entry, value in values.items():
                self._check_state_entry(index, entry, value, shapes[index])
            saved_state[index] = values
        return saved_groups, saved_state

    @property
    def _optional_options(self) -> tuple:
        """Options a saved state may lack (older saves): they keep this optimizer's value."""
        return tuple(IMPLEMENTATION_SWITCHES) + self._options_added_later

    #: Options of this optimizer that older saved states lack.
    _options_added_later: tuple = ()

    def _check_state_entry(self, index: int, entry, value, shape: tuple) -> None:
        """Refuse a saved state value that cannot belong to parameter ``index`` (of ``shape``)."""
        _check_state_value(type(self).__name__, index, entry, value, shape)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines += [""] * (i > 0) + [f"Parameter Group {i}"]
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _same_kind(saved, own) -> bool:
    """Whether a saved option can stand for ``own``: bool for bool, a number for a number, a
    sequence of as many numbers for a tuple (betas), anything for None."""
    if own is None or saved is None:
        return True
    if isinstance(own, (bool, np.bool_)):
        return isinstance(saved, (bool, np.bool_))
    if isinstance(own, (int, float, np.number)):
        return isinstance(saved, (int, float, np.number)) and not isinstance(saved, (bool, np.bool_))
    if isinstance(own, (tuple, list)):
        return isinstance(saved, (tuple, list)) and len(saved) == len(own) and \
            all(_same_kind(a, b) for a, b in zip(saved, own))
    return type(saved) is type(own)


def _check_state_value(optimizer: str, index: int, entry, value, shape: tuple) -> None:
    """A state value is a number, or a numeric array of its parameter's shape (or 0-d)."""
    where = f"{optimizer}.load_state_dict: state {entry!r} of parameter {index}"
    if isinstance(value, Tensor):
        value = value._data
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        if np.dtype(value.dtype).kind not in "biuf":
            raise ValueError(f"{where} has dtype {value.dtype}, not a number type")
        if tuple(value.shape) not in (tuple(shape), ()):
            raise ValueError(f"{where} has shape {tuple(value.shape)}, the parameter has shape {tuple(shape)}")
    elif not isinstance(value, (int, float, np.number, type(None))):
        raise ValueError(f"{where} is a {type(value).__name__}, not a number or an array")


def _cast_like(value, param: Tensor):
    """A copy of a saved state value on the parameter's device (and dtype, for floating arrays);
    lists element by element."""
    if isinstance(value, list):
        return [_cast_like(item, param) for item in value]
    if isinstance(value, Tensor):
        value = value._data
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        array = backend.to_device(value, param.device)
        dtype = param.dtype if array.dtype.kind == "f" else array.dtype
        return Tensor(array.astype(dtype, copy=True))
    if isinstance(value, np.generic):
        return value.item()
    return copy.deepcopy(value)


def followed_gradient(param: Tensor, grad, group: dict):
    """The gradient a step follows: negated with ``maximize``, plus weight_decay·θ (the L2 form)
    when the group has a weight decay."""
    if group["maximize"]:
        grad = -grad
    if group.get("weight_decay", 0) != 0:
        grad = grad + group["weight_decay"] * param._data
    return grad
