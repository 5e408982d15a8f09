"""The recurrences composed from ordinary ops: one RNN or LSTM step, and whole layers.

These are the readable references: every step is a few Tensor ops, so autograd differentiates
them through time with no extra code. A layer does the input projection of all time steps as a
single matmul and then loops over the steps. The fused kernels (``ops.rnn``, ``ops.lstm``) stand in
for :func:`composed_rnn_layer` and :func:`composed_lstm_layer`, and differentiate them when a graph
of the gradient is asked for; ``ops.recurrent`` chooses between the two.

Shapes: x (T, B, I); h0, c0 (B, H); w_ih (G·H, I); w_hh (G·H, H); biases (G·H,), with G = 1 for
the RNN and 4 for the LSTM (gate blocks in the order i, f, g, o).
"""

from __future__ import annotations

from ..errors import OpError
from ..tensor import Tensor
from .elementwise import relu, tanh
from .matmul import linear
from .shape import stack


def rnn_activation(nonlinearity: str):
    """The Elman RNN's activation function by name: tanh or relu."""
    if nonlinearity == "tanh":
        return tanh
    if nonlinearity == "relu":
        return relu
    raise OpError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")


def rnn_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity: str = "tanh") -> Tensor:
    """One Elman step: h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh), act = tanh or relu."""
    return rnn_activation(nonlinearity)(linear(x, w_ih, b_ih) + linear(h, w_hh, b_hh))


def lstm_pointwise(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """The LSTM's elementwise part, from pre-activations ``gates`` = [i | f | g | o] (B, 4H):

        i = σ(gᵢ)   f = σ(g_f)   g = tanh(g_g)   o = σ(g_o)
        c' = f ⊙ c + i ⊙ g
        h' = o ⊙ tanh(c')
    """
    i, f, g, o = gates.chunk(4, dim=1)
    c_next = i.sigmoid() * g.tanh() + f.sigmoid() * c
    return o.sigmoid() * c_next.tanh(), c_next


def _project_inputs(x: Tensor, w_ih: Tensor, b_ih: Tensor | None, b_hh: Tensor | None) -> Tensor:
    """x W_ihᵀ + b_ih + b_hh for all T steps as one (T·B, I) × (I, G·H) matmul, shaped (T, B, G·H).

    Both biases are added here, once for the sequence, so a step only adds hₜ₋₁ W_hhᵀ: one
    bias node instead of T, and one bias gradient sum over T·B rows instead of T sums.
    """
    steps, batch, features = x.shape
    projected = linear(x.reshape(steps * batch, features), w_ih, b_ih)
    if b_hh is not None:
        projected = projected + b_hh
    return projected.reshape(steps, batch, w_ih.shape[0])


def composed_rnn_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity: str = "tanh") -> tuple[Tensor, Tensor]:
    """One Elman RNN layer over a whole sequence x (T, B, I) from h0 (B, H), from ordinary ops.

    hₜ = act(xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh).  Returns (y (T, B, H) = all hₜ, h_T).
    This is the function the fused RNN kernel stands in for.
    """
    act = rnn_activation(nonlinearity)
    projected = _project_inputs(x, w_ih, b_ih, b_hh)
    w_hh_t = w_hh.mT  # one transpose for the sequence: the steps' gradients add up contiguously
    h, outputs = h0, []
    for t in range(x.shape[0]):
        h = act(projected[t] + h @ w_hh_t)
        outputs.append(h)
    return stack(outputs, dim=0), h


def composed_lstm_layer(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over a whole sequence x (T, B, I) from (h0, c0), each (B, H), from ordinary ops.

    For t = 1..T, with [gᵢ | g_f | g_g | g_o] = xₜ W_ihᵀ + b_ih + hₜ₋₁ W_hhᵀ + b_hh:

        iₜ = σ(gᵢ)   fₜ = σ(g_f)   gₜ = tanh(g_g)   oₜ = σ(g_o)
        cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ
        hₜ = oₜ ⊙ tanh(cₜ)

    The input part xₜ W_ihᵀ + b_ih + b_hh is one matmul for all steps. Returns (y (T, B, H) = all hₜ,
    h_T, c_T). This is the function a fused LSTM kernel stands in for.
    """
    projected = _project_inputs(x, w_ih, b_ih, b_hh)
    w_hh_t = w_hh.mT  # one transpose for the sequence: the steps' gradients add up contiguously
    h, c, outputs = h0, c0, []
    for t in range(x.shape[0]):
        h, c = lstm_pointwise(projected[t] + h @ w_hh_t, c)
        outputs.append(h)
    return stack(outputs, dim=0), h, c


def gru_pointwise(input_gates: Tensor, hidden_gates: Tensor, h: Tensor) -> Tensor:
    """The GRU's elementwise part (PyTorch's gate order r, z, n), from the input projection
    [a_r | a_z | a_n] = x W_ihᵀ + b_ih and the hidden one [b_r | b_z | b_n] = h W_hhᵀ + b_hh, each (B, 3H):

        r = σ(a_r + b_r)   z = σ(a_z + b_z)   n = tanh(a_n + r ⊙ b_n)
        h' = (1 − z) ⊙ n + z ⊙ h
    """
    a_r, a_z, a_n = input_gates.chunk(3, dim=-1)
    b_r, b_z, b_n = hidden_gates.chunk(3, dim=-1)
    reset, update = (a_r + b_r).sigmoid(), (a_z + b_z).sigmoid()
    candidate = (a_n + reset * b_n).tanh()
    return candidate + update * (h - candidate)


def gru_cell(x, h, w_ih, w_hh, b_ih=None, b_hh=None) -> Tensor:
    """One GRU step: :func:`gru_pointwise` of x W_ihᵀ + b_ih and h W_hhᵀ + b_hh."""
    return gru_pointwise(linear(x, w_ih, b_ih), linear(h, w_hh, b_hh), h)


def gru_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple[Tensor, Tensor]:
    """One GRU layer over a whole sequence x (T, B, I) from h0 (B, H), from ordinary ops (there is
    no fused GRU kernel): the input projection of all steps is one matmul, then each step adds
    h W_hhᵀ + b_hh (kept apart: r multiplies its n block) and runs :func:`gru_pointwise`.
    Returns (y (T, B, H) = all hₜ, h_T)."""
    projected = _project_inputs(x, w_ih, b_ih, None)
    w_hh_t = w_hh.mT
    h, outputs = h0, []
    for t in range(x.shape[0]):
        hidden = h @ w_hh_t if b_hh is None else h @ w_hh_t + b_hh
        h = gru_pointwise(projected[t], hidden, h)
        outputs.append(h)
    return stack(outputs, dim=0), h
