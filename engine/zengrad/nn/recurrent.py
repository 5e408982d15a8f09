"""Recurrent layers as modules: RNNCell, RNN, LSTMCell, LSTM (PyTorch's names, shapes and parameters).

The recurrences themselves (one step, a whole layer, fused kernel or composed reference) are
functions of tensors in ``zengrad.ops.recurrent``; these modules own the parameters, check the
inputs and stack layers.

Shapes (PyTorch's): input (T, B, I), or (B, T, I) with ``batch_first=True``, or (T, I) unbatched;
hidden state (num_layers, B, H). Parameters per layer k: weight_ih_l{k} (G·H, I_k),
weight_hh_l{k} (G·H, H), bias_ih_l{k} and bias_hh_l{k} (G·H), with G = 1 for RNN and 4 for LSTM
(gate blocks in the order i, f, g, o); I_0 = input_size, I_k = H above. All are initialised
U(−1/√H, 1/√H).
"""

from __future__ import annotations

import math

import numpy as np

from ..ops import cat, flip, index_select, stack
from ..ops.recurrent import (composed_lstm_layer, composed_rnn_layer, lstm_layer, lstm_pointwise,
                             rnn_activation, rnn_cell, rnn_layer)
from ..tensor import Tensor
from . import functional as F
from . import init
from ._factory import empty_parameter
from .module import Module
from .utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence, pad_sequence


class _RecurrentParameters(Module):
    """What cells and layers share: sizes, the weight/bias parameters of one layer, their
    U(−1/√H, 1/√H) initialisation and the check of the input's rank and feature count."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool):
        super().__init__()
        if hidden_size < 1:
            raise ValueError(f"hidden_size must be greater than zero, got {hidden_size}")
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias

    def _add_layer_parameters(self, suffix: str, columns: int, gates: int, device, dtype,
                              register_missing_bias: bool) -> None:
        """weight_ih{suffix} (G·H, columns), weight_hh{suffix} (G·H, H) and, with bias, bias_ih{suffix}
        and bias_hh{suffix} (G·H); without bias they are registered as None where PyTorch does (cells)."""
        rows = gates * self.hidden_size
        setattr(self, f"weight_ih{suffix}", empty_parameter(rows, columns, device=device, dtype=dtype))
        setattr(self, f"weight_hh{suffix}", empty_parameter(rows, self.hidden_size, device=device, dtype=dtype))
        for name in (f"bias_ih{suffix}", f"bias_hh{suffix}"):
            if self.bias:
                setattr(self, name, empty_parameter(rows, device=device, dtype=dtype))
            elif register_missing_bias:
                self.register_parameter(name, None)

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for param in self.parameters():
            init.uniform_(param, -bound, bound)

    def _check_features(self, input: Tensor, ranks: tuple[int, int]) -> None:
        name = type(self).__name__
        if input.ndim not in ranks:
            raise ValueError(f"{name}: expected input to be {ranks[0]}D or {ranks[1]}D, got {input.ndim}D "
                             f"(shape {input.shape})")
        if input.shape[-1] != self.input_size:
            raise ValueError(f"{name}: input has {input.shape[-1]} features (shape {input.shape}), "
                             f"expected input_size={self.input_size}")

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")


class _CellBase(_RecurrentParameters):
    """Parameters weight_ih (G·H, I), weight_hh (G·H, H), bias_ih, bias_hh (G·H), U(−1/√H, 1/√H)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int, device, dtype):
        super().__init__(input_size, hidden_size, bias)
        self._add_layer_parameters("", input_size, gates, device, dtype, register_missing_bias=True)
        self.reset_parameters()

    def _check_input(self, input: Tensor) -> bool:
        """Validate (B, I) or (I,); return whether the input is batched."""
        self._check_features(input, (1, 2))
        return input.ndim == 2

    def _state(self, state: Tensor | None, input: Tensor, name: str) -> Tensor:
        expected = (input.shape[0], self.hidden_size)
        if state is None:
            return Tensor(input.xp.zeros(expected, dtype=input.dtype))
        if state.shape != expected:
            raise ValueError(f"{type(self).__name__}: {name} has shape {state.shape}, expected {expected}")
        return state

    def _step_with_one_state(self, input: Tensor, hx: Tensor | None, step) -> Tensor:
        """``step(x, h)`` on a (B, I) batch (an unbatched (I,) input and (H,) state as a batch of
        one), h defaulting to zeros: the forward of the cells whose state is one tensor."""
        batched = self._check_input(input)
        if not batched:
            input = input.unsqueeze(0)
            hx = None if hx is None else hx.unsqueeze(0)
        out = step(input, self._state(hx, input, "hx"))
        return out if batched else out.squeeze(0)


