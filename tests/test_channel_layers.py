"""AdaptiveMaxPool1d/2d, LocalResponseNorm, ChannelShuffle, Softmax2d, RReLU and gumbel_softmax
against PyTorch (values, indices, gradients) and against their definitions where they are random."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from conftest import to_numpy
from torch_bridge import assert_close

torch = pytest.importorskip("torch")


def _both(rng, shape):
    x = rng.standard_normal(shape)
    return zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _same_with_gradient(rng, mine, theirs, x, tx):
    assert_close(mine, theirs, 1e-10, 1e-12, what="value")
    seed = rng.standard_normal(tuple(theirs.shape))
    (mine * zg.tensor(seed)).sum().backward()
    (theirs * torch.tensor(seed)).sum().backward()
    assert_close(x.grad, tx.grad, 1e-10, 1e-12, what="gradient")


@pytest.mark.parametrize("shape, size", [((2, 3, 7, 5), (3, 2)), ((3, 11, 4), (5, None)), ((1, 1, 3, 3), 1),
                                         ((2, 2, 4, 6), (4, 6)), ((2, 2, 5, 5), (7, 3))])
def test_adaptive_max_pool2d_matches_torch(rng, shape, size):
    x, tx = _both(rng, shape)
    mine, indices = nn.AdaptiveMaxPool2d(size, return_indices=True)(x)
    theirs, tindices = torch.nn.AdaptiveMaxPool2d(size, return_indices=True)(tx)
    np.testing.assert_array_equal(to_numpy(indices), tindices.numpy())
    _same_with_gradient(rng, mine, theirs, x, tx)


@pytest.mark.parametrize("shape, size", [((2, 3, 11), 4), ((3, 5), 5), ((2, 1, 3), 7)])
def test_adaptive_max_pool1d_matches_torch(rng, shape, size):
    x, tx = _both(rng, shape)
    mine, indices = F.adaptive_max_pool1d(x, size, return_indices=True)
    theirs, tindices = torch.nn.functional.adaptive_max_pool1d(tx, size, return_indices=True)
    np.testing.assert_array_equal(to_numpy(indices), tindices.numpy())
    _same_with_gradient(rng, mine, theirs, x, tx)


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 7, 3, 4), (1, 2, 2, 2, 2)])
@pytest.mark.parametrize("size", [1, 2, 3, 6])
def test_local_response_norm_matches_torch(rng, shape, size):
    x, tx = _both(rng, shape)
    mine = nn.LocalResponseNorm(size, alpha=0.1, beta=0.6, k=1.5)(x)
    theirs = torch.nn.LocalResponseNorm(size, alpha=0.1, beta=0.6, k=1.5)(tx)
    _same_with_gradient(rng, mine, theirs, x, tx)


def test_channel_shuffle_softmax2d_and_rrelu_evaluation_match_torch(rng):
    x, tx = _both(rng, (2, 6, 3, 2))
    _same_with_gradient(rng, nn.ChannelShuffle(3)(x), torch.nn.ChannelShuffle(3)(tx), x, tx)
    x, tx = _both(rng, (2, 6, 3, 2))
    _same_with_gradient(rng, nn.Softmax2d()(x), torch.nn.Softmax2d()(tx), x, tx)
    x, tx = _both(rng, (4, 5))
    _same_with_gradient(rng, nn.RReLU(0.1, 0.3).eval()(x), torch.nn.RReLU(0.1, 0.3).eval()(tx), x, tx)
    with pytest.raises(ValueError, match="divisible"):
        F.channel_shuffle(zg.ones(1, 5, 2), 2)


def test_rrelu_training_draws_a_slope_per_negative_element_within_its_bounds(rng):
    x = zg.tensor(-np.abs(rng.standard_normal(2000)) - 0.1, requires_grad=True)
    y = nn.RReLU(0.2, 0.4)(x)
    slopes = to_numpy(y) / to_numpy(x.detach())
    assert slopes.min() >= 0.2 and slopes.max() <= 0.4 and slopes.std() > 0.04
    y.sum().backward()
    np.testing.assert_allclose(to_numpy(x.grad), slopes, rtol=1e-12)
    positive = zg.tensor(np.abs(rng.standard_normal(5)))
    np.testing.assert_array_equal(to_numpy(nn.RReLU()(positive)), to_numpy(positive))


def test_gumbel_softmax_samples_the_softmax_distribution(rng):
    zg.manual_seed(3)
    logits = zg.tensor(np.log(np.array([0.6, 0.3, 0.1])))
    draws = to_numpy(F.gumbel_softmax(logits.expand(20000, 3), tau=0.3, hard=True))
    assert set(np.unique(draws)) == {0.0, 1.0} and np.all(draws.sum(axis=1) == 1)
    np.testing.assert_allclose(draws.mean(axis=0), [0.6, 0.3, 0.1], atol=0.02)
    x = zg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    soft = F.gumbel_softmax(x, tau=2.0)
    np.testing.assert_allclose(to_numpy(soft.detach()).sum(axis=1), 1.0)
    (F.gumbel_softmax(x, hard=True) * zg.tensor(rng.standard_normal((4, 5)))).sum().backward()
    assert x.grad is not None and np.isfinite(to_numpy(x.grad)).all() and np.abs(to_numpy(x.grad)).sum() > 0


@pytest.mark.parametrize("p", [1.0, 2.0, 3.5])
@pytest.mark.parametrize("kernel, stride, ceil_mode", [(2, None, False), ((3, 2), (2, 1), True)])
def test_lp_pool_matches_torch(rng, p, kernel, stride, ceil_mode):
    x = np.abs(rng.standard_normal((2, 3, 6, 7))) + 0.1
    mine, theirs = zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    _same_with_gradient(rng, nn.LPPool2d(p, kernel, stride, ceil_mode)(mine),
                        torch.nn.LPPool2d(p, kernel, stride, ceil_mode)(theirs), mine, theirs)
    line = np.abs(rng.standard_normal((2, 3, 9))) + 0.1
    mine, theirs = zg.tensor(line, requires_grad=True), torch.tensor(line, requires_grad=True)
    _same_with_gradient(rng, nn.LPPool1d(p, 3, 2)(mine), torch.nn.LPPool1d(p, 3, 2)(theirs), mine, theirs)


@pytest.mark.parametrize("shape, kernel, output_size", [((2, 3, 6, 7), 2, (6, 7)), ((1, 2, 5, 5), 2, (5, 5)), ((1, 2, 4, 6), 2, None),
                                                        ((3, 4, 4), 2, None)])
def test_max_unpool2d_puts_the_maxima_back_like_torch(rng, shape, kernel, output_size):
    x = rng.standard_normal(shape)
    pooled, indices = F.max_pool2d(zg.tensor(x), kernel, return_indices=True)
    tpooled, tindices = torch.nn.functional.max_pool2d(torch.tensor(x), kernel, return_indices=True)
    mine, theirs = zg.tensor(pooled.numpy(), requires_grad=True), torch.tensor(tpooled.numpy(), requires_grad=True)
    _same_with_gradient(rng, nn.MaxUnpool2d(kernel)(mine, indices, output_size),
                        torch.nn.MaxUnpool2d(kernel)(theirs, tindices, output_size), mine, theirs)


def test_max_unpool1d_and_its_errors(rng):
    x = rng.standard_normal((2, 3, 9))
    pooled, indices = F.max_pool1d(zg.tensor(x), 3, return_indices=True)
    tpooled, tindices = torch.nn.functional.max_pool1d(torch.tensor(x), 3, return_indices=True)
    assert_close(nn.MaxUnpool1d(3)(pooled, indices), torch.nn.MaxUnpool1d(3)(tpooled, tindices))
    with pytest.raises(RuntimeError, match="out of range"):
        F.max_unpool2d(pooled.reshape(2, 3, 1, 3), zg.tensor(np.full((2, 3, 1, 3), 99)), 2)
    with pytest.raises(ValueError, match="one"):
        F.max_unpool1d(pooled, indices[..., :2], 3)
