"""RNN/LSTM and their cells against PyTorch on the same weights; gradcheck of the layer functions."""

import math

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from conftest import to_numpy
from torch_bridge import assert_close, assert_grads_match, load_from_torch
from zengrad.nn.recurrent import lstm_layer, rnn_layer

torch = pytest.importorskip("torch")

TOL = dict(rtol=1e-4, atol=1e-5)


def _pair(rng, shape):
    data = rng.standard_normal(shape).astype(np.float32)
    return zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def _backward_both(rng, ours, theirs):
    """Backpropagate the same random weighting of every output on both sides."""
    for mine, reference in zip(ours, theirs):
        assert_close(mine, reference, **TOL)
    seeds = [rng.standard_normal(t.shape).astype(np.float32) for t in ours]
    sum(((t * zg.tensor(s)).sum() for t, s in zip(ours, seeds)), zg.tensor(0.0)).backward()
    sum((t * torch.tensor(s)).sum() for t, s in zip(theirs, seeds)).backward()


SIZES = [dict(T=1, B=1, I=3, H=7), dict(T=4, B=3, I=5, H=7)]


@pytest.mark.parametrize("kind", ["LSTM", "RNN"])
@pytest.mark.parametrize("size", SIZES, ids=["T1B1", "T4B3"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_matches_torch(rng, kind, size, num_layers, batch_first, with_state):
    T, B, I, H = size["T"], size["B"], size["I"], size["H"]
    theirs = getattr(torch.nn, kind)(I, H, num_layers=num_layers, batch_first=batch_first)
    ours = getattr(nn, kind)(I, H, num_layers=num_layers, batch_first=batch_first)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (B, T, I) if batch_first else (T, B, I))
    states = [_pair(rng, (num_layers, B, H)) for _ in range(2 if kind == "LSTM" else 1)] if with_state else []
    if kind == "LSTM":
        hx = (states[0][0], states[1][0]) if with_state else None
        thx = (states[0][1], states[1][1]) if with_state else None
        out, (h_n, c_n) = ours(x, hx)
        expected, (th_n, tc_n) = theirs(tx, thx)
        _backward_both(rng, [out, h_n, c_n], [expected, th_n, tc_n])
    else:
        out, h_n = ours(x, states[0][0] if with_state else None)
        expected, th_n = theirs(tx, states[0][1] if with_state else None)
        _backward_both(rng, [out, h_n], [expected, th_n])
    assert_grads_match(ours, theirs, **TOL)
    assert_close(x.grad, tx.grad, **TOL)
    for mine, reference in states:
        assert_close(mine.grad, reference.grad, **TOL)


@pytest.mark.parametrize("kind,kwargs", [("RNN", dict(nonlinearity="relu")), ("RNN", dict(bias=False)),
                                         ("LSTM", dict(bias=False))])
def test_recurrent_variants_match_torch(rng, kind, kwargs):
    theirs = getattr(torch.nn, kind)(4, 6, num_layers=2, **kwargs)
    ours = getattr(nn, kind)(4, 6, num_layers=2, **kwargs)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (5, 2, 4))
    out, expected = ours(x)[0], theirs(tx)[0]
    _backward_both(rng, [out], [expected])
    assert_grads_match(ours, theirs, **TOL)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("kind", ["LSTM", "RNN"])
def test_unbatched_sequence_matches_torch(rng, kind):
    theirs, ours = getattr(torch.nn, kind)(3, 4, num_layers=2), getattr(nn, kind)(3, 4, num_layers=2)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (6, 3))
    out, state = ours(x)
    expected, tstate = theirs(tx)
    flat = [out] + (list(state) if kind == "LSTM" else [state])
    tflat = [expected] + (list(tstate) if kind == "LSTM" else [tstate])
    _backward_both(rng, flat, tflat)
    assert_close(x.grad, tx.grad, **TOL)


def test_parameter_names_shapes_and_init_match_torch():
    zg.manual_seed(0)
    ours, theirs = nn.LSTM(5, 7, num_layers=2), torch.nn.LSTM(5, 7, num_layers=2)
    assert [(n, p.shape) for n, p in ours.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    bound = 1 / math.sqrt(7)
    for name, param in ours.named_parameters():
        values = to_numpy(param)
        assert np.abs(values).max() <= bound and np.abs(values).max() > 0.8 * bound, name
    assert [n for n, _ in nn.LSTMCell(3, 2).named_parameters()] == \
        [n for n, _ in torch.nn.LSTMCell(3, 2).named_parameters()]


@pytest.mark.parametrize("kind", ["LSTMCell", "RNNCell"])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_torch(rng, kind, with_state, batched):
    theirs, ours = getattr(torch.nn, kind)(5, 7), getattr(nn, kind)(5, 7)
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, (3, 5) if batched else (5,))
    state_shape = (3, 7) if batched else (7,)
    states = [_pair(rng, state_shape) for _ in range(2 if kind == "LSTMCell" else 1)] if with_state else []
    if kind == "LSTMCell":
        h, c = ours(x, (states[0][0], states[1][0]) if with_state else None)
        th, tc = theirs(tx, (states[0][1], states[1][1]) if with_state else None)
        _backward_both(rng, [h, c], [th, tc])
    else:
        h = ours(x, states[0][0] if with_state else None)
        th = theirs(tx, states[0][1] if with_state else None)
        _backward_both(rng, [h], [th])
    assert_grads_match(ours, theirs, **TOL)
    assert_close(x.grad, tx.grad, **TOL)
    for mine, reference in states:
        assert_close(mine.grad, reference.grad, **TOL)


