"""The recurrent layers as functions of tensors: which implementation runs a layer.

The whole-sequence work of one layer goes through one function, :func:`rnn_layer` or
:func:`lstm_layer`, which runs a fused kernel (``ops.rnn``, ``ops.lstm``) whenever a native one
exists for the device and dtype, and otherwise the composed reference of
``ops.composed_recurrence`` (re-exported here with its step functions). ``nn.recurrent`` wraps
these in modules with parameters.

Shapes: x (T, B, I); h0, c0 (B, H); w_ih (G·H, I); w_hh (G·H, H); biases (G·H,), with G = 1 for
the RNN and 4 for the LSTM (gate blocks in the order i, f, g, o).
"""

from __future__ import annotations

from ..tensor import Tensor
from .composed_recurrence import (composed_lstm_layer, composed_rnn_layer, gru_cell, gru_layer, gru_pointwise,
                                  lstm_pointwise, rnn_activation, rnn_cell)
from .lstm import fused_lstm, native_lstm_impl
from .rnn import fused_rnn, native_rnn_impl

__all__ = ["composed_lstm_layer", "composed_rnn_layer", "gru_cell", "gru_layer", "gru_pointwise", "lstm_layer",
           "lstm_pointwise", "rnn_activation", "rnn_cell", "rnn_layer"]


def rnn_layer(x, h0, w_ih, w_hh, b_ih=None, b_hh=None, nonlinearity: str = "tanh") -> tuple[Tensor, Tensor]:
    """One Elman RNN layer over a sequence: the fused kernel when a native one runs for this device
    and dtype (``zengrad.kernels``: C++ on CPU for float32), else the composed reference
    :func:`composed_rnn_layer`. Both compute the same (y, h_T)."""
    rnn_activation(nonlinearity)  # rejects an unknown name before any kernel runs
    impl = native_rnn_impl(x.device, x.dtype)
    if impl is None or 0 in x.shape:  # the kernels take sizes >= 1; an empty batch composes fine
        return composed_rnn_layer(x, h0, w_ih, w_hh, b_ih, b_hh, nonlinearity)
    return fused_rnn(x, h0, w_ih, w_hh, _combined_bias(b_ih, b_hh, w_hh), nonlinearity, impl=impl)


def lstm_layer(x, h0, c0, w_ih, w_hh, b_ih=None, b_hh=None) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM layer over a sequence: the fused kernel when a native one runs for this device and
    dtype (``zengrad.kernels``: C++ on CPU for float32, CUDA on GPU), else the composed reference
    :func:`composed_lstm_layer`. Both compute the same (y, h_T, c_T)."""
    impl = native_lstm_impl(x.device, x.dtype)
    if impl is None or 0 in x.shape:  # the kernels take sizes >= 1; an empty batch composes fine
        return composed_lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    bias = _combined_bias(b_ih, b_hh, w_hh)
    return fused_lstm(x, h0, c0, w_ih, w_hh, bias, impl=impl)


def _combined_bias(b_ih, b_hh, w_hh) -> Tensor:
    """b_ih + b_hh, the one bias the kernels take (zeros for an LSTM without biases)."""
    if b_ih is None and b_hh is None:
        return Tensor(w_hh.xp.zeros(w_hh.shape[0], dtype=w_hh.dtype))
    if b_ih is None or b_hh is None:
        return b_ih if b_hh is None else b_hh
    return b_ih + b_hh
