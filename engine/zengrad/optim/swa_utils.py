"""Weight averaging (``torch.optim.swa_utils``): Stochastic Weight Averaging and EMA models.

SWA (Izmailov et al., 2018) averages the weights visited late in training, w̄ₙ = (1/n) Σ wᵢ,
kept as a running mean w̄ ← w̄ + (w − w̄)/(n + 1); an exponential moving average keeps
w̄ ← d·w̄ + (1 − d)·w instead. Both usually generalise better than the last weights.

* ``AveragedModel(model)``: a copy of ``model`` whose parameters hold the average;
  ``update_parameters(model)`` folds in the current weights (the first call copies them). Its
  ``n_averaged`` buffer counts the updates. Buffers (BatchNorm statistics) are copied from the
  model unless ``use_buffers=True`` averages them too.
* ``SWALR``: anneals each group's lr from its value to ``swa_lr`` over ``anneal_epochs`` steps
  (cosine or linear), then holds it.
* ``update_bn(loader, model)``: recomputes BatchNorm running statistics with one pass over the
  data (the averaged weights never produced the statistics they would have).
"""

from __future__ import annotations

import copy
import itertools
import math

from ..creation import tensor
from ..grad_mode import no_grad
from ..nn.module import Module
from ..nn.normalization import _BatchNorm
from .lr_scheduler import LRScheduler
from .optimizer import Optimizer

__all__ = ["AveragedModel", "SWALR", "get_ema_avg_fn", "get_ema_multi_avg_fn", "get_swa_avg_fn",
           "get_swa_multi_avg_fn", "update_bn"]


def get_swa_avg_fn():
    """w̄ + (w − w̄)/(n + 1): the running mean."""
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)
    return swa_update


def get_ema_avg_fn(decay: float = 0.999):
    """d·w̄ + (1 − d)·w: the exponential moving average."""
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param
    return ema_update


def get_swa_multi_avg_fn():
    """The running mean, applied in place to lists of averaged and current tensors."""
    def swa_update(averaged_params, current_params, num_averaged):
        for averaged, current in zip(averaged_params, current_params):
            averaged.copy_(get_swa_avg_fn()(averaged, current, num_averaged))
    return swa_update


def get_ema_multi_avg_fn(decay: float = 0.999):
    """The exponential moving average, applied in place to lists of tensors."""
    def ema_update(ema_params, current_params, num_averaged):
        for ema, current in zip(ema_params, current_params):
            ema.copy_(get_ema_avg_fn(decay)(ema, current, num_averaged))
    return ema_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are the average of the weights it was updated with."""

    def __init__(self, model: Module, device=None, avg_fn=None, multi_avg_fn=None, use_buffers: bool = False):
        super().__init__()
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, device=device))
        self.avg_fn, self.multi_avg_fn, self.use_buffers = avg_fn, multi_avg_fn, use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current weights into the average (copy them, the first time)."""
        mine = list(itertools.chain(self.module.parameters(), self.module.buffers()) if self.use_buffers
                    else self.parameters())
        theirs = list(itertools.chain(model.parameters(), model.buffers()) if self.use_buffers
                      else model.parameters())
        count = int(self.n_averaged.item())
        with no_grad():
            if count == 0:
                for averaged, current in zip(mine, theirs):
                    averaged.copy_(current.detach())
            elif self.multi_avg_fn is not None:
                self.multi_avg_fn([p.detach() for p in mine], [p.detach() for p in theirs], self.n_averaged)
            else:
                update = self.avg_fn or get_swa_avg_fn()
                for averaged, current in zip(mine, theirs):
                    averaged.copy_(update(averaged.detach(), current.detach(), self.n_averaged))
            if not self.use_buffers:
                for kept, current in zip(self.module.buffers(), model.buffers()):
                    kept.copy_(current.detach())
            self.n_averaged.add_(1)


class SWALR(LRScheduler):
    """Anneal each group's lr to its ``swa_lr`` over ``anneal_epochs`` steps, then hold it:
    lr_t = α_t·swa_lr + (1 − α_t)·lr₀ with α_t = t/anneal_epochs ('linear') or
    (1 − cos(π t/anneal_epochs))/2 ('cos'), reconstructed step by step from the current lr."""

    def __init__(self, optimizer: Optimizer, swa_lr, anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1):
        groups = optimizer.param_groups
        swa_lrs = list(swa_lr) if isinstance(swa_lr, (list, tuple)) else [swa_lr] * len(groups)
        if len(swa_lrs) != len(groups):
            raise ValueError(f"swa_lr must have the same length as optimizer.param_groups: swa_lr has "
                             f"{len(swa_lrs)}, optimizer.param_groups has {len(groups)}")
        for value, group in zip(swa_lrs, groups):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must by one of 'cos' or 'linear', instead got {anneal_strategy}")
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_func = (lambda t: (1 - math.cos(math.pi * t)) / 2) if anneal_strategy == "cos" else (lambda t: t)
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _initial_lr(lr: float, swa_lr: float, alpha: float) -> float:
        """lr₀ from lr = α·swa_lr + (1 − α)·lr₀."""
        return swa_lr if alpha == 1 else (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list[float]:
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        previous = self.anneal_func(max(0, min(1, (step - 1) / max(1, self.anneal_epochs))))
        alpha = self.anneal_func(max(0, min(1, step / max(1, self.anneal_epochs))))
        return [group["swa_lr"] * alpha + self._initial_lr(group["lr"], group["swa_lr"], previous) * (1 - alpha)
                for group in self.optimizer.param_groups]

    def state_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}


def update_bn(loader, model: Module, device=None) -> None:
    """Recompute every BatchNorm's running mean and variance over one pass of ``loader`` (a
    cumulative average: momentum None), the model in training mode for the pass."""
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
            batch = batch[0] if isinstance(batch, (list, tuple)) else batch
            model(batch.to(device) if device is not None else batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)
