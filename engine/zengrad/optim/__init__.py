"""Optimizers (``zengrad.optim``, as ``torch.optim``): SGD, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop,
Adagrad, Adadelta, Rprop, ASGD, LBFGS, lr schedulers and weight averaging (swa_utils)."""

from . import lr_scheduler, swa_utils
from .adam import Adam, AdamW
from .adam_variants import Adamax, NAdam, RAdam
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import Adadelta, Adagrad, RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam", "Optimizer", "RAdam",
           "RMSprop", "Rprop", "SGD", "lr_scheduler", "swa_utils"]
