"""`zengrad train gan`: the classic dense GAN on handwritten digits.

A generator G maps noise z ~ N(0, I) to an image; a discriminator D maps an image to a logit,
the log-odds that it is real. They play a two-player game with binary cross-entropy ℓ:
    D minimises ℓ(D(x), 1) + ℓ(D(G(z)), 0)        (tell real from fake)
    G minimises ℓ(D(G(z)), 1)                     (the non-saturating generator loss)
G: Dense + BatchNorm + LeakyReLU blocks and a sigmoid output in [0, 1]; D: Dense + LeakyReLU;
both trained with Adam (lr 2e-4, β₁ = 0.5), as in the DCGAN paper's recipe.
"""

from __future__ import annotations

import numpy as np

from .. import data, nn, optim
from ..creation import manual_seed, ones, randn, zeros
from ..grad_mode import no_grad
from ..viz import image_grid
from .classifier import train_classifier
from .quality import assess
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, pyplot, run_info


class Generator(nn.Sequential):
    """z (latent_dim) → 128 → 256 → pixels, BatchNorm + LeakyReLU(0.2) between, sigmoid at the end."""

    def __init__(self, latent_dim: int = 32, pixels: int = 64):
        super().__init__(
            nn.Linear(latent_dim, 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2),
            nn.Linear(128, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2),
            nn.Linear(256, pixels), nn.Sigmoid())


class Discriminator(nn.Sequential):
    """pixels → 256 → 128 → 1 logit, LeakyReLU(0.2) between."""

    def __init__(self, pixels: int = 64):
        super().__init__(
            nn.Linear(pixels, 256), nn.LeakyReLU(0.2),
            nn.Linear(256, 128), nn.LeakyReLU(0.2),
            nn.Linear(128, 1))


def generate(generator: Generator, count: int, latent_dim: int, shape: tuple, device: str) -> np.ndarray:
    with no_grad():
        generator.eval()
        images = generator(randn(count, latent_dim, device=device)).cpu().numpy()
        generator.train()
    return images.reshape((count,) + tuple(shape))


def load_images(options: RunOptions, count: int | None = None) -> data.ImageDataset:
    """The embedded digits, or MNIST-format IDX files when ``--data`` names a folder (the first
    ``count`` images when given). Labels must be digits 0-9: the judge is a 10-class classifier."""
    dataset = data.digits() if options.data is None else data.mnist(options.data)
    if count is not None:
        dataset = data.ImageDataset(dataset.images[:count], dataset.labels[:count], dataset.name)
    outside = np.flatnonzero((dataset.labels < 0) | (dataset.labels > 9))
    if len(outside):
        raise ValueError(f"{options.data}: label {dataset.labels[outside[0]]} (image {outside[0]}) is outside 0-9; "
                         f"{len(outside)} labels are: the GAN trainers judge digits with a 10-class classifier, "
                         "so give a labels file of digits 0-9 (MNIST format)")
    return dataset


def train(options: RunOptions, latent_dim: int = 32, batch_size: int = 64, samples: int = 1000,
          images: int | None = None) -> dict:
    """``images`` keeps only the first N images (small runs for tests)."""
    run = RunFolder.start(options, "gan")
    dataset = load_images(options, images)
    epochs = options.epochs or (200 if dataset.name == "digits" else 10)
    shape = dataset.images.shape[1:]
    pixels = int(np.prod(shape))
    manual_seed(options.seed)
    clock = Stopwatch()

    generator = Generator(latent_dim, pixels).to(options.device)
    discriminator = Discriminator(pixels).to(options.device)
    opt_g = optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    modules, optimizers = {"generator": generator, "discriminator": discriminator}, {"generator": opt_g, "discriminator": opt_d}
    flat = dataset.images.reshape(len(dataset), pixels)
    loader = data.DataLoader(data.TensorDataset(flat), batch_size=batch_size, shuffle=True, drop_last=True,
                             seed=options.seed, device=options.device)
    generators = {"batches": loader.rng}
    start, history = 0, {"loss_d": [], "loss_g": []}
    if options.resume:
        start, history, _ = run.resume(modules, optimizers, options.device, generators, epochs)
    bar = epochs_bar(start, epochs, "gan", options.progress)
    for epoch in bar:
        sums = np.zeros(2)
        for (real,) in loader:
            n = real.shape[0]
            fake = generator(randn(n, latent_dim, device=options.device))
            loss_d = bce(discriminator(real), ones(n, 1, device=options.device)) + \
                bce(discriminator(fake.detach()), zeros(n, 1, device=options.device))
            opt_d.zero_grad()
            loss_d.backward()
            opt_d.step()
            loss_g = bce(discriminator(fake), ones(n, 1, device=options.device))
            opt_g.zero_grad()
            loss_g.backward()
            opt_g.step()
            sums += (loss_d.item(), loss_g.item())
        history["loss_d"].append(sums[0] / len(loader))
        history["loss_g"].append(sums[1] / len(loader))
        bar.set_postfix(loss_d=f"{history['loss_d'][-1]:.3f}", loss_g=f"{history['loss_g'][-1]:.3f}")
        run.save_checkpoint(epoch, modules, optimizers, history, generators=generators)

    classifier, classifier_accuracy = train_classifier(dataset, seed=options.seed, device=options.device)
    generated = generate(generator, samples, latent_dim, shape, options.device)
    assessed = assess(classifier, generated, dataset.images, options.device, options.seed)
    metrics = {"run": run_info(options, model="gan", epochs=epochs, seconds=round(clock.seconds, 2),
                               data=dataset.name, latent_dim=latent_dim, batch_size=batch_size),
               "classifier_test_accuracy": classifier_accuracy,
               "generated": assessed["generated"], "real_reference": assessed["real_reference"],
               "final_loss_d": history["loss_d"][-1] if history["loss_d"] else None,
               "final_loss_g": history["loss_g"][-1] if history["loss_g"] else None}
    _plot(run, generated[:100], history)
    run.write_metrics(metrics)
    return metrics


def _plot(run, images, history, ylabel: str = "binary cross-entropy"):
    plt = pyplot()
    figure = plt.figure(figsize=(11, 5))
    grid = figure.add_subplot(1, 2, 1)
    grid.imshow(image_grid(images), cmap="gray_r", interpolation="nearest", vmin=0, vmax=1)
    grid.set(title="generated digits", xticks=[], yticks=[])
    curves = figure.add_subplot(1, 2, 2)
    curves.plot(history["loss_d"], label="discriminator")
    curves.plot(history["loss_g"], label="generator")
    curves.set(title="losses per epoch", xlabel="epoch", ylabel=ylabel)
    curves.legend()
    figure.tight_layout()
    figure.savefig(run.figure("samples_and_losses.png"), dpi=110)
    plt.close(figure)
