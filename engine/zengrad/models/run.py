"""What every trainer shares: the output folder, metrics.json, checkpoints, progress, plotting."""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import io


@dataclasses.dataclass
class RunOptions:
    """Options common to all trainers (the CLI's ``--epochs --seed --out --device --data --resume``)."""

    epochs: int | None = None
    seed: int = 0
    out: str = "runs"
    device: str = "cpu"
    data: str | None = None
    resume: bool = False
    progress: bool = True


class RunFolder:
    """The output folder of one training run: metrics.json, a PNG and a resumable checkpoint."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)

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
        handle, temporary = tempfile.mkstemp(dir=self.path, prefix=".metrics-", suffix=".json")
        with os.fdopen(handle, "w") as stream:
            json.dump(metrics, stream, indent=2, default=_json_default)
        os.replace(temporary, self.metrics)

    def save_checkpoint(self, epoch: int, modules: dict, optimizers: dict, history: dict, extra=None) -> None:
        """Everything needed to continue: parameters, optimizer state, the epoch and the history."""
        io.save({
            "epoch": epoch,
            "modules": {name: m.state_dict() for name, m in modules.items()},
            "optimizers": {name: o.state_dict() for name, o in optimizers.items()},
            "history": history,
            "extra": extra or {},
        }, self.checkpoint)

    def resume(self, modules: dict, optimizers: dict, device: str = "cpu"):
        """Load the checkpoint into the given modules and optimizers; returns (next epoch, history, extra)."""
        if not self.checkpoint.exists():
            raise FileNotFoundError(f"resume: no checkpoint at {self.checkpoint}")
        state = io.load(self.checkpoint, map_location=device)
        for name, module in modules.items():
            module.load_state_dict(state["modules"][name])
        for name, optimizer in optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        return int(state["epoch"]) + 1, state["history"], state.get("extra", {})


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