def test_cell_loop_equals_layer(rng):
    """Stepping LSTMCell by hand gives what LSTM's lstm_layer gives with the same weights."""
    layer, cell = nn.LSTM(3, 4), nn.LSTMCell(3, 4)
    cell.load_state_dict({name[:-3]: value for name, value in layer.state_dict().items()})
    x = zg.tensor(rng.standard_normal((5, 2, 3)).astype(np.float32))
    out, (h_n, c_n) = layer(x)
    h = c = None
    for t in range(5):
        h, c = cell(x[t], None if h is None else (h, c))
    np.testing.assert_allclose(to_numpy(h), to_numpy(h_n[0]), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(to_numpy(c), to_numpy(c_n[0]), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(to_numpy(out[-1]), to_numpy(h), rtol=1e-6, atol=1e-7)


def _double(rng, *shape):
    return zg.tensor(rng.standard_normal(shape) * 0.5, dtype=zg.float64, requires_grad=True)


def test_lstm_layer_gradcheck(rng):
    T, B, I, H = 3, 2, 2, 3
    inputs = [_double(rng, T, B, I), _double(rng, B, H), _double(rng, B, H), _double(rng, 4 * H, I),
              _double(rng, 4 * H, H), _double(rng, 4 * H), _double(rng, 4 * H)]

    def all_outputs(*args):
        y, h, c = lstm_layer(*args)
        return zg.cat([y.reshape(-1), h.reshape(-1), c.reshape(-1)])

    assert zg.autograd.gradcheck(all_outputs, inputs)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_layer_gradcheck(rng, nonlinearity):
    T, B, I, H = 3, 2, 2, 3
    inputs = [_double(rng, T, B, I), _double(rng, B, H), _double(rng, H, I), _double(rng, H, H),
              _double(rng, H), _double(rng, H)]

    def all_outputs(*args):
        y, h = rnn_layer(*args, nonlinearity=nonlinearity)
        return zg.cat([y.reshape(-1), h.reshape(-1)])

    assert zg.autograd.gradcheck(all_outputs, inputs)


def test_two_layer_lstm_module_gradcheck(rng):
    model = nn.LSTM(2, 3, num_layers=2, batch_first=True).double()
    x = _double(rng, 2, 3, 2)
    h0, c0 = _double(rng, 2, 2, 3), _double(rng, 2, 2, 3)

    def outputs(x, h0, c0):
        out, (h_n, c_n) = model(x, (h0, c0))
        return zg.cat([out.reshape(-1), h_n.reshape(-1), c_n.reshape(-1)])

    assert zg.autograd.gradcheck(outputs, [x, h0, c0])


def test_recurrent_shape_errors_are_clear():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match="input_size=3"):
        lstm(zg.randn(5, 2, 4))
    with pytest.raises(ValueError, match=r"h_0 of shape \(2, 2, 4\), got \(1, 2, 4\)"):
        lstm(zg.randn(5, 2, 3), (zg.zeros(1, 2, 4), zg.zeros(2, 2, 4)))
    with pytest.raises(ValueError, match="1D or 2D"):
        nn.RNNCell(3, 4)(zg.randn(2, 2, 3))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="gelu")


def test_lstm_runs_each_layer_through_lstm_layer(monkeypatch, rng):
    """The dispatch contract a fused kernel relies on: one lstm_layer call per layer, whole sequence."""
    import zengrad.nn.recurrent as recurrent
    calls = []
    original = recurrent.lstm_layer

    def spy(x, *args):
        calls.append(x.shape)
        return original(x, *args)

    monkeypatch.setattr(recurrent, "lstm_layer", spy)
    nn.LSTM(3, 4, num_layers=2, batch_first=True)(zg.tensor(rng.standard_normal((2, 5, 3)).astype(np.float32)))
    assert calls == [(5, 2, 3), (5, 2, 4)]


def test_long_sequence_backpropagates():
    lstm = nn.LSTM(1, 3)
    x = zg.randn(1500, 1, 1, requires_grad=True)
    out, _ = lstm(x)
    out[-1].sum().backward()
    assert x.grad.shape == x.shape and np.isfinite(to_numpy(x.grad)).all()
    assert all(p.grad is not None for p in lstm.parameters())


@pytest.mark.parametrize("kind", ["LSTM", "RNN"])
def test_empty_batch_and_empty_sequence_behave_like_torch(kind):
    ours, theirs = getattr(nn, kind)(3, 4, num_layers=2), getattr(torch.nn, kind)(3, 4, num_layers=2)
    x = zg.zeros(5, 0, 3, requires_grad=True)
    out, state = ours(x)
    ref_out, ref_state = theirs(torch.zeros(5, 0, 3))
    assert out.shape == tuple(ref_out.shape)
    h, ref_h = (state, ref_state) if kind == "RNN" else (state[0], ref_state[0])
    assert h.shape == tuple(ref_h.shape)
    out.sum().backward()
    assert x.grad.shape == (5, 0, 3)
    with pytest.raises(ValueError, match=f"{kind}: expected sequence length to be larger than 0"):
        ours(zg.zeros(0, 2, 3))
    with pytest.raises(RuntimeError, match="sequence length to be larger than 0"):
        theirs(torch.zeros(0, 2, 3))
    for module in (getattr(nn, kind), getattr(torch.nn, kind)):
        with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
            module(3, 0)
