"""The gradient penalty of WGAN-GP (Gulrajani et al., 2017, "Improved Training of Wasserstein GANs").

A Wasserstein critic D must be 1-Lipschitz. Instead of clipping its weights, WGAN-GP penalises
the norm of its gradient on points between real and generated samples:

    x̂ = ε·x + (1 − ε)·x̃,    ε ~ U(0, 1) drawn once per sample
    GP = λ · E[(‖∇_x̂ D(x̂)‖₂ − 1)²]

∇_x̂ D(x̂) is taken with ``create_graph=True``, so GP is itself differentiable with respect to the
critic's parameters (a gradient of a gradient: double backpropagation).
"""

from __future__ import annotations

from ..autograd import grad
from ..creation import rand
from ..tensor import Tensor


def gradient_penalty(critic, real: Tensor, fake: Tensor, lambda_: float = 10.0,
                     alpha: Tensor | None = None) -> Tensor:
    """λ·mean over the batch of (‖∇_x̂ critic(x̂)‖₂ − 1)² at x̂ = α·real + (1 − α)·fake.

    ``real`` and ``fake`` have one shape (N, ...); neither receives a gradient (fake is detached,
    as in the critic's step). ``alpha`` (zengrad's addition, for reproducing a computation) gives
    the N interpolation weights; by default they are drawn from U(0, 1) with zengrad's generator.
    The norm is √(Σ g² + 1e-12), finite in gradient even where ∇ = 0. The critic must treat
    samples independently (no BatchNorm), since the gradient of Σ_i D(x̂_i) is taken per sample.
    """
    if real.shape != fake.shape:
        raise ValueError(f"gradient_penalty: real of shape {real.shape} and fake of shape {fake.shape} differ")
    n = real.shape[0]
    shape = (n,) + (1,) * (real.ndim - 1)
    if alpha is None:
        alpha = rand(*shape, dtype=real.dtype, device=real.device)
    elif alpha.numel() != n:
        raise ValueError(f"gradient_penalty: alpha of shape {alpha.shape} needs one value per sample ({n})")
    weights = alpha._data.reshape(shape)
    mixed = Tensor(weights * real._data + (1 - weights) * fake._data, requires_grad=True)
    (gradients,) = grad(critic(mixed).sum(), mixed, create_graph=True)
    norms = ((gradients.reshape(n, -1) ** 2).sum(dim=1) + 1e-12).sqrt()
    return lambda_ * ((norms - 1) ** 2).mean()
