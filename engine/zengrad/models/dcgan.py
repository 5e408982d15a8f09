"""`zengrad train dcgan`: a convolutional GAN (DCGAN, Radford et al. 2015), optionally WGAN-GP.

Generator, for images of C channels and side S (8 for the digits, 28 for MNIST-format data, 32 or
64 for a folder of PNG/JPEG images), s = S/4:
    z → Linear → reshape (2w, s, s) → BatchNorm2d + ReLU
      → ConvTranspose2d(2w → w, 4, stride 2, padding 1)   (2s × 2s) → BatchNorm2d + ReLU
      → ConvTranspose2d(w → C, 4, stride 2, padding 1)    (S × S)  → sigmoid
Discriminator / critic, the mirror image:
    x → Conv2d(C → w, 4, stride 2, padding 1) → LeakyReLU(0.2)
      → Conv2d(w → 2w, 4, stride 2, padding 1) [→ BatchNorm2d] → LeakyReLU(0.2) → Linear → 1 logit
Each stride-2 kernel of 4 with padding 1 exactly halves (or doubles) the side.

Two losses:
* ``bce``: the GAN game of :mod:`.gan` (D minimises ℓ(D(x), 1) + ℓ(D(G(z)), 0), G minimises
  ℓ(D(G(z)), 1)), Adam(2e-4, β = (0.5, 0.999)), BatchNorm in D.
* ``wgan-gp``: D is a critic estimating the Wasserstein-1 distance,
      critic loss  E[D(G(z))] − E[D(x)] + λ·E[(‖∇_x̂ D(x̂)‖₂ − 1)²],   generator loss  −E[D(G(z))],
  with the gradient penalty of :func:`zengrad.nn.utils.gradient_penalty` (λ = 10), no BatchNorm
  in the critic (the penalty is per sample), Adam(1e-4, β = (0.5, 0.9)) and n_critic = 5 critic
  steps (one per batch) for each generator step (Gulrajani et al. 2017).
``spectral=True`` wraps every layer of D in :func:`zengrad.nn.utils.spectral_norm` (and drops
its BatchNorm), bounding each layer's Lipschitz constant by 1 (Miyato et al. 2018).
``arch="article"`` replaces both networks by the article's face GAN with its bugs fixed
(:class:`ArticleGenerator`, :class:`ArticleDiscriminator`; docs/models/dcgan.md explains each fix).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .. import data, nn, optim
from ..creation import fork_rng, manual_seed, ones, randn, zeros
from ..data.images import EXTENSIONS
from .gan import load_images
from .gan_common import generate, report, show_images
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, pyplot

LOSSES = ("bce", "wgan-gp")


def _check_side(side: int) -> int:
    if side % 4 or side < 4:
        raise ValueError(f"dcgan: the image side must be a multiple of 4, got {side}")
    return side // 4


def _slope_after(layer, activation) -> float | None:
    """The negative slope when ``layer`` is a BatchNorm or a Conv2d and ``activation`` a ReLU (0) or
    a finite LeakyReLU that can run inside it as one node (neither with hooks); else None."""
    if not isinstance(layer, (nn.BatchNorm1d, nn.BatchNorm2d, nn.Conv2d)) or layer._forward_pre_hooks \
            or layer._forward_hooks or activation._forward_pre_hooks or activation._forward_hooks:
        return None
    if type(activation) is nn.ReLU:
        return 0.0
    if type(activation) is nn.LeakyReLU and math.isfinite(activation.negative_slope):
        return float(activation.negative_slope)
    return None


def fused_forward(layers: nn.Sequential, x):
    """``layers(x)`` with every BatchNorm or Conv2d that a ReLU or LeakyReLU follows run together
    with it as one node (``forward_activated``): the same values and gradients, one node less."""
    modules = list(layers._modules.values())
    index = 0
    while index < len(modules):
        module = modules[index]
        slope = _slope_after(module, modules[index + 1]) if index + 1 < len(modules) else None
        if slope is None:
            x = module(x)
            index += 1
        else:
            x = module.forward_activated(x, slope)
            index += 2
    return x


class Generator(nn.Sequential):
    """z (latent_dim) → (2w, S/4, S/4) → two stride-2 transposed convolutions → (C, S, S) in [0, 1]."""

    def __init__(self, latent_dim: int = 32, side: int = 8, width: int = 32, channels: int = 1):
        base = _check_side(side)
        super().__init__(
            nn.Linear(latent_dim, 2 * width * base * base), nn.Unflatten(1, (2 * width, base, base)),
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, stride=2, padding=1), nn.Sigmoid())

    def forward(self, z):
        return fused_forward(self, z)


class Discriminator(nn.Sequential):
    """(C, S, S) → two stride-2 convolutions → Linear → one logit (a score, for a critic).

    ``batch_norm`` adds BatchNorm2d after the second convolution; ``spectral`` normalises the
    weights of every convolution and of the Linear layer.
    """

    def __init__(self, side: int = 8, width: int = 32, batch_norm: bool = True, spectral: bool = False,
                 channels: int = 1):
        wrap = nn.utils.spectral_norm if spectral else (lambda layer: layer)
        base = _check_side(side)
        layers = [wrap(nn.Conv2d(channels, width, 4, stride=2, padding=1)), nn.LeakyReLU(0.2),
                  wrap(nn.Conv2d(width, 2 * width, 4, stride=2, padding=1))]
        if batch_norm:
            layers.append(nn.BatchNorm2d(2 * width))
        layers += [nn.LeakyReLU(0.2), nn.Flatten(), wrap(nn.Linear(2 * width * base * base, 1))]
        super().__init__(*layers)

    def forward(self, x):
        return fused_forward(self, x)


class ArticleGenerator(nn.Sequential):
    """The article's face generator, repaired (see docs/models/dcgan.md):

        z → Linear(latent → 128·(S/4)²) → LeakyReLU(0.01) → reshape (128, S/4, S/4)
          → ConvTranspose2d(128 → 128, 5, stride 2, "same") → LeakyReLU(0.01)      (S/2)
          → ConvTranspose2d(128 → 128, 5, stride 2, "same") → LeakyReLU(0.01)      (S)
          → Conv2d(128 → C, 7, "same") → tanh → (t + 1)/2 in [0, 1]

    (7·7·128 and 28 × 28 for the article's S = 28.) Keras' "same" padding for a stride-2
    transposed kernel of 5 is padding 2 with one extra output row and column (output_padding 1).
    The activations are applied (the article created them and never called them), and C is the
    data's channel count (the article made 3 while its discriminator read 1).
    """

    def __init__(self, latent_dim: int = 32, side: int = 28, channels: int = 1, width: int = 128):
        base = _check_side(side)
        super().__init__(
            nn.Linear(latent_dim, width * base * base), nn.LeakyReLU(0.01), nn.Unflatten(1, (width, base, base)),
            nn.ConvTranspose2d(width, width, 5, stride=2, padding=2, output_padding=1), nn.LeakyReLU(0.01),
            nn.ConvTranspose2d(width, width, 5, stride=2, padding=2, output_padding=1), nn.LeakyReLU(0.01),
            nn.Conv2d(width, channels, 7, padding=3), nn.Tanh())

    def forward(self, z):
        return (super().forward(z) + 1) * 0.5


class ArticleDiscriminator(nn.Sequential):
    """The article's discriminator, repaired: Conv2d 64 → 128 → 256 → 512 (kernel 5, "same"
    padding 2; stride 2 for the first three, 1 for the last), each followed by the LeakyReLU(0.01)
    it was meant to have, then Flatten → Linear → one logit. No sigmoid: the loss takes the logit
    (BCE with logits), which stays exact where sigmoid + log would round to log 0."""

    def __init__(self, side: int = 28, channels: int = 1, spectral: bool = False):
        wrap = nn.utils.spectral_norm if spectral else (lambda layer: layer)
        layers, size, previous = [], side, channels
        for width, stride in ((64, 2), (128, 2), (256, 2), (512, 1)):
            layers += [wrap(nn.Conv2d(previous, width, 5, stride=stride, padding=2)), nn.LeakyReLU(0.01)]
            size, previous = (size - 1) // stride + 1, width
        super().__init__(*layers, nn.Flatten(), wrap(nn.Linear(512 * size * size, 1)))


ARCHITECTURES = ("dcgan", "article")


def load_dataset(options: RunOptions, size: int, channels: int, count: int | None = None) -> data.ImageDataset:
    """The embedded digits; with ``--data``, a folder of PNG/JPEG images (read at ``size`` ×
    ``size`` with ``channels``) or, if it holds none, MNIST-format IDX files (the first ``count``
    images when given)."""
    if options.data is not None and any(
            p.suffix.lower() in EXTENSIONS for p in Path(options.data).rglob("*")):
        folder = data.image_folder(options.data, size, channels)
        return folder if count is None else data.ImageDataset(folder.images[:count], None, folder.name)
    return load_images(options, count)


def build(arch: str, latent_dim: int, side: int, width: int, channels: int, wgan: bool, spectral: bool):
    """(generator, discriminator) of ``arch`` for images (channels, side, side)."""
    if arch == "article":
        return (ArticleGenerator(latent_dim, side, channels),
                ArticleDiscriminator(side, channels, spectral=spectral))
    if arch != "dcgan":
        raise ValueError(f"dcgan: arch must be one of {ARCHITECTURES}, got {arch!r}")
    return (Generator(latent_dim, side, width, channels),
            Discriminator(side, width, batch_norm=not (wgan or spectral), spectral=spectral, channels=channels))


def train(options: RunOptions, loss: str = "bce", spectral: bool = False, arch: str = "dcgan", size="32",
          channels="3", latent_dim: int = 32, width: int = 32, batch_size: int | None = None, n_critic: int = 5,
          lambda_: float = 10.0, samples: int = 1000, snapshots: int = 4, images: int | None = None) -> dict:
    """Train, then judge 1,000 samples; writes metrics.json, PNGs and a resumable checkpoint.

    Defaults for the digits (each about 1.5–2 minutes on 2 CPU cores): BCE 60 epochs of batches
    of 64; WGAN-GP 80 epochs of batches of 32 (its generator steps once per n_critic batches, so
    smaller batches give it more steps). MNIST-format data and image folders: 5 epochs.
    ``size`` and ``channels`` apply to image folders only (the digits are 8 × 8 gray, IDX files
    keep their size); ``arch="article"`` trains :class:`ArticleGenerator` against
    :class:`ArticleDiscriminator`. Unlabelled folders get no classifier judge.

    A sample grid ``samples_epoch_XXX.png`` is written ``snapshots`` times during the run (and
    for the last epoch), and ``samples_and_losses.png`` at the end. ``images`` keeps only the
    first N images (small runs for tests).
    """
    if loss not in LOSSES:
        raise ValueError(f"dcgan: loss must be one of {LOSSES}, got {loss!r}")
    run = RunFolder.start(options, "dcgan")
    dataset = load_dataset(options, int(size), int(channels), images)
    real_images = dataset.images if dataset.images.ndim == 4 else dataset.images[:, None]
    real_images = real_images.astype(np.float32)
    image_channels, side = real_images.shape[1], real_images.shape[2]
    wgan = loss == "wgan-gp"
    epochs = options.epochs or ((80 if wgan else 60) if dataset.name == "digits" else 5)
    batch_size = batch_size or (32 if wgan else 64)
    manual_seed(options.seed)
    clock = Stopwatch()

    generator, discriminator = (net.to(options.device) for net in
                                build(arch, latent_dim, side, width, image_channels, wgan, spectral))
    betas = (0.5, 0.9) if wgan else (0.5, 0.999)
    lr = 1e-4 if wgan else 2e-4
    opt_g = optim.Adam(generator.parameters(), lr=lr, betas=betas)
    opt_d = optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    modules = {"generator": generator, "discriminator": discriminator}
    optimizers = {"generator": opt_g, "discriminator": opt_d}
    setup = {"loss": loss, "spectral": spectral, "latent_dim": latent_dim, "width": width, "arch": arch,
             "image_shape": [image_channels, side, side]}
    loader = data.DataLoader(data.TensorDataset(real_images), batch_size=batch_size, shuffle=True, drop_last=True,
                             seed=options.seed, device=options.device)
    if len(loader) == 0:
        raise ValueError(f"dcgan: {len(real_images)} images make no batch of {batch_size}")
    generators = {"batches": loader.rng}
    start, history = 0, {"loss_d": [], "loss_g": []}
    if options.resume:
        start, history, _ = run.resume(modules, optimizers, options.device, generators, epochs, setup)
    step = _wgan_gp_step(n_critic, lambda_) if wgan else _bce_step()
    every = max(1, epochs // snapshots)
    shape = (image_channels, side, side)
    bar = epochs_bar(start, epochs, f"dcgan ({arch}, {loss}{', spectral norm' if spectral else ''})", options.progress)
    for epoch in bar:
        sums, counts = np.zeros(2), np.zeros(2)
        for index, (real,) in enumerate(loader):
            noise = randn(real.shape[0], latent_dim, device=options.device)
            for slot, value in enumerate(step(index, real, noise, generator, discriminator, opt_g, opt_d)):
                if value is not None:
                    sums[slot] += value
                    counts[slot] += 1
        history["loss_d"].append(float(sums[0] / max(counts[0], 1)))
        history["loss_g"].append(float(sums[1] / max(counts[1], 1)))
        bar.set_postfix(loss_d=f"{history['loss_d'][-1]:.3f}", loss_g=f"{history['loss_g'][-1]:.3f}")
        if (epoch + 1) % every == 0 or epoch == epochs - 1:
            with fork_rng():  # the snapshot's noise must not change training (runs resume exactly)
                _save_grid(run.figure(f"samples_epoch_{epoch + 1:03d}.png"),
                           generate(generator, 64, latent_dim, shape, options.device))
        run.save_checkpoint(epoch, modules, optimizers, history, extra={"setup": setup}, generators=generators)

    details = dict(model="dcgan", epochs=epochs, seconds=round(clock.seconds, 2), batch_size=batch_size, **setup,
                   **({"n_critic": n_critic, "lambda": lambda_} if wgan else {}))
    return report(run, options, dataset, lambda: generate(generator, samples, latent_dim, shape, options.device),
                  history, details, "critic / generator loss" if wgan else "binary cross-entropy")


def _bce_step():
    bce = nn.BCEWithLogitsLoss()

    def step(index, real, noise, generator, discriminator, opt_g, opt_d):
        n, device = real.shape[0], real.device
        fake = generator(noise)
        loss_d = bce(discriminator(real), ones(n, 1, device=device)) + \
            bce(discriminator(fake.detach()), zeros(n, 1, device=device))
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(discriminator(fake), ones(n, 1, device=device))
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return loss_d.item(), loss_g.item()
    return step


def _wgan_gp_step(n_critic: int, lambda_: float):
    def step(index, real, noise, generator, discriminator, opt_g, opt_d):
        fake = generator(noise).detach()
        loss_d = discriminator(fake).mean() - discriminator(real).mean() + \
            nn.utils.gradient_penalty(discriminator, real, fake, lambda_)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        if (index + 1) % n_critic:
            return loss_d.item(), None
        loss_g = -discriminator(generator(noise)).mean()
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
        return loss_d.item(), loss_g.item()
    return step


def _save_grid(path, images) -> None:
    plt = pyplot()
    figure = plt.figure(figsize=(4, 4))
    show_images(figure.add_subplot(1, 1, 1), images)
    figure.savefig(path, dpi=110)
    plt.close(figure)
