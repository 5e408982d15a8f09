"""Reference solution of exercise 7."""

import numpy as np

from zengrad.exercises.skeletons.e07_lstm_cell_backward import lstm_cell_forward  # noqa: F401


def lstm_cell_backward(cache, w_ih, w_hh, dh_next, dc_next):
    i, f, g, o, tanh_c = (cache[k] for k in ("i", "f", "g", "o", "tanh_c"))
    dc = dc_next + dh_next * o * (1.0 - tanh_c ** 2)
    d_pre = np.concatenate([dc * g * i * (1.0 - i),
                            dc * cache["c"] * f * (1.0 - f),
                            dc * i * (1.0 - g ** 2),
                            dh_next * tanh_c * o * (1.0 - o)], axis=1)
    return {"x": d_pre @ w_ih, "h": d_pre @ w_hh, "c": dc * f, "w_ih": d_pre.T @ cache["x"],
            "w_hh": d_pre.T @ cache["h"], "b": d_pre.sum(axis=0)}
