"""Weight averaging (``zengrad.optim.swa_utils``, as ``torch.optim.swa_utils``): a model that keeps a
running average of another's weights, the SWALR schedule that holds the lr at a constant for the
averaging phase, and update_bn, which recomputes batch-norm statistics for the averaged weights.

With θ the trained weights and θ̄ their average after n updates:

    SWA (equal weights):   θ̄ ← θ̄ + (θ − θ̄)/(n + 1)          (θ̄ = θ at the first update)
    EMA (decay d):         θ̄ ← d·θ̄ + (1 − d)·θ
"""

from __future__ import annotations

import copy
import itertools
import math

import numpy as np

from ..grad_mode import no_grad
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from ..tensor import Tensor
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn", "update_bn"]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_swa_avg_fn():
    """``fn(θ̄, θ, n)`` = θ̄ + (θ − θ̄)/(n + 1): the equal-weight average of n + 1 snapshots."""

    def swa_update(averaged: Tensor, current: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return averaged + (current - averaged) / (num_averaged + 1)

    return swa_update


def get_ema_avg_fn(decay: float = 0.999):
    """``fn(θ̄, θ, n)`` = decay·θ̄ + (1 − decay)·θ: the exponential moving average."""
    _check_decay(decay)

    def ema_update(averaged: Tensor, current: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return decay * averaged + (1 - decay) * current

    return ema_update


def _multi(avg_fn):
    """An in-place update of lists of averages from a one-tensor ``avg_fn``."""

    def update(averaged_list, current_list, num_averaged) -> None:
        for averaged, current in zip(averaged_list, current_list):
            averaged._data[...] = avg_fn(averaged, current, num_averaged)._data

    return update


def get_swa_multi_avg_fn():
    """``fn(averages, currents, n)``: :func:`get_swa_avg_fn`'s update, in place, over lists."""
    return _multi(get_swa_avg_fn())


def get_ema_multi_avg_fn(decay: float = 0.999):
    """``fn(averages, currents, n)``: :func:`get_ema_avg_fn`'s update, in place, over lists."""
    return _multi(get_ema_avg_fn(decay))


class AveragedModel(Module):
    """A copy of ``model`` (``self.module``) whose parameters — and buffers, with
    ``use_buffers=True`` — hold the average of the snapshots given to :meth:`update_parameters`
    (SWA by default; ``avg_fn(θ̄, θ, n)`` or ``multi_avg_fn(θ̄s, θs, n)`` for another average).
    ``n_averaged`` counts the snapshots; calling the model runs the copy."""

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None, use_buffers: bool = False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", Tensor(np.zeros((), dtype=np.int64)).to(device or "cpu"))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current weights into the average (copy them at the first call); without
        ``use_buffers`` the buffers are copied from ``model`` as they are."""
        if self.use_buffers:
            averages = list(itertools.chain(self.module.parameters(), self.module.buffers()))
            currents = list(itertools.chain(model.parameters(), model.buffers()))
        else:
            averages, currents = list(self.parameters()), list(model.parameters())
        pairs = [(a, c.detach().to(a.device)) for a, c in zip(averages, currents)]
        n = int(self.n_averaged.item())
        with no_grad():
            if n == 0:
                for averaged, current in pairs:
                    averaged._data[...] = current._data
            else:
                counted = self.n_averaged
                if self.multi_avg_fn is not None:
                    self.multi_avg_fn([a for a, _ in pairs], [c for _, c in pairs], counted)
                else:
                    _multi(self.avg_fn or get_swa_avg_fn())([a for a, _ in pairs], [c for _, c in pairs], counted)
            if not self.use_buffers:
                for averaged, current in zip(self.module.buffers(), model.buffers()):
                    averaged._data[...] = current.detach().to(averaged.device)._data
            self.n_averaged._data += 1


class SWALR(LRScheduler):
    """Anneal each group's lr from its current value to ``swa_lr`` over ``anneal_epochs`` steps,
    then hold it there. At step s (counting the constructor's as 0), with t = clamp(s/E, 0, 1),
    α = t ("linear") or (1 − cos πt)/2 ("cos") and lr₀ the lr before annealing (recovered from the
    previous step's value):

        lr = α·swa_lr + (1 − α)·lr₀
    """

    def __init__(self, optimizer: Optimizer, swa_lr, anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1):
        swa_lrs = _per_group("SWALR", "swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._anneal_strategy = anneal_strategy
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    def anneal_func(self, t: float) -> float:
        """α at the fraction t of the annealing."""
        return t if self._anneal_strategy == "linear" else (1 - math.cos(math.pi * t)) / 2

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        previous = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        groups = self.optimizer.param_groups
        start = [g["swa_lr"] if previous == 1 else (g["lr"] - previous * g["swa_lr"]) / (1 - previous)
                 for g in groups]
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, start)]


def update_bn(loader, model: Module, device=None) -> None:
    """Recompute every batch-norm layer's running mean and variance as the plain average over one
    pass of ``loader`` (batches, or (input, ...) tuples whose first entry is fed to ``model``):
    run after copying averaged weights in, whose statistics the old running values don't match."""
    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
