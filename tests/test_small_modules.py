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
