"""The fused Elman RNN: a whole sequence as one graph node whose forward and backward are kernels.

The composed RNN (``ops.recurrent.composed_rnn_layer``) records a matmul, an add and an activation
per time step, and as many nodes again for backward; this op records one node for the sequence
and runs ``zengrad.kernels.rnn_forward`` / ``rnn_backward`` (C++ on CPU; NumPy/CuPy as the
reference). Both compute the same function; the tests hold them to each other.
"""

from __future__ import annotations

from .. import kernels
from ..tensor import Tensor
from .composed_recurrence import composed_rnn_layer
from .fused import FusedSequence, native_impl


class FusedRNN(FusedSequence):
    """y = [h₁ … h_T], shape (T, B, H), hₜ = act(xₜ W_ihᵀ + hₜ₋₁ W_hhᵀ + bias), act = tanh or relu.

    h_T is y[T−1], so ∂L/∂y already holds ∂L/∂h_T. Backward reads act′ off y (tanh′ = 1 − h²,
    relu′ = [h > 0]) and returns the gradients for x, h₀, W_ih, W_hh and bias in one pass
    backwards through time.
    """

    def __init__(self, nonlinearity, impl):
        super().__init__()
        self.nonlinearity, self.impl = nonlinearity, impl

    def forward(self, x, h0, w_ih, w_hh, bias):
        return kernels.rnn_forward(x, h0, w_ih, w_hh, bias, self.nonlinearity, impl=self.impl)

    def kernel_backward(self, g):
        x, h0, w_ih, w_hh, _bias = self.inputs
        grads = kernels.rnn_backward(g._data, None, x._data, h0._data, w_ih._data, w_hh._data, self.output()._data,
                                     self.nonlinearity, impl=self.impl)
        return tuple(Tensor(a) for a in grads)

    def composed(self, x, h0, w_ih, w_hh, bias):
        y, _ = composed_rnn_layer(x, h0, w_ih, w_hh, bias, None, self.nonlinearity)
        return y


def native_rnn_impl(device: str, dtype) -> str | None:
    """The native RNN implementation that runs by default for this device and dtype, if any."""
    return native_impl("rnn_forward", device, dtype)


def fused_rnn(x: Tensor, h0: Tensor, w_ih: Tensor, w_hh: Tensor, bias: Tensor, nonlinearity: str = "tanh",
              impl: str | None = None) -> tuple[Tensor, Tensor]:
    """(y, h_T) for one RNN layer, computed by the kernels as a single graph node."""
    y = FusedRNN.apply(x, h0, w_ih, w_hh, bias, nonlinearity=nonlinearity, impl=impl)
    return y, y[x.shape[0] - 1]
