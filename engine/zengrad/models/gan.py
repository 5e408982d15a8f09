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
from .gan_common import generate, report
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar


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

    seconds = round(clock.seconds, 2)
    return report(run, options, dataset, lambda: generate(generator, samples, latent_dim, shape, options.device),
                  history,
                  dict(model="gan", epochs=epochs, seconds=seconds, latent_dim=latent_dim,
                       batch_size=batch_size))
