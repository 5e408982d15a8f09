"""One GAN training step, and why the fake batch is detached.

A GAN step trains two networks on one batch of fakes x̃ = G(z). The discriminator's loss

    L_D = BCE(D(x), 1) + BCE(D(x̃), 0)

depends on G's parameters through x̃, but this step must change D only: ``D(fake.detach())``
cuts the graph at x̃, so L_D.backward() stops there (without it, backward writes gradients of L_D
into G's parameters and frees the graph through G that the generator's step still needs). Then
the generator's loss, against the updated D,

    L_G = BCE(D(x̃), 1)        (the non-saturating loss: log D(x̃) rises where log(1 − D(x̃)) is flat)

flows back through D into G; only opt_g steps, and the gradients it leaves in D are cleared by
the next ``opt_d.zero_grad()``. Write ``train_step``; the checker runs two steps and compares every
parameter with a reference written with ``zengrad.autograd.grad``.
"""

import numpy as np

import zengrad as zg
from zengrad.nn import functional as F

from .grading import Wrong, compare

TITLE = "The GAN training step (with the detach)"
MINUTES = 30
SKELETON = "e08_gan_step.py"
HINTS = [
    "fake = G(z) once; D's loss uses fake.detach(); G's loss uses fake itself.",
    "opt.zero_grad() before each backward: gradients accumulate in .grad until cleared.",
    "Step D before computing G's loss: the generator trains against the discriminator that just improved.",
]
LEARNING_RATE = 0.05


def _models(seed: int, noise: int, features: int):
    zg.manual_seed(seed)
    G = zg.nn.Sequential(zg.nn.Linear(noise, 7), zg.nn.Tanh(), zg.nn.Linear(7, features)).double()
    D = zg.nn.Sequential(zg.nn.Linear(features, 5), zg.nn.LeakyReLU(0.2), zg.nn.Linear(5, 1)).double()
    return G, D


def _descend(loss, module) -> None:
    params = list(module.parameters())
    for p, g in zip(params, zg.autograd.grad(loss, params)):
        p.data = p._data - LEARNING_RATE * g._data


def _reference_step(G, D, real, z):
    n = real.shape[0]
    ones, zeros = zg.ones(n, 1, dtype=zg.float64), zg.zeros(n, 1, dtype=zg.float64)
    fake = G(z)
    constant_fake = zg.tensor(fake._data.copy())
    loss_d = (F.binary_cross_entropy_with_logits(D(real), ones)
              + F.binary_cross_entropy_with_logits(D(constant_fake), zeros))
    _descend(loss_d, D)
    loss_g = F.binary_cross_entropy_with_logits(D(fake), ones)
    _descend(loss_g, G)
    return loss_d.item(), loss_g.item()


def _guard_discriminator_step(opt_d, G):
    """Make opt_d.step() refuse to run while G's parameters hold gradients (the missing detach)."""
    step = opt_d.step

    def guarded_step(*args, **kwargs):
        leaked = [name for name, p in G.named_parameters() if p.grad is not None and np.any(p.grad._data != 0)]
        if leaked:
            raise Wrong(f"when opt_d.step() ran, the generator's parameters {leaked} already had gradients: "
                        f"the discriminator's loss reached G. Use D(fake.detach()) in the discriminator's loss")
        return step(*args, **kwargs)

    opt_d.step = guarded_step


def check(attempt, rng: np.random.Generator) -> None:
    noise, features, batch = 3, 4, int(rng.choice([1, 5, 7]))
    seed = int(rng.integers(1 << 30))
    G, D = _models(seed, noise, features)
    G_ref, D_ref = _models(seed, noise, features)
    opt_g = zg.optim.SGD(G.parameters(), lr=LEARNING_RATE)
    opt_d = zg.optim.SGD(D.parameters(), lr=LEARNING_RATE)
    _guard_discriminator_step(opt_d, G)
    for step in (1, 2):
        real = zg.tensor(rng.standard_normal((batch, features)))
        z = zg.tensor(rng.standard_normal((batch, noise)))
        G.zero_grad()  # so that gradients found in G when opt_d steps can only come from D's loss
        try:
            losses = attempt.train_step(G, D, opt_g, opt_d, real, z)
        except NotImplementedError:
            raise
        except RuntimeError as error:
            raise Wrong(f"step {step}: {error}. If backward went through G twice, the discriminator's loss "
                        f"used fake without .detach()") from None
        expected = _reference_step(G_ref, D_ref, real, z)
        if not isinstance(losses, (tuple, list)) or len(losses) != 2:
            raise Wrong(f"step {step}: return (loss_D, loss_G) as floats, got {losses!r}")
        for name, module, reference in (("D", D, D_ref), ("G", G, G_ref)):
            for (key, p), (_, q) in zip(module.named_parameters(), reference.named_parameters()):
                advice = {"D": " (zero D's gradients before its backward: G's step left some in D)",
                          "G": " (zero G's gradients, and compute G's loss after opt_d.step())"}[name]
                try:
                    compare(f"step {step}: {name}'s parameter '{key}' after the step", p._data, q._data,
                            rtol=1e-9, atol=1e-12)
                except Wrong as wrong:
                    raise Wrong(str(wrong) + advice) from None
        for which, got, want in zip(("discriminator", "generator"), losses, expected):
            compare(f"step {step}: the {which}'s loss", np.float64(got), want, rtol=1e-9, atol=1e-12)
