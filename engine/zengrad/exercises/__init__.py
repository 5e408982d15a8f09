"""Exercises that grade themselves: from a scalar autograd engine to tensors to kernels.

Each exercise is one module here, ``eNN_topic.py``: its docstring is the statement, and it holds
``TITLE``, ``MINUTES`` (a rough time for a first attempt), ``HINTS``, ``SKELETON`` (the file the
learner starts from, in ``skeletons/``) and ``check(attempt, rng)``, which compares the attempt with
references — finite differences, the engine's own autograd in float64, NumPy — on random awkward
shapes and raises :class:`~zengrad.exercises.grading.Wrong` saying what is wrong and where.
Reference solutions live apart, in ``solutions/``.

From the shell: ``zengrad exercise list``, ``zengrad exercise show N``, ``zengrad exercise start N``
(copies the skeleton into the current folder), ``zengrad exercise check N [--file F]``.
"""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .grading import Skipped, Wrong, load_attempt

HERE = Path(__file__).resolve().parent
MODULES = ["e01_value", "e02_topological_order", "e03_unbroadcast", "e04_matmul_gradient",
           "e05_softmax_cross_entropy", "e06_rnn_bptt", "e07_lstm_cell_backward", "e08_gan_step",
           "e09_conv_im2col", "e10_cpu_matmul", "e11_cuda_matmul"]


@dataclass
class Result:
    """The verdict on one attempt: ``status`` is passed, wrong, unfinished, error or skipped."""
    number: int
    status: str
    message: str

    @property
    def passed(self) -> bool:
        return self.status in ("passed", "skipped")

    def __str__(self) -> str:
        return f"exercise {self.number}: {self.status.upper()}: {self.message}"


def exercise(number: int):
    """The module of exercise ``number`` (1-based)."""
    if not 1 <= number <= len(MODULES):
        raise ValueError(f"exercise: no exercise {number}; there are 1 to {len(MODULES)} (zengrad exercise list)")
    return importlib.import_module(f".{MODULES[number - 1]}", __name__)


def skeleton_path(number: int) -> Path:
    return HERE / "skeletons" / exercise(number).SKELETON


def solution_path(number: int) -> Path:
    return HERE / "solutions" / exercise(number).SKELETON


def statement(number: int) -> str:
    """The statement, hints and how to start, as ``zengrad exercise show`` prints them."""
    module = exercise(number)
    hints = "\n".join(f"  {i}. {hint}" for i, hint in enumerate(module.HINTS, 1))
    return (f"Exercise {number}: {module.TITLE} (about {module.MINUTES} min)\n\n{module.__doc__.strip()}\n\n"
            f"Hints:\n{hints}\n\nStart: zengrad exercise start {number}   (copies {module.SKELETON} here)\n"
            f"Check: zengrad exercise check {number} --file {module.SKELETON}\n")


def _unfinished_message(error: NotImplementedError) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return f"{frame.name} (line {frame.lineno}) is not written yet: {error}"


def _error_message(error: Exception) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "zengrad_attempt" in f.filename
              or not f.filename.startswith(str(HERE))]
    where = f" in {frames[-1].name} (line {frames[-1].lineno} of {Path(frames[-1].filename).name})" if frames else ""
    return f"{type(error).__name__}{where}: {error}"


def check(number: int, path=None, seed: int = 0) -> Result:
    """Grade the attempt in ``path`` (default: the untouched skeleton) on inputs drawn with ``seed``."""
    module = exercise(number)
    try:
        attempt = load_attempt(path or skeleton_path(number))
        note = module.check(attempt, np.random.default_rng(seed))
    except Wrong as wrong:
        return Result(number, "wrong", str(wrong))
    except Skipped as skipped:
        return Result(number, "skipped", str(skipped))
    except NotImplementedError as unfinished:
        return Result(number, "unfinished", _unfinished_message(unfinished))
    except Exception as error:  # the learner's code may raise anything; report it, never crash the grader
        return Result(number, "error", _error_message(error))
    note = f"\n{note}" if note else ""
    return Result(number, "passed", f"{module.TITLE}: every check passed (seed {seed}){note}")
