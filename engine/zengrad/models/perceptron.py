"""`zengrad train perceptron`: Rosenblatt's rule against a sigmoid neuron trained by gradient descent.

Both learn a line w·x + b = 0 separating two classes. The perceptron changes w only on mistakes
and stops once an epoch makes none; the sigmoid neuron σ(w·x + b) lowers the cross-entropy by
gradient descent and keeps pushing the line towards a larger margin.
"""

from __future__ import annotations

import numpy as np

from .. import nn, optim
from ..creation import manual_seed, tensor
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, fit_full_batch, pyplot, run_info

TOY_X = np.array([[1, 1], [1, 2], [1, 3], [-1, 1], [-1, 2], [-1, 3]], dtype=np.float64)
TOY_Y = np.array([1, 1, 1, -1, -1, -1], dtype=np.float64)


def separable_set(n: int = 300, margin: float = 0.1, seed: int = 0):
    """Points in [−1, 1]² labelled ±1 by a random line, none closer to it than ``margin``."""
    rng = np.random.default_rng(seed)
    normal = rng.standard_normal(2)
    normal /= np.linalg.norm(normal)
    offset = rng.uniform(-0.3, 0.3)
    points = []
    while len(points) < n:
        x = rng.uniform(-1, 1, 2)
        if abs(x @ normal + offset) >= margin:
            points.append(x)
    X = np.array(points)
    return X, np.where(X @ normal + offset > 0, 1.0, -1.0)


def accuracy(predicted, y) -> float:
    return float(np.mean(np.asarray(predicted) == y))


def train_sigmoid_neuron(X, y, epochs: int, lr: float = 0.5, start=None, after_epoch=None, optimizer=None):
    """σ(w·x + b) trained by full-batch gradient descent on binary cross-entropy (labels ±1 → 1/0);
    ``start`` and ``optimizer`` continue a neuron and its optimizer."""
    neuron = start or nn.Linear(X.shape[1], 1)
    optimizer = optimizer or optim.SGD(neuron.parameters(), lr=lr)
    inputs, targets = tensor(X, dtype=np.float32), tensor((y > 0).astype(np.float32)[:, None])
    losses = fit_full_batch(neuron, optimizer, nn.BCEWithLogitsLoss(), inputs, targets, epochs, after_epoch)
    return neuron, optimizer, losses


def train(options: RunOptions) -> dict:
    epochs = options.epochs or 300
    run = RunFolder.start(options, "perceptron")
    manual_seed(options.seed)
    clock = Stopwatch()

    toy = nn.Perceptron(2).fit(TOY_X, TOY_Y)
    X, y = separable_set(seed=options.seed)
    cut = int(0.8 * len(X))
    perceptron = nn.Perceptron(2).fit(X[:cut], y[:cut], epochs=1000)

    neuron = nn.Linear(2, 1)
    modules, optimizers = {"perceptron": perceptron, "neuron": neuron}, {"neuron": optim.SGD(neuron.parameters(), lr=0.5)}
    start, history = 0, {"loss": []}
    if options.resume:
        start, history, _ = run.resume(modules, optimizers, options.device, epochs=epochs)
    bar = epochs_bar(start, epochs, "sigmoid neuron", options.progress)

    def after_epoch(epoch, losses):
        bar.update(1)
        run.save_checkpoint(start + epoch, modules, optimizers, {"loss": history["loss"] + losses})

    _, _, new_losses = train_sigmoid_neuron(X[:cut], y[:cut], epochs - start, start=neuron,
                                            optimizer=optimizers["neuron"], after_epoch=after_epoch)
    bar.close()
    losses = history["loss"] + new_losses
    neuron_scores = neuron(tensor(X[cut:], dtype=np.float32)).detach().numpy()[:, 0]

    metrics = {
        "run": run_info(options, model="perceptron", seconds=round(clock.seconds, 2)),
        "toy": {"accuracy": accuracy(toy.predict(TOY_X).numpy(), TOY_Y), "epochs": toy.epochs_},
        "separable": {
            "train_size": cut, "test_size": len(X) - cut,
            "perceptron": {"test_accuracy": accuracy(perceptron.predict(X[cut:]).numpy(), y[cut:]),
                           "epochs": perceptron.epochs_, "converged": perceptron.converged_,
                           "mistakes_per_epoch": perceptron.mistakes_},
            "sigmoid_neuron": {"test_accuracy": accuracy(np.where(neuron_scores >= 0, 1, -1), y[cut:]),
                               "epochs": epochs, "final_loss": losses[-1]},
        },
    }
    _plot(run, X, y, perceptron, neuron, losses)
    run.write_metrics(metrics)
    return metrics


def _plot(run, X, y, perceptron, neuron, losses):
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
    left.scatter(X[y > 0, 0], X[y > 0, 1], s=12, c="tab:blue", label="+1")
    left.scatter(X[y < 0, 0], X[y < 0, 1], s=12, c="tab:red", label="−1")
    xs = np.linspace(-1, 1, 2)
    for (w, b), style, name in [
            ((perceptron.weight._data, perceptron.bias._data[0]), "k-", f"perceptron ({perceptron.epochs_} epochs)"),
            ((neuron.weight.detach().numpy()[0], neuron.bias.detach().numpy()[0]), "g--", "sigmoid neuron")]:
        if abs(w[1]) > 1e-12:
            left.plot(xs, -(w[0] * xs + b) / w[1], style, label=name)
    left.set(xlim=(-1, 1), ylim=(-1, 1), title="decision boundaries")
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8)
    right.plot(losses, c="g")
    right.set(title="sigmoid neuron: cross-entropy", xlabel="epoch", yscale="log")
    figure.tight_layout()
    figure.savefig(run.figure("decision_boundary.png"), dpi=110)
    plt.close(figure)
