"""Optimizers (``zengrad.optim``, as ``torch.optim``): SGD, Adam, AdamW, RMSprop, Adagrad and lr schedulers."""

from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .rmsprop import Adagrad, RMSprop
from .sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
