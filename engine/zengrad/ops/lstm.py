"""The fused LSTM: a whole sequence as one graph node whose forward and backward are kernels.

The composed LSTM (``ops.recurrent.composed_lstm_layer``) records a few dozen small ops per time
step; this op records one node for the whole sequence and runs it through
``zengrad.kernels.lstm_forward`` / ``lstm_backward`` (C++ on CPU, CUDA on GPU, NumPy/CuPy as
the reference). Both compute the same function; the tests hold them to each other.
"""

from __future__ import annotations

from .. import backend, kernels
from ..tensor import Tensor
from .composed_recurrence import composed_lstm_layer
from .fused import FusedSequence, native_impl
from .shape import cat, unsqueeze


class FusedLSTM(FusedSequence):
    """out = [h₁ … h_T ; c_T], shape (T+1, B, H), from x (T, B, I), h₀, c₀, W_ih, W_hh, bias.

    The hidden states and the last cell state share one output so the sequence is a single node:
    ``y = out[:T]``, ``h_T = out[T−1]``, ``c_T = out[T]``. Backward feeds ∂L/∂y = g[:T] and
    ∂L/∂c_T = g[T] to the backward kernel (∂L/∂h_T is already inside ∂L/∂y), which returns the
    gradients for x, h₀, c₀, W_ih, W_hh and bias in one pass backwards through time.
    """

    def __init__(self, impl):
        super().__init__()
        self.impl = impl

    def forward(self, x, h0, c0, w_ih, w_hh, bias):
        y, _, c_n, gates, cells = kernels.lstm_forward(x, h0, c0, w_ih, w_hh, bias, impl=self.impl)
        self.gates, self.cells = gates, cells
        xp = backend.array_module(backend.device_of(y))
        return xp.concatenate([y, c_n[None]], axis=0)

    def kernel_backward(self, g):
        x, h0, c0, w_ih, w_hh, bias = self.inputs
        steps = x.shape[0]
        grads = kernels.lstm_backward(g._data[:steps], None, g._data[steps], x._data, h0._data, c0._data,
                                      w_ih._data, w_hh._data, self.gates, self.cells, impl=self.impl)
        return tuple(Tensor(a) for a in grads)

    def composed(self, *inputs):
        y, _, c_n = composed_lstm_layer(*inputs)
        return cat([y, unsqueeze(c_n, 0)], dim=0)


def native_lstm_impl(device: str, dtype) -> str | None:
    """The native LSTM implementation that runs by default for this device and dtype, if any."""
    return native_impl("lstm_forward", device, dtype)


def fused_lstm(x: Tensor, h0: Tensor, c0: Tensor, w_ih: Tensor, w_hh: Tensor, bias: Tensor,
               impl: str | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """(y, h_T, c_T) for one LSTM layer, computed by the kernels as a single graph node."""
    out = FusedLSTM.apply(x, h0, c0, w_ih, w_hh, bias, impl=impl)
    steps = x.shape[0]
    return out[:steps], out[steps - 1], out[steps]
