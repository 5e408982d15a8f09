"""The fused LSTM node (ops/lstm.py) against the composed reference (ops.recurrent), in values and
every gradient; and the dispatch that makes nn.LSTM / nn.LSTMCell use it."""

import numpy as np
import pytest

import zengrad as zg
from zengrad import kernels, nn
from zengrad.ops.recurrent import composed_lstm_layer
from zengrad.ops.lstm import FusedLSTM, fused_lstm, native_lstm_impl
from conftest import to_numpy
from recurrent_checks import assert_same_outputs_and_gradients

COMPOSED = dict(lstm_forward="numpy", lstm_backward="numpy")  # reference impls → composed path


def _layer_args(rng, T, B, I, H, dtype, device="cpu"):
    shapes = [(T, B, I), (B, H), (B, H), (4 * H, I), (4 * H, H), (4 * H,)]
    return [zg.tensor(rng.standard_normal(s) * 0.5, dtype=dtype, device=device, requires_grad=True) for s in shapes]


@pytest.mark.parametrize("T,B,I,H", [(1, 1, 1, 1), (5, 3, 4, 7), (13, 2, 9, 5)])
def test_fused_reference_matches_composed_in_float64(T, B, I, H, rng):
    args = _layer_args(rng, T, B, I, H, zg.float64)
    fused = fused_lstm(*args, impl="numpy")
    composed = composed_lstm_layer(*args)
    assert_same_outputs_and_gradients(fused, composed, args, rng)


def test_fused_gradcheck_and_grad_of_grad(rng):
    args = _layer_args(rng, 3, 2, 3, 2, zg.float64)

    def layer(*xs):
        y, h, c = fused_lstm(*xs, impl="numpy")
        return zg.cat([y.reshape(-1), c.reshape(-1)])

    assert zg.autograd.gradcheck(layer, args)
    assert zg.autograd.gradgradcheck(layer, args[:1] + [a.detach() for a in args[1:]])


@pytest.mark.parametrize("num_layers,batch_first,bias,with_state", [
    (1, False, True, False), (2, True, True, True), (2, False, False, True), (1, True, True, True)])
@pytest.mark.parametrize("T,B", [(1, 1), (17, 3)])
def test_nn_lstm_native_matches_composed(num_layers, batch_first, bias, with_state, T, B):
    if native_lstm_impl("cpu", zg.float32) is None:
        pytest.skip("no native LSTM kernel built")
    zg.manual_seed(3)
    rng = np.random.default_rng(3)
    lstm = nn.LSTM(6, 7, num_layers=num_layers, bias=bias, batch_first=batch_first)
    shape = (B, T, 6) if batch_first else (T, B, 6)
    x_data = rng.standard_normal(shape).astype(np.float32)
    state = tuple(rng.standard_normal((num_layers, B, 7)).astype(np.float32) for _ in range(2))

    def run():
        lstm.zero_grad()
        x = zg.tensor(x_data, requires_grad=True)
        hx = tuple(zg.tensor(s, requires_grad=True) for s in state) if with_state else None
        out, (h, c) = lstm(x, hx)
        (out.tanh().sum() + (h * c).sum()).backward()
        grads = [x.grad] + ([t.grad for t in hx] if with_state else []) + [p.grad for p in lstm.parameters()]
        return [to_numpy(t) for t in (out, h, c)], [to_numpy(g) for g in grads]

    native_values, native_grads = run()
    with kernels.use(**COMPOSED):
        ref_values, ref_grads = run()
    for a, b in zip(native_values + native_grads, ref_values + ref_grads):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)


def test_lstm_cell_and_lstm_use_the_fused_node(monkeypatch):
    if native_lstm_impl("cpu", zg.float32) is None:
        pytest.skip("no native LSTM kernel built")
    calls = []
    original = FusedLSTM.apply.__func__

    def spy(cls, *args, **kwargs):
        calls.append(kwargs["impl"])
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(FusedLSTM, "apply", classmethod(spy))
    nn.LSTMCell(3, 4)(zg.randn(2, 3))
    nn.LSTM(3, 4, num_layers=2)(zg.randn(5, 2, 3))
    assert calls == ["cpu:native"] * 3
    nn.LSTM(3, 4).double()(zg.randn(5, 2, 3, dtype=zg.float64))  # float64: the composed reference
    assert len(calls) == 3


def test_dispatch_rules():
    assert native_lstm_impl("cpu", zg.float64) is None
    with kernels.use(**COMPOSED):
        assert native_lstm_impl("cpu", zg.float32) is None
