"""The LSTM cell's backward pass, one gate at a time.

Forward, with [zᵢ | z_f | z_g | z_o] = x W_ihᵀ + h W_hhᵀ + b:

    i = σ(zᵢ)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)     c' = f ⊙ c + i ⊙ g     h' = o ⊙ tanh(c')

Backward, from dh' = ∂L/∂h' and dc' = ∂L/∂c' (c' also leaves the cell, so both arrive):

    dc  = dc' + dh' ⊙ o ⊙ (1 − tanh²(c'))          (c' reaches L directly and through h')
    do  = dh' ⊙ tanh(c')        di = dc ⊙ g        dg = dc ⊙ i        df = dc ⊙ c
    ∂L/∂c = dc ⊙ f
    dzᵢ = di ⊙ i(1 − i)   dz_f = df ⊙ f(1 − f)   dz_g = dg ⊙ (1 − g²)   dz_o = do ⊙ o(1 − o)

(σ' = σ(1 − σ), tanh' = 1 − tanh²). Stack dz = [dzᵢ | dz_f | dz_g | dz_o] (B, 4H); the affine map
gives ∂L/∂x = dz W_ih, ∂L/∂h = dz W_hh, ∂L/∂W_ih = dzᵀ x, ∂L/∂W_hh = dzᵀ h, ∂L/∂b = Σ_batch dz.
``lstm_cell_forward`` is given; write ``lstm_cell_backward``.
"""

import numpy as np

from .grading import compare_gradients, engine_gradients

TITLE = "LSTM cell backward"
MINUTES = 40
SKELETON = "e07_lstm_cell_backward.py"
HINTS = [
    "Do dc first: the cell state's gradient arrives from outside (dc_next) and through h_next = o·tanh(c_next).",
    "Each gate's pre-activation gradient is its output's gradient times σ' = s(1 - s) or tanh' = 1 - t².",
    "np.concatenate([...], axis=1) in the order i, f, g, o rebuilds the (B, 4H) gradient of the pre-activations.",
]


def _engine_cell(x, h, c, w_ih, w_hh, b):
    from zengrad.nn import functional as F
    from zengrad.ops.recurrent import lstm_pointwise

    return lstm_pointwise(F.linear(x, w_ih, b) + F.linear(h, w_hh), c)


def check(attempt, rng: np.random.Generator) -> None:
    for batch, features, hidden in [(1, 1, 1), (3, 5, 2), tuple(int(s) for s in rng.choice([2, 3, 7, 11], 3))]:
        inputs = {"x": rng.standard_normal((batch, features)), "h": rng.standard_normal((batch, hidden)),
                  "c": rng.standard_normal((batch, hidden)), "w_ih": rng.standard_normal((4 * hidden, features)) * 0.7,
                  "w_hh": rng.standard_normal((4 * hidden, hidden)) * 0.7, "b": rng.standard_normal(4 * hidden) * 0.5}
        dh_next, dc_next = rng.standard_normal((batch, hidden)), rng.standard_normal((batch, hidden))
        _, _, cache = attempt.lstm_cell_forward(**inputs)
        got = attempt.lstm_cell_backward(cache, inputs["w_ih"], inputs["w_hh"], dh_next, dc_next)
        expected = engine_gradients(_engine_cell, inputs, (dh_next, dc_next))
        compare_gradients(f"B={batch} I={features} H={hidden}", got, expected)
