"""What every trainer shares: the output folder, metrics.json, checkpoints, progress, plotting."""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np

from .. import io
from ..creation import bit_generator_from_state, generator_state, get_rng_state, set_rng_state


@dataclasses.dataclass
class RunOptions:
    """Options common to all trainers (the CLI's ``--epochs --seed --out --device --data --resume
    --force``)."""

    epochs: int | None = None
    seed: int = 0
    out: str = "runs"
    device: str = "cpu"
    data: str | None = None
    resume: bool = False
    progress: bool = True
    force: bool = False


class RunError(ValueError):
    """A run folder or checkpoint that cannot be used as asked; the message names the file and the fix."""


class NothingToTrain(Exception):
    """``--resume`` found a finished run already trained to the epochs asked for; nothing was written."""


class RunFolder:
    """The output folder of one training run: metrics.json, PNGs and a resumable checkpoint.

    :meth:`start` applies the policy that nothing a user made is overwritten silently: a new run
    refuses a folder that holds a run (finished or interrupted) unless ``force``, which deletes the
    old checkpoint and metrics first. The checkpoint holds the parameters, optimizer states, the
    history, the model's name and the state of every random generator, so a resumed run continues
    bit for bit as if it had never stopped. It is rewritten after every epoch (fsynced at most every
    ``sync_seconds``), so an interrupted run loses at most the epoch in progress.
    """

    sync_seconds = 10.0

    def __init__(self, path, model: str | None = None):
        self.path = Path(path)
        self.model = model
        if self.path.exists() and not self.path.is_dir():
            raise RunError(f"{self.path} is a file, not a folder: choose another --out")
        self.path.mkdir(parents=True, exist_ok=True)
        self._synced_at = -math.inf

    @classmethod
    def start(cls, options: RunOptions, model: str) -> "RunFolder":
        """The folder ``options.out`` for a run of ``model``, checked against what it already holds."""
        run = cls(options.out, model)
        for path in (run.checkpoint, run.metrics):
            if path.is_dir():
                raise RunError(f"{path} is a directory where zengrad writes a file: move it away or choose "
                               "another --out")
        held = [path for path in (run.checkpoint, run.metrics) if path.exists()]
        if held and not options.resume:
            if not options.force:
                raise RunError(f"{run.path} already holds {run._describe()}; continue it with --resume "
                               "(and a larger --epochs), start over with --force, or choose another --out")
            for path in held:
                path.unlink()
        return run

    def _describe(self) -> str:
        """'a finished gan run (checkpoint after epoch 6)' and the like, for messages."""
        try:
            saved = io.load(self.checkpoint) if self.checkpoint.exists() else {}
        except (OSError, ValueError):
            saved = {}
        saved = saved if isinstance(saved, dict) else {}
        state = "finished" if self.metrics.exists() else "interrupted"
        name = f"{saved['model']} " if isinstance(saved.get("model"), str) else ""
        epoch = f" (checkpoint after epoch {saved['epoch'] + 1})" if isinstance(saved.get("epoch"), int) else ""
        return f"{'an' if state == 'interrupted' else 'a'} {state} {name}run{epoch}"

    @property
    def checkpoint(self) -> Path:
        return self.path / "checkpoint.zg"

    @property
    def metrics(self) -> Path:
        return self.path / "metrics.json"

    def figure(self, name: str) -> Path:
        return self.path / name

    def write_metrics(self, metrics: dict) -> None:
        """Write metrics.json atomically (a temporary file renamed into place)."""
        with io.atomic_write(self.metrics, "w") as stream:
            json.dump(metrics, stream, indent=2, default=_json_default)

    def save_checkpoint(self, epoch: int, modules: dict, optimizers: dict, history: dict, extra=None,
                        generators: dict | None = None) -> None:
        """Everything needed to continue after ``epoch`` (counted from 0): parameters, optimizer
        state, the history, zengrad's generator and the NumPy ``generators`` the trainer draws from."""
        now = time.monotonic()
        durable = now - self._synced_at >= self.sync_seconds
        io.save({
            "model": self.model,
            "epoch": epoch,
            "modules": {name: m.state_dict() for name, m in modules.items()},
            "optimizers": {name: o.state_dict() for name, o in optimizers.items()},
            "history": history,
            "extra": extra or {},
            "generators": {"zengrad": get_rng_state(),
                           **{name: generator_state(rng) for name, rng in (generators or {}).items()}},
        }, self.checkpoint, durable=durable)
        if durable:
            self._synced_at = now

    def resume(self, modules: dict, optimizers: dict, device: str = "cpu", generators: dict | None = None,
               epochs: int | None = None, setup: dict | None = None):
        """Load the checkpoint into the given modules, optimizers and generators (zengrad's own
        included); returns (next epoch, history, extra). With ``epochs``, a finished run already at
        ``epochs`` raises :class:`NothingToTrain`. ``setup`` (the settings saved as
        ``extra={"setup": ...}``) must match the checkpoint's. A checkpoint that is missing,
        unreadable, of another model or of other settings raises a one-line error naming the file
        and the fix; nothing is loaded then."""
        path = self.checkpoint
        if path.is_dir():
            raise RunError(f"{path} is a directory, not a checkpoint: move it away, or choose another --out")
        if not path.exists():
            raise FileNotFoundError(f"resume: no checkpoint at {path}; train without --resume to start a run there")
        try:
            state = io.load(path, map_location=device)
        except ValueError as error:
            raise RunError(f"{error}; start over with --force, or choose another --out") from error
        self._check_layout(state, modules, optimizers)
        saved_setup = state.get("extra", {}).get("setup", setup) if isinstance(state.get("extra"), dict) else setup
        if setup is not None and saved_setup != setup:
            raise RunError(f"{path} was made with {saved_setup}, not {setup}: resume with those flags, start "
                           "over with --force, or choose another --out")
        generator_states = self._checked_generators(state, generators or {})
        done = state["epoch"] + 1
        if epochs is not None and done >= epochs and self.metrics.exists():
            raise NothingToTrain(f"{path} already holds {done} epochs (asked for {epochs}) and the run is "
                                 "finished; nothing rewritten. To train longer, resume with a larger --epochs")
        try:
            for name, module in modules.items():
                module.load_state_dict(state["modules"][name])
            for name, optimizer in optimizers.items():
                optimizer.load_state_dict(state["optimizers"][name])
        except (ValueError, TypeError, RuntimeError) as error:
            raise RunError(f"{path} does not fit this {self.model or 'model'} (made with other settings?): "
                           f"{one_line(error)}; resume with the settings it was made with, start over with "
                           "--force, or choose another --out") from error
        if "zengrad" in generator_states:
            set_rng_state(generator_states.pop("zengrad").state)
        for name, bit_generator in generator_states.items():
            generators[name].bit_generator.state = bit_generator.state
        return done, state["history"], state.get("extra", {})

    def _check_layout(self, state, modules: dict, optimizers: dict) -> None:
        path = self.checkpoint
        if not isinstance(state, dict) or not all(isinstance(state.get(key), kind) for key, kind in
                                                  (("modules", dict), ("optimizers", dict), ("history", dict))) \
                or not isinstance(state.get("epoch"), int) or state["epoch"] < 0:
            raise RunError(f"{path} is a zengrad file but not a training checkpoint (it needs epoch, modules, "
                           "optimizers and history); start over with --force, or choose another --out")
        saved_model = state.get("model")
        if self.model and saved_model and saved_model != self.model:
            raise RunError(f"{path} holds a {saved_model!r} run, not {self.model!r}: resume it with "
                           f"'zengrad train {saved_model} --resume', or choose another --out")
        for kind, wanted in (("modules", modules), ("optimizers", optimizers)):
            if sorted(state[kind]) != sorted(wanted):
                raise RunError(f"{path} holds the {kind} {sorted(state[kind])}, this {self.model or 'model'} has "
                               f"{sorted(wanted)}: it is from another model; start over with --force, or choose "
                               "another --out")

    def _checked_generators(self, state: dict, generators: dict) -> dict:
        """name -> a bit generator holding the saved state (checked before anything is restored)."""
        saved = state.get("generators", {})
        if not isinstance(saved, dict):
            raise RunError(f"{self.checkpoint}: 'generators' is not a dict; start over with --force")
        checked = {}
        for name in ["zengrad", *generators]:
            if name not in saved:
                continue  # a checkpoint from before generators were saved: the run resumes, not exactly
            try:
                checked[name] = bit_generator_from_state(saved[name], f"{self.checkpoint}: generator {name!r}")
            except ValueError as error:
                raise RunError(f"{error}; start over with --force") from error
            if name != "zengrad" and type(checked[name]) is not type(generators[name].bit_generator):
                raise RunError(f"{self.checkpoint}: generator {name!r} is a {saved[name]['bit_generator']}, "
                               f"the trainer's is a {type(generators[name].bit_generator).__name__}")
        return checked


