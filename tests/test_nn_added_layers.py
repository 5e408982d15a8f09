"""Layers and functions added for PyTorch parity: ConvTranspose1d (F.conv_transpose1d),
AlphaDropout and FeatureAlphaDropout (F.alpha_dropout, F.feature_alpha_dropout), F.affine_grid and
F.grid_sample — values and gradients against PyTorch, statistics for the random ones."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(31)


def _close(expected, actual, tol=1e-4):
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("settings, shape", [
    ({}, (2, 4, 7)),
    ({"stride": 2, "padding": 1, "output_padding": 1}, (4, 5)),
    ({"groups": 2, "dilation": 2, "stride": 3, "output_padding": 2, "bias": False}, (1, 4, 6)),
    ({"stride": 2, "padding": 3, "dilation": 3, "output_padding": 1}, (3, 4, 11)),
])
def test_conv_transpose1d_matches_torch(settings, shape):
    theirs, ours = torch.nn.ConvTranspose1d(4, 6, 3, **settings), nn.ConvTranspose1d(4, 6, 3, **settings)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    x = RNG.standard_normal(shape).astype(np.float32)
    xt, xz = torch.tensor(x, requires_grad=True), zg.tensor(x, requires_grad=True)
    yt, yz = theirs(xt), ours(xz)
    _close(yt, yz)
    yt.square().sum().backward()
    yz.square().sum().backward()
    _close(xt.grad, xz.grad)
    _close(theirs.weight.grad, ours.weight.grad)


def test_conv_transpose1d_output_size_and_refusals():
    theirs, ours = torch.nn.ConvTranspose1d(2, 3, 3, stride=2), nn.ConvTranspose1d(2, 3, 3, stride=2)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = RNG.standard_normal((1, 2, 5)).astype(np.float32)
    _close(theirs(torch.tensor(x), output_size=[12]), ours(zg.tensor(x), output_size=[12]))
    with pytest.raises(ValueError):
        ours(zg.tensor(x), output_size=[14])
    with pytest.raises(ValueError):
        nn.ConvTranspose1d(2, 3, 3, padding_mode="reflect")
    with pytest.raises(RuntimeError):
        F.conv_transpose1d(zg.tensor(x), zg.ones(3, 3, 3))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_alpha_dropout_keeps_zero_mean_unit_variance_and_its_gradient_is_the_scale(p):
    zg.manual_seed(0)
    x = zg.tensor(RNG.standard_normal(100_000).astype(np.float32), requires_grad=True)
    y = F.alpha_dropout(x, p, training=True)
    values = y.detach().numpy()
    assert abs(values.mean()) < 0.02 and abs(values.std() - 1) < 0.02
    y.sum().backward()
    alpha = 1.7580993408473766
    a = ((1 - p) * (1 + p * alpha ** 2)) ** -0.5
    kept = x.grad.numpy() != 0
    np.testing.assert_allclose(x.grad.numpy()[kept], a, rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.01
    np.testing.assert_allclose(values[kept], a * x.detach().numpy()[kept] + a * alpha * p, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(values[~kept], a * alpha * (p - 1), rtol=1e-6)


def test_alpha_dropout_modules_eval_edges_and_channels():
    x = zg.tensor(RNG.standard_normal((4, 6, 5)).astype(np.float32))
    assert repr(nn.AlphaDropout(0.2)) == repr(torch.nn.AlphaDropout(0.2))
    np.testing.assert_array_equal(nn.AlphaDropout(0.4).eval()(x).numpy(), x.numpy())
    np.testing.assert_array_equal(F.alpha_dropout(x, 0.0, True).numpy(), x.numpy())
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, True).numpy(), np.zeros_like(x.numpy()))
    with pytest.raises(ValueError):
        nn.AlphaDropout(1.5)
    y = nn.FeatureAlphaDropout(0.5)(zg.ones(8, 6, 5)).numpy()
    assert np.all(y.std(axis=-1) == 0) and len(np.unique(y)) == 2  # each channel kept or dropped whole


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 5, 7), (1, 1, 1, 4)])
def test_affine_grid_matches_torch(align_corners, size):
    theta = RNG.standard_normal((size[0], 2, 3)).astype(np.float32)
    tt, tz = torch.tensor(theta, requires_grad=True), zg.tensor(theta, requires_grad=True)
    gt = torch.nn.functional.affine_grid(tt, size, align_corners=align_corners)
    gz = F.affine_grid(tz, size, align_corners=align_corners)
    _close(gt, gz)
    weights = RNG.standard_normal(tuple(gt.shape)).astype(np.float32)
    (gt * torch.tensor(weights)).sum().backward()
    (gz * zg.tensor(weights)).sum().backward()
    _close(tt.grad, tz.grad)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    x = RNG.standard_normal((2, 3, 5, 7)).astype(np.float32)
    grid = (RNG.standard_normal((2, 4, 6, 2)) * 1.5).astype(np.float32)
    grid[0, 0, :4] = [[-1, -1], [1, 1], [0.999, -1.2], [3.7, -2.9]]  # corners, edges, far outside
    xt, gt = torch.tensor(x, requires_grad=True), torch.tensor(grid, requires_grad=True)
    xz, gz = zg.tensor(x, requires_grad=True), zg.tensor(grid, requires_grad=True)
    settings = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    yt, yz = torch.nn.functional.grid_sample(xt, gt, **settings), F.grid_sample(xz, gz, **settings)
    _close(yt, yz)
    weights = RNG.standard_normal(tuple(yt.shape)).astype(np.float32)
    (yt * torch.tensor(weights)).sum().backward()
    (yz * zg.tensor(weights)).sum().backward()
    _close(xt.grad, xz.grad)
    if mode == "bilinear":
        _close(gt.grad, gz.grad, 1e-3)


def test_grid_sample_refuses_bad_arguments():
    x, grid = zg.ones(1, 2, 3, 3), zg.zeros(1, 2, 2, 2)
    for settings in [{"mode": "bicubic"}, {"padding_mode": "wrap"}]:
        with pytest.raises(RuntimeError):
            F.grid_sample(x, grid, **settings)
    with pytest.raises(RuntimeError):
        F.grid_sample(x, zg.zeros(2, 2, 2, 2))
    with pytest.raises(RuntimeError):
        F.affine_grid(zg.zeros(1, 3, 3), (1, 2, 3, 3))
