"""Exercise 7: the backward pass of one LSTM cell (fill in the TODO).

Check it with:  zengrad exercise check 7 --file e07_lstm_cell_backward.py
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def lstm_cell_forward(x, h, c, w_ih, w_hh, b):
    """Given: one LSTM step. x (B, I), h and c (B, H), w_ih (4H, I), w_hh (4H, H), b (4H,), gate
    blocks in the order i, f, g, o. Returns (h_next, c_next, cache)."""
    pre = x @ w_ih.T + h @ w_hh.T + b
    z_i, z_f, z_g, z_o = np.split(pre, 4, axis=1)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_g), sigmoid(z_o)
    c_next = f * c + i * g
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    cache = {"x": x, "h": h, "c": c, "i": i, "f": f, "g": g, "o": o, "tanh_c": tanh_c}
    return h_next, c_next, cache


def lstm_cell_backward(cache, w_ih, w_hh, dh_next, dc_next):
    """Given ∂L/∂h_next and ∂L/∂c_next, return a dict of gradients with keys
    "x", "h", "c", "w_ih", "w_hh", "b", each the shape of that input."""
    raise NotImplementedError("lstm_cell_backward: dc = dc_next + dh_next·o·(1 - tanh_c²), then each gate")
