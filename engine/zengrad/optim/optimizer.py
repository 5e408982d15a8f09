"""Optimizer: parameter groups, per-parameter state, zero_grad, and state_dict for resuming.

Subclasses implement ``step()``; updates work on raw arrays under ``no_grad`` and write into
``param.data`` in place, so views of a parameter and modules holding it see the new values.
"""

from __future__ import annotations

import abc
import copy

import numpy as np

from .. import backend
from ..grad_mode import enable_grad, no_grad
from ..autograd import increment_version
from ..tensor import Tensor


class Optimizer(abc.ABC):
    """Base class. ``params`` is an iterable of tensors or of dicts (parameter groups) with a
    ``"params"`` entry and per-group options that override ``defaults``."""

    def __init__(self, params, defaults: dict):
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
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
        for param in group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(param).__name__}")
            if param.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        existing = {id(p) for g in self.param_groups for p in g["params"]}
        if existing & {id(p) for p in group["params"]} or len({id(p) for p in group["params"]}) != len(group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of every parameter (to None by default, as PyTorch does)."""
        for group in self.param_groups:
            for param in group["params"]:
                if set_to_none:
                    param.grad = None
                elif param.grad is not None:
                    param.grad = Tensor(param.xp.zeros_like(param.grad.data))

    def step(self, closure=None):
        """One update of every parameter with a gradient; ``closure`` re-evaluates the loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    if param.grad is not None:
                        self._update(param, param.grad.data, group, self.state.setdefault(param, {}))
                        increment_version(param)
        return loss

    @abc.abstractmethod
    def _update(self, param: Tensor, grad, group: dict, state: dict) -> None:
        """Update ``param`` in place from ``grad`` (an array) with the group's settings and state."""

    # ---- saving and resuming --------------------------------------------------------------
    def state_dict(self) -> dict:
        """``{"state": {index: {name: value}}, "param_groups": [{options..., "params": [index]}]}``,
        parameters numbered in group order, as in PyTorch (tensors are shared, not copied)."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: dict(values) for p, values in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and state saved by :meth:`state_dict` (tensors are copied onto each
        parameter's device; floating state takes the parameter's dtype)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, the optimizer "
                             f"has {len(self.param_groups)}")
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict contains a parameter group ({i}) of "
                                 f"{len(saved['params'])} parameters that doesn't match the size of "
                                 f"optimizer's group ({len(group['params'])})")
        saved_state = {int(k): v for k, v in state_dict["state"].items()}
        new_state: dict[Tensor, dict] = {}
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            for key, param in zip(saved["params"], group["params"]):
                if int(key) in saved_state:
                    new_state[param] = {name: _cast_like(value, param)
                                        for name, value in saved_state[int(key)].items()}
            restored = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            restored["params"] = group["params"]
            new_groups.append(restored)
        self.state = new_state
        self.param_groups = new_groups

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _cast_like(value, param: Tensor):
    """A copy of a saved state value on the parameter's device (and dtype, for floating arrays)."""
    if isinstance(value, Tensor):
        value = value.data
    if hasattr(value, "dtype") and hasattr(value, "shape"):
        array = backend.to_device(value, param.device)
        dtype = param.dtype if array.dtype.kind == "f" else array.dtype
        return Tensor(array.astype(dtype, copy=True))
    if isinstance(value, np.generic):
        return value.item()
    return copy.deepcopy(value)
