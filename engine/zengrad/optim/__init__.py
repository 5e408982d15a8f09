"""Optimizers (``zengrad.optim``, as ``torch.optim``): SGD, Adam, AdamW, RMSprop, Adagrad, Rprop, ASGD,
LBFGS and lr schedulers."""

from . import lr_scheduler
from .adam import Adam, AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import Adagrad, RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["ASGD", "Adagrad", "Adam", "AdamW", "LBFGS", "Optimizer", "RMSprop", "Rprop", "SGD", "lr_scheduler"]
