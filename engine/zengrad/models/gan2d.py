"""`zengrad train gan2d`: the mode-collapse benchmark — a GAN on a 2-D mixture of Gaussians.

Data (the unrolled-GAN paper, Metz et al. 2016, and VEEGAN, Srivastava et al. 2017):
* ``ring``: 8 Gaussians of σ = 0.02 at equal angles on a circle of radius 2;
* ``grid``: 25 Gaussians of σ = 0.05 at {−4, −2, 0, 2, 4}².
Every mode has the same weight; batches are fresh draws (the data set is endless).

Networks (Metz et al.'s appendix, for both data sets): G maps z ~ N(0, I₂₅₆) through two hidden
layers of 128 ReLU units to a point of the plane; D maps a point through one hidden layer of
128 ReLU units to a logit. Both use Adam(β = (0.5, 0.999)), batches of 512 — with lr 1e-3 by
default, ten times the papers' 1e-4, so that the short runs a shared 2-core machine affords
(800 steps, where the papers ran tens of thousands) travel a comparable distance.

Game (the non-saturating GAN, as in :mod:`.gan`): with ℓ the binary cross-entropy on logits,
    D minimises ℓ(D(x), 1) + ℓ(D(G(z)), 0),     G minimises ℓ(D(G(z)), 1).
One step = one update of D then one of G on the same batch (D first, so G sees the updated D).

Remedies (``remedy=``):
* ``none``: the game above.
* ``unrolled`` (Metz et al. 2016): G minimises the surrogate f(θ_G, θ_D^k), where θ_D^k is D after
  k more Adam steps on the same batch, θ_D^{i+1} = θ_D^i − Adam(∇_θD L_D(θ_D^i, θ_G)). With
  ``unroll_grad=True`` the G gradient flows through the k steps (each step's gradient is taken
  with ``create_graph=True``, and the Adam update is written functionally, see
  :func:`adam_update`, since zengrad's optimizers update in place); with ``unroll_grad=False``
  (the paper's cheap variant) θ_D^k is a constant and G simply plays against a D that looked ahead.
  D itself takes its ordinary step; k = 0 is the plain game.
* ``sn`` (Miyato et al. 2018): spectral normalisation of D's two Linear layers.
* ``gp`` (Gulrajani et al. 2017): WGAN-GP — D is a critic with loss E[D(G(z))] − E[D(x)] + λ GP,
  λ = 0.1 (their setting for the toy data sets), 5 critic steps per G step,
  Adam(β = (0.5, 0.9)); G minimises −E[D(G(z))].
* ``ttur`` (Heusel et al. 2017, two time-scale update rule): D learns 4× faster than G
  (lr_D = 4·lr_G).
* ``diversity``: the mode-seeking term of MSGAN (Mao et al. 2019, "Mode Seeking Generative
  Adversarial Networks for Diverse Image Synthesis", eq. 2-3). The batch's noise is split in
  halves z₁, z₂ (row i with row i + n/2); G adds
      λ_ms / (ratio + 1e-5),   ratio = mean|G(z₁) − G(z₂)| / mean|z₁ − z₂|
  to its loss (λ_ms = 1), so two noises far apart must give samples far apart.

Judge (VEEGAN's, used again by PacGAN): 2,500 samples; a sample is *high quality* when it lies
within 3σ of its nearest mode centre; a mode is *covered* when it is the nearest mode of at least
one high-quality sample. Its chance level (:func:`chance_level`: 2,500 points uniform on the
plotted square, a generator that only spreads out) is 4.4 of 8 modes at 0.25 % high quality on
the ring and about 20 of 25 at 1.7 % on the grid, so modes covered must be read beside the
high-quality fraction.

An "epoch" here is 100 generator steps. The run writes ``samples_over_time.png`` (the samples at
regular steps over the mode centres: the classic picture of a GAN hopping from mode to mode),
metrics.json (modes covered and the high-quality fraction at every snapshot and at the end) and
a resumable checkpoint.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .. import nn, optim
from ..autograd import grad
from ..creation import fork_rng, manual_seed, ones, randn, tensor, zeros
from ..grad_mode import no_grad
from ..nn import functional as F
from .run import RunFolder, RunOptions, Stopwatch, epochs_bar, pyplot, run_info

MODES = ("ring", "grid")
REMEDIES = ("none", "unrolled", "sn", "gp", "ttur", "diversity")
STEPS_PER_EPOCH = 100
JUDGE_SAMPLES = 2500


# ---- the data and the judge ----------------------------------------------------------------------

def mixture(modes: str) -> tuple[np.ndarray, float]:
    """(mode centres (K, 2), σ) of the ``ring`` (8 modes) or the ``grid`` (25 modes)."""
    if modes == "ring":
        angles = 2 * np.pi * np.arange(8) / 8
        return 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1), 0.02
    if modes == "grid":
        axis = np.arange(-4.0, 5.0, 2.0)
        return np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2), 0.05
    raise ValueError(f"gan2d: modes must be one of {MODES}, got {modes!r}")


def sample_mixture(centres: np.ndarray, sigma: float, count: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` float32 points: a uniformly chosen centre plus N(0, σ² I) noise."""
    chosen = centres[rng.integers(len(centres), size=count)]
    return (chosen + sigma * rng.standard_normal((count, 2))).astype(np.float32)


