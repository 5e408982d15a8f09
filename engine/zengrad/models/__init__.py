"""The reference trainers behind `zengrad train` (and the tutorials)."""

from . import classifier, dcgan, forecast, gan, language, perceptron, quality
from .run import RunFolder, RunOptions

TRAINERS = {
    "perceptron": perceptron.train,
    "rnn": lambda options: language.train(options, cell="rnn"),
    "lstm": forecast.train,
    "gan": gan.train,
    "dcgan": dcgan.train,
}

__all__ = ["RunFolder", "RunOptions", "TRAINERS", "classifier", "dcgan", "forecast", "gan", "language", "perceptron",
           "quality"]
