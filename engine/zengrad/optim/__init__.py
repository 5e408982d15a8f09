"""Optimizers (``zengrad.optim``, as ``torch.optim``): SGD, Adam, AdamW and lr schedulers."""

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD", "lr_scheduler"]