def saved_epochs(checkpoint) -> int | None:
    """How many epochs a checkpoint holds (None when there is no readable checkpoint)."""
    try:
        epoch = io.load(checkpoint).get("epoch")
    except (OSError, ValueError, AttributeError):
        return None
    return epoch + 1 if isinstance(epoch, int) else None


def one_line(error: BaseException) -> str:
    """An error's message on one line (for the CLI's `zengrad: error: …`)."""
    return " ".join(str(error).split())


def fit_full_batch(model, optimizer, loss_fn, inputs, targets, epochs: int, after_epoch=None) -> list[float]:
    """``epochs`` steps of gradient descent on the whole data set; returns the loss of each.

    ``after_epoch(epoch, losses)`` runs after each step (progress bars, logging).
    """
    losses = []
    for epoch in range(epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if after_epoch is not None:
            after_epoch(epoch, losses)
    return losses


def _json_default(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"metrics.json: cannot store {type(value).__name__}")


def epochs_bar(start: int, stop: int, description: str, enabled: bool = True):
    """A tqdm progress bar over epochs (silent when ``enabled`` is False)."""
    from tqdm.auto import tqdm
    return tqdm(range(start, stop), desc=description, initial=start, total=stop, disable=not enabled,
                unit="epoch", dynamic_ncols=True)


def pyplot():
    """matplotlib.pyplot with a non-interactive backend (runs headless)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


class Stopwatch:
    def __init__(self):
        self.start = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.start


def run_info(options: RunOptions, **details) -> dict:
    """The part of metrics.json that says how the run was made."""
    import platform

    from .._version import __version__
    return {"zengrad": __version__, "python": platform.python_version(), "device": options.device,
            "seed": options.seed, "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), **details}
