"""Optimizers (``zengrad.optim``, as ``torch.optim``): SGD, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop,
Adagrad, Adadelta and lr schedulers."""

from . import lr_scheduler
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .optimizer import Optimizer
from .rmsprop import Adadelta, Adagrad, RMSprop
from .sgd import SGD

__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "Optimizer", "RAdam", "RMSprop", "SGD",
           "lr_scheduler"]
