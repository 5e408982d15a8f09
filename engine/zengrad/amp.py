"""Mixed-precision training's two pieces (``torch.amp``): loss scaling, and autocast.

**GradScaler.** In float16 a small gradient underflows to 0. Multiplying the loss by a large
scale S before backward multiplies every gradient by S (backward is linear in the seed), lifting
them above the underflow; before the step they are divided by S again. The scale adapts: if any
gradient came out inf or NaN (S too large: overflow) the step is skipped and S shrinks
(S ← S·backoff_factor); after ``growth_interval`` clean steps in a row S grows (S ← S·growth_factor).
The usual loop::

    scaler = zg.amp.GradScaler("cpu")
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)            # optional: to clip the true gradients
    scaler.step(optimizer)                # skipped when a gradient is inf/NaN
    scaler.update()

The arithmetic does not depend on the dtype, so it runs — and is tested — in float32 as well.

**autocast.** PyTorch runs chosen ops (matmul, convolutions) in a lower precision inside
``autocast``. zengrad computes every op in the dtype of its inputs, so ``autocast`` is accepted as a
context manager and a decorator, reports itself through ``is_autocast_enabled``, warns once that it
changes no dtype, and leaves the computation as it is: to train in float16, convert the model and
inputs (``model.half()``).
"""

from __future__ import annotations

import functools
import math
import threading
import warnings

from .grad_mode import no_grad
from .tensor import Tensor

__all__ = ["GradScaler", "autocast", "is_autocast_available", "is_autocast_enabled"]


class GradScaler:
    """Dynamic loss scaling (see the module's docstring)."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        if growth_factor <= 1.0:
            raise ValueError(f"The growth factor must be > 1.0, got {growth_factor}")
        if not 0.0 < backoff_factor < 1.0:
            raise ValueError(f"The backoff factor must be < 1.0 and > 0, got {backoff_factor}")
        if growth_interval <= 0:
            raise ValueError(f"The growth interval must be positive, got {growth_interval}")
        self.device = device
        self._enabled = enabled
        self._scale = float(init_scale)
        self._growth_factor, self._backoff_factor = float(growth_factor), float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._found_inf: dict[int, bool] = {}  # per optimizer since the last update(): id → any inf/NaN
        self._stepped: set[int] = set()

    def is_enabled(self) -> bool:
        return self._enabled

    def get_scale(self) -> float:
        """S (1.0 when disabled)."""
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def scale(self, outputs):
        """outputs · S: a tensor, or tensors in (nested) lists and tuples."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of ``optimizer``'s parameters by S, in place, and note whether any
        is inf or NaN. Once per optimizer between two ``update()`` calls."""
        if not self._enabled:
            return
        key = id(optimizer)
        if key in self._found_inf:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if key in self._stepped:
            raise RuntimeError("unscale_() is being called after step().")
        found = False
        inverse = 1.0 / self._scale
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    grad.mul_(inverse)
                    found = found or not bool(grad.xp.isfinite(grad._data).all())
        self._found_inf[key] = found

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` on the unscaled gradients, unless one is inf or NaN
        (then nothing, and None is returned)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        key = id(optimizer)
        if key in self._stepped:
            raise RuntimeError("step() has already been called since the last update().")
        if key not in self._found_inf:
            self.unscale_(optimizer)
        self._stepped.add(key)
        return None if self._found_inf[key] else optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        """Adapt S to what the steps since the last update found (or set it to ``new_scale``)."""
        if not self._enabled:
            return
        if new_scale is not None:
            self._scale = float(new_scale.item() if isinstance(new_scale, Tensor) else new_scale)
        elif self._found_inf:
            if any(self._found_inf.values()):
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = self._scale * self._growth_factor
                    self._scale = grown if math.isfinite(grown) else self._scale
                    self._growth_tracker = 0
        else:
            raise AssertionError("No inf checks were recorded prior to update.")
        self._found_inf.clear()
        self._stepped.clear()

    def state_dict(self) -> dict:
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor, "backoff_factor": self._backoff_factor,
                "growth_interval": self._growth_interval, "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if not state_dict:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])


class _AutocastState(threading.local):
    depth = 0
    warned = False


_autocast = _AutocastState()


def is_autocast_available(device_type: str) -> bool:
    """False: zengrad has no autocast (see the module's docstring)."""
    return False


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether the code runs inside an enabled ``autocast`` block."""
    return _autocast.depth > 0


class autocast:  # noqa: N801  (PyTorch's name)
    """Accepted as in PyTorch, changes no dtype (see the module's docstring)."""

    def __init__(self, device_type: str = "cpu", dtype=None, enabled: bool = True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, bool(enabled)

    def __enter__(self):
        if self.enabled:
            if not _autocast.warned:
                warnings.warn("zengrad.autocast: zengrad computes every op in its inputs' dtype; autocast "
                              "changes nothing (convert the model and inputs to train in float16)", UserWarning,
                              stacklevel=2)
                _autocast.warned = True
            _autocast.depth += 1
        return self

    def __exit__(self, *exc) -> bool:
        if self.enabled:
            _autocast.depth -= 1
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with autocast(self.device_type, self.fast_dtype, self.enabled):
                return fn(*args, **kwargs)
        return wrapped