def judge(samples: np.ndarray, centres: np.ndarray, sigma: float) -> dict:
    """VEEGAN's measures: a sample is high quality within 3σ of its nearest centre; a mode is
    covered when it is the nearest centre of at least one high-quality sample."""
    samples = np.asarray(samples, dtype=np.float64)
    if samples.ndim != 2 or samples.shape[1] != 2 or not len(samples):
        raise ValueError(f"gan2d judge: expected (N ≥ 1, 2) samples, got shape {samples.shape}")
    distances = np.linalg.norm(samples[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    good = distances[np.arange(len(samples)), nearest] <= 3 * sigma
    per_mode = np.bincount(nearest[good], minlength=len(centres))
    return {"modes_covered": int((per_mode > 0).sum()), "modes": int(len(centres)),
            "high_quality_fraction": float(good.mean()), "high_quality_per_mode": per_mode.tolist()}


def half_side(centres: np.ndarray) -> float:
    """Half the side of the square the judge's chance level and the plots use: the centres'
    largest coordinate plus 1 (3 for the ring, 5 for the grid)."""
    return float(np.abs(centres).max() + 1.0)


def chance_level(centres: np.ndarray, sigma: float, count: int = JUDGE_SAMPLES, seed: int = 0) -> dict:
    """The judge's verdict on ``count`` points drawn uniformly on the square [−h, h]² (h =
    :func:`half_side`): what a generator that learned nothing about the modes, only to spread
    over the plane, scores. A point is high quality with probability ≈ K·π(3σ)² / (2h)² (K
    discs of radius 3σ in the square: 0.25 % for the ring, 1.8 % for the grid), and a mode is
    covered with probability ≈ 1 − exp(−count·π(3σ)² / (2h)²), so "modes covered" means
    something only next to a high-quality fraction well above this level."""
    h = half_side(centres)
    points = np.random.default_rng(seed).uniform(-h, h, size=(count, 2))
    return judge(points, centres, sigma)


# ---- the networks ---------------------------------------------------------------------------------

class Generator(nn.Sequential):
    """z (latent_dim) → hidden → ReLU → hidden → ReLU → a point (x, y)."""

    def __init__(self, latent_dim: int = 256, hidden: int = 128):
        super().__init__(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 2))


class Discriminator(nn.Sequential):
    """A point → hidden → ReLU → one logit; ``spectral`` normalises both Linear layers."""

    def __init__(self, hidden: int = 128, spectral: bool = False):
        wrap = nn.utils.spectral_norm if spectral else (lambda layer: layer)
        super().__init__(wrap(nn.Linear(2, hidden)), nn.ReLU(), wrap(nn.Linear(hidden, 1)))


def functional_forward(network: nn.Sequential, params: list, x):
    """``network(x)`` computed with ``params`` (tensors, in ``network.parameters()`` order) in place
    of its own parameters: what an unrolled step needs, since its parameters are graph nodes."""
    params = list(params)
    for layer in network:
        if isinstance(layer, nn.Linear):
            weight, bias = params.pop(0), params.pop(0)
            x = F.linear(x, weight, bias)
        elif isinstance(layer, nn.ReLU):
            x = x.relu()
        else:
            raise TypeError(f"functional_forward: no functional form for {type(layer).__name__}")
    if params:
        raise ValueError(f"functional_forward: {len(params)} parameters left over")
    return x


# ---- the unrolled optimizer ------------------------------------------------------------------------

def adam_update(params: list, grads: list, moments: list, step: int, lr: float, betas: tuple, eps: float):
    """One Adam step written with tensor ops, differentiable in ``params`` and ``grads``:

        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,
        θ ← θ − lr/(1 − β₁ᵗ) · m / √(v/(1 − β₂ᵗ) + eps²)

    i.e. :class:`zengrad.optim.Adam`'s update with √v̂ + eps replaced by √(v̂ + eps²): equal to
    within eps, and differentiable where v = 0 (a dead ReLU unit's weights have g = 0, and the
    derivative of √ at 0 would turn the backward pass into NaN). ``moments`` holds (m, v) per
    parameter; ``step`` is t. Returns (new params, new moments).
    """
    beta1, beta2 = betas
    new_params, new_moments = [], []
    for param, g, (m, v) in zip(params, grads, moments):
        m = m * beta1 + g * (1 - beta1)
        v = v * beta2 + g * g * (1 - beta2)
        denominator = (v / (1 - beta2 ** step) + eps * eps).sqrt()
        new_params.append(param - m * (lr / (1 - beta1 ** step)) / denominator)
        new_moments.append((m, v))
    return new_params, new_moments


def adam_moments(optimizer: optim.Adam, params: list) -> tuple[list, int]:
    """The (m, v) pairs of ``optimizer`` for ``params`` as constant tensors, and its step count
    (zeros and 0 before its first step)."""
    moments, step = [], 0
    for param in params:
        state = optimizer.state.get(param, {})
        if state:
            moments.append((tensor(state["exp_avg"]._data.copy()), tensor(state["exp_avg_sq"]._data.copy())))
            step = state["step"]
        else:
            moments.append((zeros(*param.shape, device=param.device), zeros(*param.shape, device=param.device)))
    return moments, step


def discriminator_loss(logits_real, logits_fake):
    n = logits_real.shape[0]
    return F.binary_cross_entropy_with_logits(logits_real, ones(n, 1, device=logits_real.device)) + \
        F.binary_cross_entropy_with_logits(logits_fake, zeros(logits_fake.shape[0], 1, device=logits_fake.device))


def generator_loss(logits_fake):
    return F.binary_cross_entropy_with_logits(logits_fake, ones(logits_fake.shape[0], 1, device=logits_fake.device))


def unrolled_parameters(discriminator: nn.Sequential, opt_d: optim.Adam, real, fake, steps: int,
                        differentiable: bool) -> list:
    """θ_D after ``steps`` functional Adam steps of D's loss on (real, fake), starting from D's
    parameters and ``opt_d``'s moments. ``differentiable``: the result depends on ``fake`` (and so
    on G) through every step; otherwise it is a constant."""
    params = list(discriminator.parameters())
    moments, step = adam_moments(opt_d, params)
    group = opt_d.param_groups[0]
    if not differentiable:
        fake = fake.detach()
    for i in range(steps):
        loss = discriminator_loss(functional_forward(discriminator, params, real),
                                  functional_forward(discriminator, params, fake))
        grads = grad(loss, params, create_graph=differentiable)
        params, moments = adam_update(params, grads, moments, step + i + 1, group["lr"], group["betas"], group["eps"])
        if not differentiable:
            params = [p.detach().requires_grad_() for p in params]
            moments = [(m.detach(), v.detach()) for m, v in moments]
    return params


def mode_seeking_penalty(noise, fake, eps: float = 1e-5):
    """MSGAN's term 1 / (mean|G(z₁) − G(z₂)| / mean|z₁ − z₂| + eps) over the batch's two halves."""
    half = noise.shape[0] // 2
    if half < 1:
        raise ValueError(f"mode_seeking_penalty: needs a batch of at least 2, got {noise.shape[0]}")
    ratio = (fake[:half] - fake[half:2 * half]).abs().mean() / (noise[:half] - noise[half:2 * half]).abs().mean()
    return 1 / (ratio + eps)


# ---- one training step per remedy -----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Setup:
    """Everything that defines a run besides the seed and its length."""

    modes: str = "ring"
    remedy: str = "none"
    unroll_steps: int = 5
    unroll_grad: bool = True
    diversity_weight: float = 1.0
    gp_lambda: float = 0.1
    n_critic: int = 5
    batch_size: int = 512
    latent_dim: int = 256
    hidden: int = 128
    lr_g: float = 1e-3
    lr_d: float | None = None

    def __post_init__(self):
        mixture(self.modes)
        if self.remedy not in REMEDIES:
            raise ValueError(f"gan2d: remedy must be one of {REMEDIES}, got {self.remedy!r}")
        if self.unroll_steps < 0 or self.n_critic < 1 or self.batch_size < 2:
            raise ValueError(f"gan2d: need unroll_steps ≥ 0, n_critic ≥ 1, batch_size ≥ 2; got {self}")

    @property
    def discriminator_lr(self) -> float:
        if self.lr_d is not None:
            return self.lr_d
        return 4 * self.lr_g if self.remedy == "ttur" else self.lr_g


def build(setup: Setup, device: str = "cpu"):
    """(generator, discriminator, opt_g, opt_d) for ``setup``, drawn from zengrad's generator."""
    generator = Generator(setup.latent_dim, setup.hidden).to(device)
    discriminator = Discriminator(setup.hidden, spectral=setup.remedy == "sn").to(device)
    betas = (0.5, 0.9) if setup.remedy == "gp" else (0.5, 0.999)
    opt_g = optim.Adam(generator.parameters(), lr=setup.lr_g, betas=betas)
    opt_d = optim.Adam(discriminator.parameters(), lr=setup.discriminator_lr, betas=betas)
    return generator, discriminator, opt_g, opt_d


def _update(optimizer, loss) -> float:
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train_step(setup: Setup, nets: tuple, batch) -> tuple[float, float]:
    """One generator step of ``setup.remedy`` (with its discriminator steps); ``batch()`` returns a
    fresh (real points, noise) pair. Returns (D loss, G loss) of the step."""
    generator, discriminator, opt_g, opt_d = nets
    if setup.remedy == "gp":
        for _ in range(setup.n_critic):
            real, noise = batch()
            fake = generator(noise).detach()
            loss_d = _update(opt_d, discriminator(fake).mean() - discriminator(real).mean()
                             + nn.utils.gradient_penalty(discriminator, real, fake, setup.gp_lambda))
        return loss_d, _update(opt_g, -discriminator(generator(noise)).mean())
    real, noise = batch()
    fake = generator(noise)
    loss_d = _update(opt_d, discriminator_loss(discriminator(real), discriminator(fake.detach())))
    if setup.remedy == "unrolled" and setup.unroll_steps > 0:
        params = unrolled_parameters(discriminator, opt_d, real, fake, setup.unroll_steps, setup.unroll_grad)
        loss_g = generator_loss(functional_forward(discriminator, params, fake))
    else:
        loss_g = generator_loss(discriminator(fake))
    if setup.remedy == "diversity":
        loss_g = loss_g + setup.diversity_weight * mode_seeking_penalty(noise, fake)
    return loss_d, _update(opt_g, loss_g)


# ---- the run ---------------------------------------------------------------------------------------

def sample_generator(generator: Generator, count: int, latent_dim: int, device: str) -> np.ndarray:
    with no_grad():
        return generator(randn(count, latent_dim, device=device)).cpu().numpy()


def train(options: RunOptions, modes: str = "ring", remedy: str = "none", unroll_steps="5",
          unroll_grad: str = "full", snapshot_every: int = 1, **settings) -> dict:
    """Train for ``options.epochs`` × 100 generator steps (default 8 epochs = 800 steps), judge
    2,500 samples after every ``snapshot_every`` epochs (a schedule that does not depend on the run's
    length, so a resumed run records the same snapshots as a straight one) and at the end; writes samples_over_time.png,
    metrics.json and checkpoint.zg. ``unroll_grad`` is ``full`` (through the unrolled steps) or
    ``cheap``; further ``settings`` are fields of :class:`Setup`."""
    if unroll_grad not in ("full", "cheap"):
        raise ValueError(f"gan2d: unroll_grad must be 'full' or 'cheap', got {unroll_grad!r}")
    setup = Setup(modes=modes, remedy=remedy, unroll_steps=int(unroll_steps), unroll_grad=unroll_grad == "full",
                  **settings)
    epochs = options.epochs or 8
    centres, sigma = mixture(modes)
    run = RunFolder.start(options, "gan2d")
    manual_seed(options.seed)
    clock = Stopwatch()
    nets = build(setup, options.device)
    generator, discriminator, opt_g, opt_d = nets
    modules = {"generator": generator, "discriminator": discriminator}
    optimizers = {"generator": opt_g, "discriminator": opt_d}
    saved_setup = dataclasses.asdict(setup)
    start, history = 0, {"loss_d": [], "loss_g": [], "snapshots": []}
    if options.resume:  # the batches come from (seed, epoch): only zengrad's generator needs restoring
        start, history, _ = run.resume(modules, optimizers, options.device, None, epochs, saved_setup)

    every = max(1, int(snapshot_every))
    bar = epochs_bar(start, epochs, f"gan2d ({modes}, {remedy})", options.progress)
    for epoch in bar:
        rng = np.random.default_rng([options.seed, epoch])

        def batch():
            real = tensor(sample_mixture(centres, sigma, setup.batch_size, rng), device=options.device)
            return real, randn(setup.batch_size, setup.latent_dim, device=options.device)

        losses = np.array([train_step(setup, nets, batch) for _ in range(STEPS_PER_EPOCH)])
        history["loss_d"].append(float(losses[:, 0].mean()))
        history["loss_g"].append(float(losses[:, 1].mean()))
        if (epoch + 1) % every == 0:
            with fork_rng():  # judging must not change training (runs resume exactly)
                points = sample_generator(generator, JUDGE_SAMPLES, setup.latent_dim, options.device)
            history["snapshots"].append({"step": (epoch + 1) * STEPS_PER_EPOCH, **judge(points, centres, sigma),
                                         "points": points[:500].round(4).tolist()})
        bar.set_postfix(modes=history["snapshots"][-1]["modes_covered"] if history["snapshots"] else "-",
                        loss_d=f"{history['loss_d'][-1]:.3f}")
        run.save_checkpoint(epoch, modules, optimizers, history, extra={"setup": saved_setup})

    final = judge(sample_generator(generator, JUDGE_SAMPLES, setup.latent_dim, options.device), centres, sigma)
    _plot_over_time(run.figure("samples_over_time.png"), history["snapshots"], centres, sigma, setup)
    metrics = {"run": run_info(options, model="gan2d", epochs=epochs, steps=epochs * STEPS_PER_EPOCH,
                               seconds=round(clock.seconds, 2), **saved_setup,
                               discriminator_lr=setup.discriminator_lr, sigma=sigma),
               **final,
               "chance_level": chance_level(centres, sigma),
               "over_time": [{k: v for k, v in s.items() if k != "points"} for s in history["snapshots"]],
               "final_loss_d": history["loss_d"][-1] if history["loss_d"] else None,
               "final_loss_g": history["loss_g"][-1] if history["loss_g"] else None}
    run.write_metrics(metrics)
    return metrics


def _plot_over_time(path, snapshots: list, centres: np.ndarray, sigma: float, setup: Setup) -> None:
    """One panel per snapshot: 500 generated points (blue) over the mode centres (red)."""
    plt = pyplot()
    count = max(1, len(snapshots))
    figure, axes = plt.subplots(1, count, figsize=(2.4 * count, 2.7), squeeze=False)
    limit = half_side(centres)
    for ax, snapshot in zip(axes[0], snapshots):
        points = np.asarray(snapshot["points"]).reshape(-1, 2)
        ax.scatter(points[:, 0], points[:, 1], s=2, alpha=0.4, color="tab:blue")
        ax.scatter(centres[:, 0], centres[:, 1], s=12, marker="x", color="tab:red")
        ax.set(xlim=(-limit, limit), ylim=(-limit, limit), xticks=[], yticks=[], aspect="equal",
               title=f"step {snapshot['step']}\n{snapshot['modes_covered']}/{snapshot['modes']} modes, "
                     f"{100 * snapshot['high_quality_fraction']:.0f}% HQ")
        ax.title.set_fontsize(8)
    figure.suptitle(f"gan2d {setup.modes}, remedy {setup.remedy} (σ = {sigma})", fontsize=9)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
