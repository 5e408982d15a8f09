"""Gated recurrent units: GRUCell and GRU (PyTorch's names, shapes, gate order and parameters).

Gate blocks are stacked in PyTorch's order r (reset), z (update), n (new): weight_ih (3H, I),
weight_hh (3H, H), bias_ih and bias_hh (3H), all U(−1/√H, 1/√H). The step itself is
:func:`zengrad.ops.recurrent.gru_pointwise`; it is composed from Tensor ops, so autograd
differentiates it through time with no extra code (there is no fused GRU kernel).
"""

from __future__ import annotations

from ..ops.recurrent import gru_cell, gru_layer
from ..tensor import Tensor
from .recurrent import _CellBase, _RecurrentBase


class GRUCell(_CellBase):
    """h' = (1 − z) ⊙ n + z ⊙ h with r = σ(W_ir x + b_ir + W_hr h + b_hr),
    z = σ(W_iz x + b_iz + W_hz h + b_hz), n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).

    Input (B, I) or (I,); hx (B, H) or (H,), zeros by default; returns h' of the same batchedness.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step_with_one_state(input, hx, lambda x, h: gru_cell(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh))


class GRU(_RecurrentBase):
    """Multi-layer GRU: each layer runs the GRUCell equations over the sequence, the layer above
    reading dropout(hₜ) of the one below.

    ``forward(input, hx=None)`` with hx (num_layers, B, H), zeros by default; returns (output, h_n):
    output the last layer's hₜ for every t, (T, B, H) (or (B, T, H) with batch_first), h_n the
    final state of every layer. Parameters weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}.
    """

    gates = 3

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype)

    def _layer(self, x, h, *weights):
        return gru_layer(x, h, *weights)
