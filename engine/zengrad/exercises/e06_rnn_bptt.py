"""Backpropagation through time for the Elman RNN.

hₜ = tanh(aₜ), aₜ = xₜ W_ihᵀ + hₜ₋₁ W_hhᵀ + b, for t = 1..T. Unrolled, this is one long graph in
which hₜ feeds two things: the output yₜ and the next step. So its gradient has two parts,

    ∂L/∂hₜ = dyₜ + ∂L/∂aₜ₊₁ · W_hh        (the second term is 0 at t = T, where dh_last enters)

and, going through tanh (tanh' = 1 − tanh²) and the affine map (exercise 4 for each product):

    ∂L/∂aₜ = ∂L/∂hₜ ⊙ (1 − hₜ²)
    ∂L/∂xₜ = ∂L/∂aₜ · W_ih      ∂L/∂W_ih += ∂L/∂aₜᵀ xₜ      ∂L/∂W_hh += ∂L/∂aₜᵀ hₜ₋₁
    ∂L/∂b += Σ_batch ∂L/∂aₜ      ∂L/∂h₀ = ∂L/∂a₁ · W_hh

The weights are shared by every step, so their gradients are sums over t. Walk t from T down to
1 carrying ∂L/∂hₜ. ``rnn_forward`` is given; write ``rnn_backward``.
"""

import numpy as np

from .grading import compare_gradients, engine_gradients

TITLE = "BPTT for the Elman RNN"
MINUTES = 40
SKELETON = "e06_rnn_bptt.py"
HINTS = [
    "hs[t + 1] is hₜ and hs[t] is hₜ₋₁ (hs[0] is h0).",
    "Start with dh = dh_last; at each step (t from T-1 down to 0 in Python's indexing) add dy[t] first.",
    "Shapes: da (B, H); da @ w_ih is (B, I) like xₜ; da.T @ x[t] is (H, I) like w_ih.",
]
NAMES = ("x", "h0", "w_ih", "w_hh", "b")


def _engine_rnn(x, h0, w_ih, w_hh, b):
    from zengrad.ops.recurrent import composed_rnn_layer

    return composed_rnn_layer(x, h0, w_ih, w_hh, b)


def check(attempt, rng: np.random.Generator) -> None:
    for steps, batch, features, hidden in [(1, 1, 1, 1), (5, 3, 2, 7), tuple(int(s) for s in rng.choice([2, 3, 7, 11], 4))]:
        inputs = {"x": rng.standard_normal((steps, batch, features)), "h0": rng.standard_normal((batch, hidden)) * 0.5,
                  "w_ih": rng.standard_normal((hidden, features)) * 0.6,
                  "w_hh": rng.standard_normal((hidden, hidden)) * 0.6, "b": rng.standard_normal(hidden) * 0.3}
        dy, dh_last = rng.standard_normal((steps, batch, hidden)), rng.standard_normal((batch, hidden))
        hs = attempt.rnn_forward(**inputs)
        got = attempt.rnn_backward(inputs["x"], hs, inputs["w_ih"], inputs["w_hh"], dy, dh_last)
        expected = engine_gradients(_engine_rnn, inputs, (dy, dh_last))
        compare_gradients(f"T={steps} B={batch} I={features} H={hidden}", got, expected)
