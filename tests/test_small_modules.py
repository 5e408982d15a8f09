"""Unfold/Fold and the named Upsampling layers, init.eye_ / init.dirac_, and Tensor.type, against
PyTorch."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from torch_bridge import assert_close

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("kernel, dilation, padding, stride", [(2, 1, 0, 1), ((3, 2), (1, 2), 1, (2, 1))])
def test_unfold_and_fold_modules_match_torch(rng, kernel, dilation, padding, stride):
    x = rng.standard_normal((2, 3, 7, 6))
    mine, theirs = zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    columns = nn.Unfold(kernel, dilation, padding, stride)(mine)
    reference = torch.nn.Unfold(kernel, dilation, padding, stride)(theirs)
    assert_close(columns, reference, what="unfold")
    image = nn.Fold((7, 6), kernel, dilation, padding, stride)(columns)
    expected = torch.nn.Fold((7, 6), kernel, dilation, padding, stride)(reference)
    assert_close(image, expected, what="fold of unfold")
    seed = rng.standard_normal(tuple(expected.shape))
    (image * zg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    assert_close(mine.grad, theirs.grad, what="gradient")


@pytest.mark.parametrize("name, kwargs", [("UpsamplingNearest2d", dict(scale_factor=2)),
                                          ("UpsamplingNearest2d", dict(size=(5, 7))),
                                          ("UpsamplingBilinear2d", dict(scale_factor=3)),
                                          ("UpsamplingBilinear2d", dict(size=(4, 9)))])
def test_named_upsampling_layers_match_torch(rng, name, kwargs):
    x = rng.standard_normal((2, 3, 3, 4))
    mine, theirs = zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = getattr(nn, name)(**kwargs)(mine), getattr(torch.nn, name)(**kwargs)(theirs)
    assert_close(out, expected, what=name)
    out.sum().backward()
    expected.sum().backward()
    assert_close(mine.grad, theirs.grad, what="gradient")


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (4, 1)])
def test_eye_fills_the_identity(shape):
    weight = nn.Parameter(zg.randn(*shape))
    reference = torch.empty(shape)
    assert nn.init.eye_(weight) is weight
    assert_close(weight, torch.nn.init.eye_(reference))
    with pytest.raises(ValueError, match="2-D"):
        nn.init.eye_(zg.ones(2, 2, 2))


@pytest.mark.parametrize("shape, groups", [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((2, 3, 1, 2, 3), 1), ((3, 5, 4, 4), 3)])
def test_dirac_matches_torch_and_passes_the_input_through(rng, shape, groups):
    weight = zg.randn(*shape)
    assert_close(nn.init.dirac_(weight, groups), torch.nn.init.dirac_(torch.empty(shape), groups))
    if len(shape) == 4 and groups == 1 and shape[0] == shape[1]:
        x = zg.tensor(rng.standard_normal((1, shape[1], 5, 5)).astype(np.float32))
        out = nn.functional.conv2d(x, weight, padding=(shape[2] // 2, shape[3] // 2))
        np.testing.assert_allclose(out.numpy(), x.numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="divisible"):
        nn.init.dirac_(zg.ones(3, 3, 3), groups=2)


def test_tensor_type_names_and_converts():
    for dtype, torch_dtype in ((zg.float32, torch.float32), (zg.float64, torch.float64), (zg.int64, torch.int64),
                               (zg.bool_, torch.bool), (zg.uint8, torch.uint8)):
        name = zg.ones(2, dtype=dtype).type()
        assert name.split(".")[1] == torch.ones(2, dtype=torch_dtype).type().split(".")[1]
    x = zg.tensor([1.5, -2.0], requires_grad=True)
    converted = x.type(zg.float64)
    assert converted.dtype == np.float64
    converted.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])
    assert zg.tensor([1.7]).type("torch.LongTensor").tolist() == [1]
    with pytest.raises(TypeError, match="unknown tensor type"):
        x.type("torch.Quaternion")


@pytest.mark.parametrize("name, args, mean, std", [("bernoulli_", (0.3,), 0.3, np.sqrt(0.21)),
                                                   ("exponential_", (2.0,), 0.5, 0.5),
                                                   ("geometric_", (0.25,), 4.0, np.sqrt(0.75) / 0.25),
                                                   ("log_normal_", (0.1, 0.4), np.exp(0.1 + 0.08),
                                                    np.sqrt((np.exp(0.16) - 1) * np.exp(0.2 + 0.16))),
                                                   ("random_", (3, 7), 4.5, np.sqrt(15 / 12))])
def test_in_place_samplers_draw_their_distributions(name, args, mean, std):
    zg.manual_seed(0)
    x = zg.zeros(40000, dtype=zg.float64)
    assert getattr(x, name)(*args) is x
    values = x.numpy()
    np.testing.assert_allclose(values.mean(), mean, rtol=0.03)
    np.testing.assert_allclose(values.std(), std, rtol=0.05)
    assert x._version > 0


def test_cauchy_and_random_bounds():
    zg.manual_seed(1)
    draws = zg.zeros(40000).cauchy_(2.0, 0.5).numpy()
    np.testing.assert_allclose(np.median(draws), 2.0, atol=0.02)
    np.testing.assert_allclose(np.percentile(draws, 75) - np.percentile(draws, 25), 1.0, rtol=0.05)
    integers = zg.zeros(1000, dtype=zg.int64).random_(5).numpy()
    assert set(np.unique(integers)) == {0, 1, 2, 3, 4}
    with pytest.raises(ValueError, match="from < to"):
        zg.zeros(3).random_(4, 2)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        zg.zeros(3).geometric_(1.5)
