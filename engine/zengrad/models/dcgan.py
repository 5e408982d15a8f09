"""`zengrad train dcgan`: a convolutional GAN (DCGAN, Radford et al. 2015), optionally WGAN-GP.

Generator, for images of side S (8 for the digits, 28 for MNIST-format data), s = S/4:
    z → Linear → reshape (2w, s, s) → BatchNorm2d + ReLU
      → ConvTranspose2d(2w → w, 4, stride 2, padding 1)   (2s × 2s) → BatchNorm2d + ReLU
      → ConvTranspose2d(w → 1, 4, stride 2, padding 1)    (S × S)  → sigmoid
Discriminator / critic, the mirror image:
    x → Conv2d(1 → w, 4, stride 2, padding 1) → LeakyReLU(0.2)
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
"""

from __future__ import annotations

import numpy as np

from .. import data, io, nn, optim
from ..creation import manual_seed, ones, randn, zeros
from .gan import load_images
from .gan_common import generate, report, show_images
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, pyplot

LOSSES = ("bce", "wgan-gp")


class Generator(nn.Sequential):
    """z (latent_dim) → (2w, S/4, S/4) → two stride-2 transposed convolutions → (1, S, S) in [0, 1]."""

    def __init__(self, latent_dim: int = 32, side: int = 8, width: int = 32):
        if side % 4:
            raise ValueError(f"dcgan: the image side must be a multiple of 4, got {side}")
        base = side // 4
        super().__init__(
            nn.Linear(latent_dim, 2 * width * base * base), nn.Unflatten(1, (2 * width, base, base)),
            nn.BatchNorm2d(2 * width), nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1), nn.Sigmoid())


class Discriminator(nn.Sequential):
    """(1, S, S) → two stride-2 convolutions → Linear → one logit (a score, for a critic).

    ``batch_norm`` adds BatchNorm2d after the second convolution; ``spectral`` normalises the
    weights of every convolution and of the Linear layer.
    """

    def __init__(self, side: int = 8, width: int = 32, batch_norm: bool = True, spectral: bool = False):
        wrap = nn.utils.spectral_norm if spectral else (lambda layer: layer)
        base = side // 4
        layers = [wrap(nn.Conv2d(1, width, 4, stride=2, padding=1)), nn.LeakyReLU(0.2),
                  wrap(nn.Conv2d(width, 2 * width, 4, stride=2, padding=1))]
        if batch_norm:
            layers.append(nn.BatchNorm2d(2 * width))
        layers += [nn.LeakyReLU(0.2), nn.Flatten(), wrap(nn.Linear(2 * width * base * base, 1))]
        super().__init__(*layers)


def train(options: RunOptions, loss: str = "bce", spectral: bool = False, latent_dim: int = 32,
          width: int = 32, batch_size: int | None = None, n_critic: int = 5, lambda_: float = 10.0,
          samples: int = 1000, snapshots: int = 4) -> dict:
    """Train, then judge 1,000 samples; writes metrics.json, PNGs and a resumable checkpoint.

    Defaults for the digits (each about 1.5–2 minutes on 2 CPU cores): BCE 60 epochs of batches
    of 64; WGAN-GP 80 epochs of batches of 32 (its generator steps once per n_critic batches, so
    smaller batches give it more steps). MNIST-format data: 5 epochs.

    A sample grid ``samples_epoch_XXX.png`` is written ``snapshots`` times during the run (and
    for the last epoch), and ``samples_and_losses.png`` at the end.
    """
    if loss not in LOSSES:
        raise ValueError(f"dcgan: loss must be one of {LOSSES}, got {loss!r}")
    dataset = load_images(options)
    side = dataset.images.shape[1]
    wgan = loss == "wgan-gp"
    epochs = options.epochs or ((80 if wgan else 60) if dataset.name == "digits" else 5)
    batch_size = batch_size or (32 if wgan else 64)
    manual_seed(options.seed)
    run = RunFolder(options.out)
    clock = Stopwatch()

    generator = Generator(latent_dim, side, width).to(options.device)
    discriminator = Discriminator(side, width, batch_norm=not (wgan or spectral), spectral=spectral).to(options.device)
    betas = (0.5, 0.9) if wgan else (0.5, 0.999)
    lr = 1e-4 if wgan else 2e-4
    opt_g = optim.Adam(generator.parameters(), lr=lr, betas=betas)
    opt_d = optim.Adam(discriminator.parameters(), lr=lr, betas=betas)
    modules = {"generator": generator, "discriminator": discriminator}
    optimizers = {"generator": opt_g, "discriminator": opt_d}
    setup = {"loss": loss, "spectral": spectral, "latent_dim": latent_dim, "width": width}
    start, history = 0, {"loss_d": [], "loss_g": []}
    if options.resume:
        saved = io.load(run.checkpoint).get("extra", {}).get("setup", setup) if run.checkpoint.exists() else setup
        if saved != setup:
            raise ValueError(f"dcgan: the checkpoint in {options.out} was made with {saved}, not {setup}")
        start, history, _ = run.resume(modules, optimizers, options.device)

    images = dataset.images[:, None].astype(np.float32)
    loader = data.DataLoader(data.TensorDataset(images), batch_size=batch_size, shuffle=True, drop_last=True,
                             seed=options.seed + start, device=options.device)
    step = _wgan_gp_step(n_critic, lambda_) if wgan else _bce_step()
    every = max(1, epochs // snapshots)
    bar = epochs_bar(start, epochs, f"dcgan ({loss}{', spectral norm' if spectral else ''})", options.progress)
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
            _save_grid(run.figure(f"samples_epoch_{epoch + 1:03d}.png"),
                       generate(generator, 64, latent_dim, (side, side), options.device))
        run.save_checkpoint(epoch, modules, optimizers, history, extra={"setup": setup})

    details = dict(model="dcgan", epochs=epochs, seconds=round(clock.seconds, 2), batch_size=batch_size, **setup,
                   **({"n_critic": n_critic, "lambda": lambda_} if wgan else {}))
    return report(run, options, dataset, lambda: generate(generator, samples, latent_dim, (side, side), options.device),
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
