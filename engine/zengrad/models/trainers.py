"""The table of trainers: the one place that says which models `zengrad train` knows.

Each :class:`Trainer` names a model, the function that trains it, a one-line summary, what
``--data`` means for it, and its own flags (:class:`Flag`). The command line builds one
sub-command per entry from this table (choices, flags, defaults and help), so adding a trainer
is one entry here and one module in ``zengrad.models``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable

from . import dcgan, forecast, gan, gan2d, language, perceptron, transformer
from .run import RunOptions


@dataclasses.dataclass(frozen=True)
class Flag:
    """A model-specific command-line flag: ``--name`` sets the trainer's keyword ``keyword``.

    ``choices`` makes it a choice among strings; ``switch=True`` makes it an on/off flag; ``type``
    converts the text of any other value (``int``, ``float``).
    """

    name: str
    keyword: str
    help: str
    default: Any = None
    choices: tuple[str, ...] | None = None
    switch: bool = False
    type: Callable[[str], Any] = str


@dataclasses.dataclass(frozen=True)
class Trainer:
    """One model of `zengrad train NAME`: ``train(options, **settings)`` returns its metrics."""

    name: str
    train: Callable[..., dict]
    summary: str
    data_help: str | None = None
    flags: tuple[Flag, ...] = ()
    settings: dict = dataclasses.field(default_factory=dict)
    aliases: tuple[str, ...] = ()

    def __call__(self, options: RunOptions, **settings) -> dict:
        return self.train(options, **{**self.settings, **settings})


_TEXT = "a text file to model (default: Python's own standard-library source)"
_IMAGES = "a folder of MNIST-format IDX files (default: the embedded 8x8 digits)"
_IMAGE_FOLDER = ("a folder of PNG/JPEG images, or of MNIST-format IDX files "
                 "(default: the embedded 8x8 digits)")

TRAINER_LIST = (
    Trainer("perceptron", perceptron.train,
            "Rosenblatt's rule against a sigmoid neuron, with decision boundaries"),
    Trainer("rnn", language.train, "a character language model with an Elman RNN (or --cell lstm)", _TEXT,
            flags=(Flag("cell", "cell", "the recurrent cell", "rnn", ("rnn", "lstm")),)),
    Trainer("char-lstm", language.train, "the character language model with an LSTM cell", _TEXT,
            settings={"cell": "lstm"}),
    Trainer("transformer", transformer.train, "a character language model with a small causal transformer", _TEXT),
    Trainer("forecast", forecast.train, "an LSTM forecaster: counting and yearly sunspots",
            aliases=("lstm",)),
    Trainer("gan", gan.train, "the classic dense GAN on handwritten digits", _IMAGES),
    Trainer("dcgan", dcgan.train, "a convolutional GAN and its remedies", _IMAGE_FOLDER,
            flags=(Flag("loss", "loss", "the GAN loss", "bce", dcgan.LOSSES),
                   Flag("spectral-norm", "spectral", "spectral norm in the discriminator", switch=True),
                   Flag("arch", "arch", "the networks: this DCGAN or the article's face GAN, repaired", "dcgan",
                        dcgan.ARCHITECTURES),
                   Flag("size", "size", "image side for a --data folder of PNG/JPEG images", "32", ("32", "64")),
                   Flag("channels", "channels", "channels for a --data folder of PNG/JPEG images", "3", ("1", "3")))),
    Trainer("gan2d", gan2d.train, "the mode-collapse benchmark: 2-D Gaussian mixtures and the remedies "
            "(an epoch is 100 steps)",
            flags=(Flag("modes", "modes", "8 Gaussians on a ring or 25 on a grid", "ring", gan2d.MODES),
                   Flag("remedy", "remedy", "the mode-collapse remedy", "none", gan2d.REMEDIES),
                   Flag("unroll-steps", "unroll_steps", "lookahead steps of the unrolled discriminator", "5",
                        tuple(str(k) for k in range(11))),
                   Flag("unroll-grad", "unroll_grad", "differentiate through the unrolled steps, or not",
                        "full", ("full", "cheap")))),
)

TRAINERS: dict[str, Trainer] = {trainer.name: trainer for trainer in TRAINER_LIST}
DEPRECATED_ALIASES: dict[str, str] = {alias: trainer.name for trainer in TRAINER_LIST
                                      for alias in trainer.aliases}
