"""`zengrad train forecast` (formerly `train lstm`): an LSTM forecaster on two tasks.

* counting — learn "the next number": reading 1, 2, 3, 4, 5 it should say 2, 3, 4, 5, 6;
* sunspots — yearly sunspot numbers (1700–2008): predict next year from the years before, and
  beat the last-value baseline (next year = this year) on the held-out final 20%.

The model maps a sequence x₁..x_T to predictions ŷ_t of x_{t+1}: ŷ_t = w·h_t + a·x_t + b with
h_t = LSTM(x_t, h_{t−1}), trained with mean squared error.
"""

from __future__ import annotations

import numpy as np

from .. import data, nn, optim
from ..creation import manual_seed, tensor
from ..grad_mode import no_grad
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, fit_full_batch, pyplot, run_info


class Forecaster(nn.Module):
    """LSTM → Linear plus a learned linear skip from the current value (LSTNet's "highway"):

        ŷ_t = w·h_t + a·x_t + b

    The skip starts at a = 1, so an untrained model is the last-value forecast; the skip carries
    the linear part of the map (x ↦ x + 1 for counting) and the LSTM learns the rest from history.
    """

    def __init__(self, hidden_size: int = 32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)
        self.skip = nn.Linear(1, 1, bias=False)
        nn.init.ones_(self.skip.weight)  # start from the last-value forecast, learn corrections

    def forward(self, x):
        values = x.unsqueeze(-1)
        hidden, _ = self.lstm(values)
        return (self.head(hidden) + self.skip(values)).squeeze(-1)


def _predict(model, x, device):
    with no_grad():
        return model(tensor(np.asarray(x, dtype=np.float32), device=device)).cpu().numpy()


class CountingTask:
    """Sliding windows of 1..60, scaled by 1/50; the check reads 1..5 and should say 2..6."""

    scale = 50.0

    def __init__(self, device):
        x, y = data.windows(data.series("counting", length=60), length=8)
        self.inputs, self.targets = tensor(x / self.scale, device=device), tensor(y / self.scale, device=device)
        self.device = device

    def evaluate(self, model) -> dict:
        probe = np.arange(1, 6, dtype=np.float32)
        predicted = _predict(model, probe[None] / self.scale, self.device)[0] * self.scale
        return {"input": probe.tolist(), "predicted": predicted.round(3).tolist(),
                "target": (probe + 1).tolist(), "max_abs_error": float(np.abs(predicted - (probe + 1)).max())}


class SunspotsTask:
    """Train on windows of the first 80% of years (standardized); one-step forecasts for the rest."""

    window = 20

    def __init__(self, device):
        self.values = data.series("sunspots")
        self.cut = int(0.8 * len(self.values))
        self.mean, self.std = self.values[:self.cut].mean(), self.values[:self.cut].std()
        self.scaled = (self.values - self.mean) / self.std
        x, y = data.windows(self.scaled[:self.cut], length=self.window)
        self.inputs, self.targets = tensor(x, device=device), tensor(y, device=device)
        self.device = device

    def evaluate(self, model):
        histories = np.stack([self.scaled[t - self.window:t] for t in range(self.cut, len(self.values))])
        forecast = _predict(model, histories, self.device)[:, -1] * self.std + self.mean
        truth, last_value = self.values[self.cut:], self.values[self.cut - 1:-1]
        result = {"test_years": int(len(truth)), "mse_lstm": float(np.mean((forecast - truth) ** 2)),
                  "mse_last_value": float(np.mean((last_value - truth) ** 2))}
        result["beats_last_value"] = result["mse_lstm"] < result["mse_last_value"]
        years = np.arange(1700 + self.cut, 1700 + len(self.values))
        return result, (years, truth, forecast, last_value)


def train(options: RunOptions, hidden_size: int = 32) -> dict:
    epochs = options.epochs or 300
    run = RunFolder.start(options, "forecast")
    manual_seed(options.seed)
    clock = Stopwatch()
    tasks = {"counting": CountingTask(options.device), "sunspots": SunspotsTask(options.device)}
    models = {name: Forecaster(hidden_size).to(options.device) for name in tasks}
    optimizers = {"counting": optim.Adam(models["counting"].parameters(), lr=1e-2),
                  "sunspots": optim.Adam(models["sunspots"].parameters(), lr=5e-3)}
    start, history = 0, {"counting": [], "sunspots": []}
    if options.resume:
        start, history, _ = run.resume(models, optimizers, options.device, epochs=epochs)

    for epoch in epochs_bar(start, epochs, "lstm forecaster", options.progress):
        for name, task in tasks.items():  # one full-batch step of each (independent) forecaster
            history[name] += fit_full_batch(models[name], optimizers[name], nn.MSELoss(), task.inputs,
                                            task.targets, 1)
        run.save_checkpoint(epoch, models, optimizers, history)

    counting = tasks["counting"].evaluate(models["counting"])
    sunspots, curves = tasks["sunspots"].evaluate(models["sunspots"])
    metrics = {"run": run_info(options, model="lstm-forecaster", epochs=epochs, seconds=round(clock.seconds, 2)),
               "counting": counting, "sunspots": sunspots}
    _plot(run, counting, curves, history["counting"], history["sunspots"])
    run.write_metrics(metrics)
    return metrics


def _plot(run, counting, curves, counting_losses, sun_losses):
    plt = pyplot()
    figure, axes = plt.subplots(1, 3, figsize=(14, 4), gridspec_kw={"width_ratios": [3, 1.3, 1.3]})
    years, truth, forecast, last_value = curves
    axes[0].plot(years, truth, "k-", label="truth")
    axes[0].plot(years, forecast, "C0o-", ms=3, label="LSTM one-step forecast")
    axes[0].plot(years, last_value, "C1--", lw=1, label="last value")
    axes[0].set(title="sunspots, held-out years", xlabel="year", ylabel="sunspot number")
    axes[0].legend()
    axes[1].plot(counting["input"], counting["target"], "ks", label="next number")
    axes[1].plot(counting["input"], counting["predicted"], "C0o", label="LSTM")
    axes[1].set(title="counting task", xlabel="input")
    axes[1].legend()
    axes[2].plot(counting_losses, label="counting")
    axes[2].plot(sun_losses, label="sunspots")
    axes[2].set(title="training MSE", xlabel="epoch", yscale="log")
    axes[2].legend()
    figure.tight_layout()
    figure.savefig(run.figure("forecast.png"), dpi=110)
    plt.close(figure)
