"""Exercise 6: backpropagation through time for the Elman RNN (fill in the TODO).

Check it with:  zengrad exercise check 6 --file e06_rnn_bptt.py
"""

import numpy as np


def rnn_forward(x, h0, w_ih, w_hh, b):
    """Given: hₜ = tanh(xₜ W_ihᵀ + hₜ₋₁ W_hhᵀ + b) for t = 1..T. Returns hs (T+1, B, H), hs[0] = h0.

    x (T, B, I), h0 (B, H), w_ih (H, I), w_hh (H, H), b (H,).
    """
    hs = [h0]
    for x_t in x:
        hs.append(np.tanh(x_t @ w_ih.T + hs[-1] @ w_hh.T + b))
    return np.stack(hs)


def rnn_backward(x, hs, w_ih, w_hh, dy, dh_last):
    """The gradients of L, where dy (T, B, H) = ∂L/∂hₜ through the outputs y = hs[1:] and
    dh_last (B, H) = ∂L/∂h_T through the final state.

    Returns a dict with keys "x", "h0", "w_ih", "w_hh", "b", each the shape of that input.
    """
    raise NotImplementedError("rnn_backward: walk t = T..1 carrying dh; da = dh * (1 - hₜ²)")