class RNNCell(_CellBase):
    """h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu); h defaults to zeros.

    Input (B, I) or (I,); hx (B, H) or (H,); returns h' of the same batchedness.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        rnn_activation(nonlinearity)
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step_with_one_state(input, hx, lambda x, h: rnn_cell(
            x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity))

    def extra_repr(self) -> str:
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else f"{text}, nonlinearity={self.nonlinearity}"


class LSTMCell(_CellBase):
    """One LSTM step (gate equations in :func:`lstm_pointwise`); returns (h', c').

    Runs as a sequence of length 1 through :func:`lstm_layer`, so it uses the fused kernel too.

    Input (B, I) or (I,); hx = (h, c), each (B, H) or (H,), defaults to zeros.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        batched = self._check_input(input)
        if not batched:
            input = input.unsqueeze(0)
            hx = None if hx is None else (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h = self._state(None if hx is None else hx[0], input, "h")
        c = self._state(None if hx is None else hx[1], input, "c")
        _, h, c = lstm_layer(input.unsqueeze(0), h, c, self.weight_ih, self.weight_hh, self.bias_ih,
                             self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class _RecurrentBase(_RecurrentParameters):
    """Shared by RNN, LSTM and GRU: the per-layer parameters, input/state checks and the loop over
    layers and directions.

    With ``bidirectional=True`` every layer has a second set of parameters (suffix ``_reverse``)
    that reads the sequence backwards; the layer's output is [forward hₜ, backward hₜ] (2H
    features, the input of the layer above) and the states are indexed k·2 + direction.
    """

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int, bias: bool,
                 batch_first: bool, dropout: float, bidirectional: bool, device, dtype):
        super().__init__(input_size, hidden_size, bias)
        if num_layers < 1:
            raise ValueError(f"num_layers must be at least 1, got {num_layers}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout should be a number in range [0, 1], got {dropout}")
        self.num_layers = num_layers
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        directions = 2 if self.bidirectional else 1
        for k in range(num_layers):
            for suffix in self._direction_suffixes(k):
                self._add_layer_parameters(suffix, input_size if k == 0 else directions * hidden_size,
                                           self.gates, device, dtype, register_missing_bias=False)
        self.reset_parameters()

    def _direction_suffixes(self, k: int) -> tuple[str, ...]:
        return (f"_l{k}", f"_l{k}_reverse") if self.bidirectional else (f"_l{k}",)

    def layer_parameters(self, k: int, reverse: bool = False) -> tuple:
        """(weight_ih, weight_hh, bias_ih, bias_hh) of layer k (its backward direction with
        ``reverse``); the biases are None without bias."""
        suffix = f"_l{k}_reverse" if reverse else f"_l{k}"
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return tuple(self._parameters.get(f"{name}{suffix}") for name in names)

    def _run_layers(self, x: Tensor, initial: tuple, layer) -> tuple[Tensor, tuple]:
        """Every layer and direction: ``layer(x, *states, *parameters)`` returns (y, *final states)
        for one direction of one layer; the backward direction runs on the time-reversed input and
        its output is reversed back. Returns the last layer's output and the stacked final states."""
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in initial]
        for k in range(self.num_layers):
            outputs = []
            for d in range(directions):
                states = [state[k * directions + d] for state in initial]
                source = x if d == 0 else flip(x, (0,))
                y, *ends = layer(source, *states, *self.layer_parameters(k, reverse=d == 1))
                outputs.append(y if d == 0 else flip(y, (0,)))
                for store, end in zip(finals, ends):
                    store.append(end)
            x = self._between_layers(outputs[0] if directions == 1 else cat(outputs, dim=-1), k)
        return x, tuple(stack(store, dim=0) for store in finals)

    #: the names of the recurrent states (hx for RNN and GRU, h_0 and c_0 for LSTM)
    state_names: tuple = ("hx",)

    def _layer(self, x: Tensor, *states_and_weights) -> tuple:
        """One direction of one layer over a (T, B, I) sequence: (y, *final states)."""
        raise NotImplementedError

    def _given_states(self, hx) -> tuple:
        """hx as one entry per name in ``state_names`` (None where not given)."""
        return (hx,)

    def _returned_states(self, finals: tuple):
        """The final states as forward returns them (one tensor for RNN and GRU)."""
        return finals[0]

    def forward(self, input, hx=None):
        """(output, final states); a :class:`~zengrad.nn.utils.rnn.PackedSequence` input gives a
        PackedSequence output, each sequence read only up to its own length."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        x, batched = self._sequence_first(input)
        y, finals = self._forward_sequence_first(x, self._given_states(hx), batched)
        if not batched:
            finals = tuple(state.squeeze(1) for state in finals)
        return self._output(y, batched), self._returned_states(finals)

    def _forward_sequence_first(self, x: Tensor, given: tuple, batched: bool) -> tuple[Tensor, tuple]:
        initial = tuple(self._initial(state, x, batched, name) for state, name in zip(given, self.state_names))
        return self._run_layers(x, initial, self._layer)

    def _forward_packed(self, packed: PackedSequence, hx) -> tuple:
        """Run the sequences of each length together (a sequence must stop at its own end, and the
        backward direction start there), then pack the outputs as the input was packed."""
        padded, lengths = pad_packed_sequence(packed)
        lengths = lengths.numpy()
        given = self._given_states(hx)
        outputs, finals = [None] * len(lengths), [[None] * len(lengths) for _ in self.state_names]
        for length in np.unique(lengths):
            rows = np.flatnonzero(lengths == length)
            index = Tensor(rows.astype(np.int64))
            states = tuple(None if state is None else index_select(state, 1, index) for state in given)
            y, ends = self._forward_sequence_first(index_select(padded[:int(length)], 1, index), states, True)
            for j, b in enumerate(rows):
                outputs[b] = y[:, j]
                for store, end in zip(finals, ends):
                    store[b] = end[:, j]
        output = pad_sequence(outputs)
        order = None if packed.sorted_indices is None else packed.sorted_indices.numpy().tolist()
        repacked = pack_padded_sequence(output, lengths, enforce_sorted=order is None)
        return (PackedSequence(repacked.data, repacked.batch_sizes, packed.sorted_indices, packed.unsorted_indices),
                self._returned_states(tuple(stack(store, dim=1) for store in finals)))

    def _sequence_first(self, input: Tensor) -> tuple[Tensor, bool]:
        """The input as (T, B, I) and whether it was batched."""
        name = type(self).__name__
        self._check_features(input, (2, 3))
        x, batched = (input.unsqueeze(1), False) if input.ndim == 2 else (
            input.transpose(0, 1) if self.batch_first else input, True)
        if x.shape[0] == 0:
            raise ValueError(f"{name}: expected sequence length to be larger than 0 (input shape {input.shape})")
        return x, batched

    def _initial(self, state: Tensor | None, x: Tensor, batched: bool, name: str) -> Tensor:
        expected = (self.num_layers * (2 if self.bidirectional else 1), x.shape[1], self.hidden_size)
        if state is None:
            return Tensor(x.xp.zeros(expected, dtype=x.dtype))
        if not batched:
            if state.ndim != 2:
                raise ValueError(f"{type(self).__name__}: for unbatched 2D input, {name} should also be 2D "
                                 f"but got {state.ndim}D (shape {state.shape})")
            state = state.unsqueeze(1)
        if state.shape != expected:
            raise ValueError(f"{type(self).__name__}: expected {name} of shape {expected}, got {state.shape}")
        return state

    def _between_layers(self, y: Tensor, k: int) -> Tensor:
        if k < self.num_layers - 1:
            return F.dropout(y, self.dropout, self.training)
        return y

    def _output(self, y: Tensor, batched: bool) -> Tensor:
        if not batched:
            return y.squeeze(1)
        return y.transpose(0, 1) if self.batch_first else y

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text


class RNN(_RecurrentBase):
    """Multi-layer Elman RNN: hₜ⁽ᵏ⁾ = act(xₜ⁽ᵏ⁾ W_ih_lkᵀ + b_ih_lk + hₜ₋₁⁽ᵏ⁾ W_hh_lkᵀ + b_hh_lk),
    with xₜ⁽⁰⁾ the input and xₜ⁽ᵏ⁾ = dropout(hₜ⁽ᵏ⁻¹⁾) above; act = tanh or relu.

    ``forward(input, hx=None)`` returns (output, h_n): output holds the last layer's hₜ for every
    t, (T, B, H) (or (B, T, H) with batch_first), and h_n the final state of every layer,
    (num_layers, B, H) (2H features and 2·num_layers states with bidirectional).
    """

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None):
        rnn_activation(nonlinearity)
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype)
        self.nonlinearity = nonlinearity

    def _layer(self, x, h, *weights):
        return rnn_layer(x, h, *weights, self.nonlinearity)


class LSTM(_RecurrentBase):
    """Multi-layer LSTM; each layer runs :func:`lstm_layer` (gate equations there), the layer
    above reading dropout(hₜ) of the one below.

    ``forward(input, hx=None)`` with hx = (h_0, c_0), each (num_layers, B, H), zeros by default;
    returns (output, (h_n, c_n)) with output the last layer's hₜ for every t, (T, B, H) (or
    (B, T, H) with batch_first); bidirectional doubles the features and the states as in RNN.
    """

    gates = 4

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        if proj_size:
            raise NotImplementedError(f"LSTM: proj_size={proj_size} is not supported (only proj_size=0)")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, device,
                         dtype)

    state_names = ("h_0", "c_0")

    def _layer(self, x, h, c, *weights):
        return lstm_layer(x, h, c, *weights)

    def _given_states(self, hx) -> tuple:
        if hx is None:
            return (None, None)
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
        return tuple(hx)

    def _returned_states(self, finals: tuple):
        return finals


__all__ = ["LSTM", "LSTMCell", "RNN", "RNNCell", "composed_lstm_layer", "lstm_layer", "lstm_pointwise",
           "rnn_cell", "rnn_layer", "composed_rnn_layer"]
