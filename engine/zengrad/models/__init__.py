"""The reference trainers behind `zengrad train` (and the tutorials)."""

from . import classifier, forecast, gan, language, perceptron
from .run import RunFolder, RunOptions

TRAINERS = {
    "perceptron": perceptron.train,
    "rnn": lambda options: language.train(options, cell="rnn"),
    "lstm": forecast.train,
    "gan": gan.train,
}

__all__ = ["RunFolder", "RunOptions", "TRAINERS", "classifier", "forecast", "gan", "language", "perceptron"]
