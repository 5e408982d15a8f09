"""The reference trainers behind `zengrad train` (and the tutorials)."""

from . import classifier, dcgan, forecast, gan, language, perceptron, quality
from .run import RunFolder, RunOptions
from .trainers import DEPRECATED_ALIASES, TRAINER_LIST, TRAINERS, Flag, Trainer

__all__ = ["DEPRECATED_ALIASES", "Flag", "RunFolder", "RunOptions", "TRAINERS", "TRAINER_LIST", "Trainer",
           "classifier", "dcgan", "forecast", "gan", "language", "perceptron", "quality"]
