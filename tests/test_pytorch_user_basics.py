"""What PyTorch users write first, compared with PyTorch: ``tensor.data`` (a tensor outside the
graph sharing the memory: ``p.data.zero_()``, ``m.weight.data.normal_(0, 0.02)``, the hand-written
SGD step), the legacy constructors, ``view(dtype)`` and the default generator."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def test_data_is_a_tensor_outside_the_graph_sharing_memory():
    for lib in (zg, torch):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        d = x.data
        assert isinstance(d, lib.Tensor) and not d.requires_grad and d.grad_fn is None
        d.mul_(2)
        d[0] = 7.0
        assert x.tolist() == [7.0, -4.0, 6.0] and x.requires_grad
        assert x._version == 0  # changes through .data are not counted, as in PyTorch
        assert x.data.numpy().tolist() == [7.0, -4.0, 6.0] and x.data.clone().tolist() == [7.0, -4.0, 6.0]


def test_assigning_data_keeps_the_tensor_and_its_flags():
    for lib in (zg, torch):
        w = lib.zeros(2, 2, requires_grad=True)
        w.data = lib.ones(2, 3)
        assert w.shape == (2, 3) and w.requires_grad and w.is_leaf
        (w * 2).sum().backward()
        assert w.grad.tolist() == [[2.0] * 3] * 2


def _sgd_by_hand(lib):
    gen = np.random.default_rng(3)
    x = lib.tensor(gen.standard_normal((16, 5)))
    y = lib.tensor(gen.standard_normal((16, 1)))
    w = lib.tensor(gen.standard_normal((5, 1)) * 0.1, requires_grad=True)
    b = lib.zeros(1, dtype=lib.float64, requires_grad=True)
    losses = []
    for _ in range(5):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        w.data -= 0.1 * w.grad.data
        b.data.add_(b.grad.data, alpha=-0.1)
        w.grad.data.zero_()
        b.grad.zero_()
        losses.append(loss.data.item())
    return losses, w.data.numpy().copy()


def test_the_hand_written_sgd_step_through_data_matches_pytorch():
    (mine, w_mine), (theirs, w_theirs) = _sgd_by_hand(zg), _sgd_by_hand(torch)
    np.testing.assert_allclose(mine, theirs, rtol=1e-12)
    np.testing.assert_allclose(w_mine, w_theirs, rtol=1e-12)


def test_initialising_a_module_through_weight_data():
    for lib in (zg, torch):
        conv = lib.nn.Conv2d(3, 4, 3)
        conv.weight.data.normal_(0.0, 0.02)
        conv.bias.data.fill_(0.5)
        assert abs(float(conv.weight.detach().std()) - 0.02) < 0.01 and conv.bias.tolist() == [0.5] * 4
        assert conv.weight.requires_grad and conv.weight.is_leaf


@pytest.mark.parametrize("make", [
    lambda m: m.Tensor([1, 2]), lambda m: m.Tensor(2, 3).zero_(), lambda m: m.Tensor(), lambda m: m.Tensor((2, 3)),
    lambda m: m.Tensor(m.Size([2, 1])).zero_(), lambda m: m.FloatTensor([[1, 2], [3, 4]]), lambda m: m.LongTensor([1, 2 ** 40]),
    lambda m: m.DoubleTensor(2).zero_(), lambda m: m.BoolTensor([1, 0]), lambda m: m.ByteTensor(3, 1).zero_(),
    lambda m: m.IntTensor(np.array([1, 2])), lambda m: m.Tensor(m.ones(2))], ids=range(12))
def test_the_legacy_constructors_as_pytorch(make):
    """``torch.Tensor(...)`` and ``torch.FloatTensor(...)``-style constructors (sizes give zeros here,
    uninitialised memory in PyTorch, so those cases are compared after zero_())."""
    mine, theirs = make(zg), make(torch)
    assert isinstance(mine, zg.Tensor) and mine.size() == theirs.size()
    assert str(mine.dtype) == str(theirs.dtype).removeprefix("torch.") and mine.tolist() == theirs.tolist()


@pytest.mark.parametrize("make", [
    lambda m: m.ones(2, 4, requires_grad=True).view(m.float16), lambda m: m.arange(6.0).reshape(2, 3).t().view(m.int32),
    lambda m: m.tensor([1.0, -2.0]).view(m.float64 if m is torch else zg.float64).view(m.int64)], ids=range(3))
def test_view_as_another_dtype_reads_the_same_bytes(make):
    mine, theirs = make(zg), make(torch)
    assert mine.shape == tuple(theirs.shape) and not mine.requires_grad
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_view_as_a_wider_dtype_needs_a_fitting_last_dim():
    for lib in (zg, torch):
        with pytest.raises(RuntimeError):
            lib.ones(3).view(lib.float64)


def test_manual_seed_returns_the_default_generator_that_draws_the_global_stream():
    for lib in (zg, torch):
        g = lib.manual_seed(3)
        assert g is lib.default_generator and g.initial_seed() == 3
        first = lib.randn(4, generator=g)
        lib.manual_seed(3)
        assert lib.equal(first, lib.randn(4))
        state = lib.default_generator.get_state()
        drawn = lib.rand(2)
        lib.default_generator.set_state(state)
        assert lib.equal(drawn, lib.rand(2))


def test_the_backend_switches_scripts_set_are_accepted_and_read_back():
    for lib in (zg, torch):
        lib.backends.cudnn.benchmark = True
        lib.backends.cudnn.deterministic = True
        lib.use_deterministic_algorithms(True)
        try:
            assert lib.backends.cudnn.benchmark and lib.are_deterministic_algorithms_enabled()
            assert lib.backends.mps.is_available() is False
        finally:
            lib.backends.cudnn.benchmark = lib.backends.cudnn.deterministic = False
            lib.use_deterministic_algorithms(False)
    assert zg.backends.cudnn.is_available() is False  # zengrad has no cuDNN path
