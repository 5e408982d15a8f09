"""GAN samples as extra training data: does a class-conditional GAN help a digit classifier that
has only a few labelled digits?

Protocol (``python -m zengrad.models.gan_augment``), per seed:
1. Split the embedded digits 80/20 (:meth:`ImageDataset.split`); the 20% are the held-out test set.
2. From the 80%, keep a small labelled slice: ``per_class`` digits of each class (default 10,
   so 100 digits).
3. Train a class-conditional GAN (cGAN, Mirza & Osindero 2014) on the slice alone: G(z, y) and
   D(x, y) see the one-hot label y concatenated to their input; the game is :mod:`.gan`'s
   (non-saturating BCE, Adam 2e-4, β = (0.5, 0.999)); batches are drawn from the slice with
   replacement.
4. Train the same digit classifier (:class:`.classifier.DigitClassifier`) three times, for about
   the same number of optimizer steps: on the slice; on the slice plus ``synthetic_per_class``
   GAN samples of each class (labelled with the class they were asked for); and, as a ceiling,
   on the whole 80% of real digits.
5. Report the three held-out accuracies.

No data beyond the slice reaches the GAN or the first two classifiers, so any gain comes from the
GAN's interpolation between the slice's digits, not from extra information.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np

from .. import data, nn, optim
from ..creation import manual_seed, ones, randn, tensor, zeros
from ..ops import cat
from ..grad_mode import no_grad
from .classifier import accuracy, fit_classifier
from .run import Stopwatch

CLASSES = 10


def one_hot(labels: np.ndarray, classes: int = CLASSES) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[np.asarray(labels)]


class ConditionalGenerator(nn.Module):
    """[z, one-hot y] → 128 → 256 → pixels, LeakyReLU(0.2) between, sigmoid at the end."""

    def __init__(self, latent_dim: int = 32, pixels: int = 64, classes: int = CLASSES):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(latent_dim + classes, 128), nn.LeakyReLU(0.2),
                                 nn.Linear(128, 256), nn.LeakyReLU(0.2), nn.Linear(256, pixels), nn.Sigmoid())

    def forward(self, noise, labels_one_hot):
        return self.net(cat([noise, labels_one_hot], dim=1))


class ConditionalDiscriminator(nn.Module):
    """[x, one-hot y] → 256 → 128 → 1 logit, LeakyReLU(0.2) between."""

    def __init__(self, pixels: int = 64, classes: int = CLASSES):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(pixels + classes, 256), nn.LeakyReLU(0.2),
                                 nn.Linear(256, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))

    def forward(self, images, labels_one_hot):
        return self.net(cat([images, labels_one_hot], dim=1))


def labelled_slice(dataset: data.ImageDataset, per_class: int, seed: int) -> data.ImageDataset:
    """``per_class`` randomly chosen items of each class."""
    rng = np.random.default_rng(seed)
    chosen = []
    for label in range(CLASSES):
        members = np.flatnonzero(dataset.labels == label)
        if len(members) < per_class:
            raise ValueError(f"gan_augment: class {label} has {len(members)} items, fewer than {per_class}")
        chosen.extend(rng.choice(members, per_class, replace=False))
    chosen = np.sort(np.array(chosen))
    return data.ImageDataset(dataset.images[chosen], dataset.labels[chosen], dataset.name)


def train_conditional_gan(train_set: data.ImageDataset, steps: int, seed: int, latent_dim: int = 32,
                          batch_size: int = 64, device: str = "cpu") -> ConditionalGenerator:
    """The cGAN of the module docstring, trained for ``steps`` steps (one D and one G update each)."""
    manual_seed(seed)
    rng = np.random.default_rng(seed)
    pixels = int(np.prod(train_set.images.shape[1:]))
    flat = train_set.images.reshape(len(train_set), pixels).astype(np.float32)
    generator = ConditionalGenerator(latent_dim, pixels).to(device)
    discriminator = ConditionalDiscriminator(pixels).to(device)
    opt_g = optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real_target, fake_target = ones(batch_size, 1, device=device), zeros(batch_size, 1, device=device)
    for _ in range(steps):
        rows = rng.integers(len(flat), size=batch_size)
        real = tensor(flat[rows], device=device)
        real_labels = tensor(one_hot(train_set.labels[rows]), device=device)
        fake_labels = tensor(one_hot(rng.integers(CLASSES, size=batch_size)), device=device)
        fake = generator(randn(batch_size, latent_dim, device=device), fake_labels)
        loss_d = bce(discriminator(real, real_labels), real_target) + \
            bce(discriminator(fake.detach(), fake_labels), fake_target)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(discriminator(fake, fake_labels), real_target)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return generator


def synthesise(generator: ConditionalGenerator, per_class: int, shape: tuple, latent_dim: int = 32,
               device: str = "cpu") -> data.ImageDataset:
    """``per_class`` samples of each class, labelled with the class they were generated for."""
    labels = np.repeat(np.arange(CLASSES), per_class)
    with no_grad():
        images = generator(randn(len(labels), latent_dim, device=device),
                           tensor(one_hot(labels), device=device)).cpu().numpy()
    return data.ImageDataset(images.reshape((len(labels),) + tuple(shape)), labels.astype(np.int64), "synthetic")


def _joined(a: data.ImageDataset, b: data.ImageDataset) -> data.ImageDataset:
    return data.ImageDataset(np.concatenate([a.images, b.images]).astype(np.float32),
                             np.concatenate([a.labels, b.labels]), f"{a.name}+{b.name}")


def _fit_for_steps(train_set: data.ImageDataset, steps: int, seed: int, device: str):
    """A classifier trained for ``steps`` optimizer steps or just over (whole epochs of batches of 64)."""
    epochs = max(1, math.ceil(steps / math.ceil(len(train_set) / 64)))
    manual_seed(seed)
    return fit_classifier(train_set, epochs, seed, device)


def experiment(seed: int = 0, per_class: int = 10, synthetic_per_class: int = 100, gan_steps: int = 3000,
               classifier_steps: int = 800, device: str = "cpu") -> dict:
    """One seed of the protocol in the module docstring; returns the three accuracies and settings."""
    clock = Stopwatch()
    digits = data.digits()
    pool, test_set = digits.split(0.8, seed=seed)
    small = labelled_slice(pool, per_class, seed)
    generator = train_conditional_gan(small, gan_steps, seed, device=device)
    synthetic = synthesise(generator, synthetic_per_class, digits.images.shape[1:], device=device)
    results = {}
    for name, train_set in (("slice", small), ("slice+gan", _joined(small, synthetic)), ("all_real", pool)):
        model = _fit_for_steps(train_set, classifier_steps, seed, device)
        results[name] = accuracy(model, test_set, device)
    return {"seed": seed, "accuracy": results, "per_class": per_class, "synthetic_per_class": synthetic_per_class,
            "gan_steps": gan_steps, "classifier_steps": classifier_steps, "test_size": len(test_set),
            "seconds": round(clock.seconds, 1)}


def summary(runs: list[dict]) -> dict:
    """Mean and sample standard deviation of each accuracy over the runs."""
    names = runs[0]["accuracy"]
    return {name: {"mean": float(np.mean([r["accuracy"][name] for r in runs])),
                   "sd": float(np.std([r["accuracy"][name] for r in runs], ddof=1)) if len(runs) > 1 else 0.0}
            for name in names}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m zengrad.models.gan_augment", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--synthetic-per-class", type=int, default=100)
    parser.add_argument("--gan-steps", type=int, default=3000)
    parser.add_argument("--out", default="runs/gan-augment")
    args = parser.parse_args(argv)
    runs = []
    for seed in range(args.seeds):
        runs.append(experiment(seed, args.per_class, args.synthetic_per_class, args.gan_steps))
        print(json.dumps(runs[-1]), flush=True)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    result = {"runs": runs, "summary": summary(runs)}
    (Path(args.out) / "metrics.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))


if __name__ == "__main__":
    main()
