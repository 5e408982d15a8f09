"""Learning-rate schedules: StepLR and CosineAnnealingLR (``zengrad.optim.lr_scheduler``).

A scheduler rewrites ``group["lr"]`` of its optimizer each time ``step()`` is called (once per
epoch, after ``optimizer.step()``). As in PyTorch the updates are chained — each new lr is
computed from the current one — so schedulers compose, and constructing one already applies
epoch 0.
"""

from __future__ import annotations

import abc
import math

from .optimizer import Optimizer


class LRScheduler(abc.ABC):
    """Base class: ``last_epoch`` counts ``step()`` calls; subclasses define ``get_lr()``."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1):
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when "
                                   "resuming a scheduler with last_epoch >= 0")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self.step()

    @abc.abstractmethod
    def get_lr(self) -> list[float]:
        """The learning rate of each parameter group for epoch ``self.last_epoch``."""

    def step(self) -> None:
        """Advance one epoch and set every group's lr."""
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """Everything but the optimizer (which saves itself)."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        self.__dict__.update(state_dict)


class StepLR(LRScheduler):
    """lr = base_lr · gammaᶠˡᵒᵒʳ⁽ᵉᵖᵒᶜʰ ᐟ ˢᵗᵉᵖ_ˢⁱᶻᵉ⁾: multiplied by gamma every step_size epochs."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1):
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (base_lr − eta_min)·(1 + cos(π·t / T_max)) / 2, continuing as a cosine
    wave past T_max (SGDR without restarts), computed recursively from the current lr:

        lr_t = eta_min + (lr_{t−1} − eta_min)·(1 + cos(π t / T_max)) / (1 + cos(π (t − 1) / T_max))
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1):
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        groups = self.optimizer.param_groups
        t = self.last_epoch
        if t == 0:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and t > 0:
            return [self.eta_min + (base - self.eta_min) * (1 + math.cos(t * math.pi / self.T_max)) / 2
                    for base in self.base_lrs]
        if (t - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [group["lr"] + (base - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base, group in zip(self.base_lrs, groups)]
        ratio = (1 + math.cos(math.pi * t / self.T_max)) / (1 + math.cos(math.pi * (t - 1) / self.T_max))
        return [ratio * (group["lr"] - self.eta_min) + self.eta_min for group in groups]
