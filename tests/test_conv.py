"""Convolutions: unfold/fold, conv2d and conv_transpose2d against torch.nn.functional, gradcheck
and gradgradcheck, and the Conv2d / ConvTranspose2d / BatchNorm2d modules against torch's."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from zengrad.autograd import gradcheck, gradgradcheck
from torch_bridge import assert_close, assert_grads_match, load_from_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _both(rng, shape, dtype=np.float64):
    data = rng.standard_normal(shape).astype(dtype)
    return zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


CONV_CASES = [  # input shape, weight shape, keyword arguments
    ((1, 1, 5, 5), (2, 1, 3, 3), {}),
    ((2, 3, 7, 9), (4, 3, 3, 2), dict(stride=2, padding=1, dilation=(1, 2))),
    ((1, 3, 8, 5), (6, 3, 2, 3), dict(stride=3, padding=(2, 1))),
    ((2, 4, 6, 7), (6, 2, 3, 3), dict(stride=(1, 2), padding=1, groups=2)),
    ((1, 1, 9, 9), (1, 1, 3, 3), dict(padding=4, dilation=3)),
    ((3, 3, 4, 4), (2, 3, 4, 4), {}),
    # more channels than output columns: unfold and fold (its gradient) work channels last
    ((2, 9, 4, 4), (5, 9, 4, 4), dict(stride=2, padding=1)),
    ((1, 6, 5, 5), (3, 6, 3, 3), dict(stride=2, padding=2, dilation=2)),
    # 16 channels or more, a kernel of whole strides: the input gradient adds patches on the lattice
    ((2, 16, 8, 8), (4, 16, 4, 4), dict(stride=2, padding=1)),
    ((2, 17, 5, 7), (3, 17, 6, 3), dict(stride=(3, 1), padding=(1, 2))),  # rows past the last patch
    # PyTorch's named paddings; 'same' with an even d·(k − 1) pads evenly, with an odd one once more at the end
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding="same")),
    ((2, 3, 7, 6), (4, 3, 2, 4), dict(padding="same")),
    ((1, 2, 5, 1), (3, 2, 4, 1), dict(padding="same", dilation=(3, 1))),
    ((2, 4, 7, 6), (6, 2, 1, 5), dict(padding="same", dilation=(1, 2), groups=2)),
    ((2, 3, 7, 6), (4, 3, 2, 4), dict(padding="valid", stride=2)),
]

TRANSPOSE_CASES = [
    ((1, 1, 3, 3), (1, 2, 3, 3), {}),
    ((2, 3, 5, 4), (3, 2, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((1, 1, 4, 3), (1, 3, 4, 4), dict(stride=(2, 3), padding=(1, 0), output_padding=(0, 2))),
    ((1, 2, 3, 3), (2, 1, 3, 3), dict(stride=3, output_padding=2)),
    ((2, 4, 3, 3), (4, 1, 2, 3), dict(output_padding=1, dilation=2, groups=2)),
    ((2, 3, 4, 4), (3, 1, 4, 4), dict(stride=2, padding=1)),
    ((2, 5, 2, 3), (5, 8, 4, 4), dict(stride=2, padding=1)),  # fold channels last: 8 channels, 3 columns
    ((1, 4, 3, 2), (4, 7, 3, 2), dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2))),
    ((2, 3, 2, 3), (3, 16, 4, 4), dict(stride=2, padding=1)),  # 16 output channels: forward on the lattice
    ((1, 2, 3, 2), (2, 18, 4, 2), dict(stride=2, output_padding=1)),
]


def _compare(rng, ours, theirs, x_shape, w_shape, kwargs, out_channels):
    zx, tx = _both(rng, x_shape)
    zw, tw = _both(rng, w_shape)
    zb, tb = _both(rng, (out_channels,))
    zy, ty = ours(zx, zw, zb, **kwargs), theirs(tx, tw, tb, **kwargs)
    assert zy.shape == tuple(ty.shape)
    seed = rng.standard_normal(zy.shape)
    zy.backward(zg.tensor(seed, dtype=zg.float64))
    ty.backward(torch.tensor(seed))
    for mine, reference, what in ((zy, ty, "output"), (zx.grad, tx.grad, "input grad"),
                                  (zw.grad, tw.grad, "weight grad"), (zb.grad, tb.grad, "bias grad")):
        assert_close(mine, reference, rtol=1e-10, atol=1e-10, what=what)


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV_CASES)
def test_conv2d_matches_torch(rng, x_shape, w_shape, kwargs):
    _compare(rng, F.conv2d, TF.conv2d, x_shape, w_shape, kwargs, w_shape[0])


@pytest.mark.parametrize("x_shape, w_shape, kwargs", TRANSPOSE_CASES)
def test_conv_transpose2d_matches_torch(rng, x_shape, w_shape, kwargs):
    _compare(rng, F.conv_transpose2d, TF.conv_transpose2d, x_shape, w_shape, kwargs,
             w_shape[1] * kwargs.get("groups", 1))


def test_unbatched_input_matches_torch(rng):
    zx, tx = _both(rng, (2, 5, 5))
    zw, tw = _both(rng, (3, 2, 3, 3))
    assert_close(F.conv2d(zx, zw, padding=1), TF.conv2d(tx, tw, padding=1), rtol=1e-10, atol=1e-10)
    zw, tw = _both(rng, (2, 3, 3, 3))
    assert_close(F.conv_transpose2d(zx, zw, stride=2), TF.conv_transpose2d(tx, tw, stride=2),
                 rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("view", [lambda a: a.transpose(2, 3), lambda a: a[:, :, ::2, 1:]])
@pytest.mark.parametrize("kwargs", [{}, dict(stride=2, padding=1)])
def test_convolutions_of_strided_views_match_torch(rng, view, kwargs):
    """The channels-last patch rows read any layout: transposed and sliced inputs, padded or not."""
    data = rng.standard_normal((3, 2, 9, 7))
    for ours, theirs, w_shape in ((F.conv2d, TF.conv2d, (4, 2, 3, 2)),
                                  (F.conv_transpose2d, TF.conv_transpose2d, (2, 3, 3, 2))):
        zx, tx = zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        zw, tw = _both(rng, w_shape)
        zy, ty = ours(view(zx), zw, **kwargs), theirs(view(tx), tw, **kwargs)
        seed = rng.standard_normal(zy.shape)
        zy.backward(zg.tensor(seed))
        ty.backward(torch.tensor(seed))
        for mine, reference, what in ((zy, ty, "output"), (zx.grad, tx.grad, "input grad"),
                                      (zw.grad, tw.grad, "weight grad")):
            assert_close(mine, reference, rtol=1e-10, atol=1e-10, what=what)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=(2, 3)),
                                    dict(kernel_size=3, stride=2, padding=1, dilation=(2, 1))])
def test_unfold_and_fold_match_torch(rng, kwargs):
    zx, tx = _both(rng, (2, 3, 7, 6))
    zc, tc = F.unfold(zx, **kwargs), TF.unfold(tx, **kwargs)
    assert_close(zc, tc, rtol=1e-12, atol=1e-12)
    zcols, tcols = _both(rng, zc.shape)
    zf, tf = F.fold(zcols, (7, 6), **kwargs), TF.fold(tcols, (7, 6), **kwargs)
    assert_close(zf, tf, rtol=1e-12, atol=1e-12)


def test_unfold_and_fold_are_adjoint(rng):
    """⟨unfold(x), c⟩ = ⟨x, fold(c)⟩: the identity that makes each the other's gradient."""
    kwargs = dict(kernel_size=(3, 2), stride=(2, 1), padding=1, dilation=(1, 2))
    x = zg.tensor(rng.standard_normal((2, 2, 6, 5)))
    cols = F.unfold(x, **kwargs)
    c = zg.tensor(rng.standard_normal(cols.shape))
    left = float((cols * c).sum())
    right = float((x * F.fold(c, (6, 5), **kwargs)).sum())
    assert left == pytest.approx(right, rel=1e-12)


def test_unfold_fold_gradcheck_and_gradgradcheck(rng):
    kwargs = dict(kernel_size=2, stride=2, padding=1, dilation=1)
    x = zg.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
    assert gradcheck(lambda t: F.unfold(t, **kwargs) ** 2, [x])
    assert gradgradcheck(lambda t: F.unfold(t, **kwargs) ** 2, [x])
    c = zg.tensor(rng.standard_normal(F.unfold(x, **kwargs).shape), requires_grad=True)
    assert gradcheck(lambda t: F.fold(t, (3, 3), **kwargs) ** 2, [c])
    assert gradgradcheck(lambda t: F.fold(t, (3, 3), **kwargs) ** 2, [c])


def test_conv_gradcheck_and_gradgradcheck(rng):
    x = zg.tensor(rng.standard_normal((1, 2, 4, 3)), requires_grad=True)
    w = zg.tensor(rng.standard_normal((2, 2, 2, 2)), requires_grad=True)
    b = zg.tensor(rng.standard_normal(2), requires_grad=True)

    def conv(x, w, b):
        return F.conv2d(x, w, b, stride=(2, 1), padding=1).tanh()

    def transposed(x, w, b):
        return F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1).tanh()

    for fn in (conv, transposed):
        assert gradcheck(fn, [x, w, b])
        assert gradgradcheck(fn, [x, w, b])


@pytest.mark.parametrize("call, message", [
    (lambda: F.conv2d(zg.zeros(1, 3, 5, 5), zg.zeros(2, 2, 3, 3)), "3 channels"),
    (lambda: F.conv2d(zg.zeros(1, 1, 2, 2), zg.zeros(1, 1, 3, 3)), "padded input size 2"),
    (lambda: F.conv2d(zg.zeros(1, 5), zg.zeros(1, 1, 3, 3)), "3-D (C, H, W) or 4-D"),
    (lambda: F.conv2d(zg.zeros(1, 4, 5, 5), zg.zeros(3, 2, 3, 3), groups=2), "groups=2"),
    (lambda: F.conv_transpose2d(zg.zeros(1, 2, 3, 3), zg.zeros(2, 1, 3, 3), stride=2, output_padding=2),
     "output_padding"),
    (lambda: F.conv_transpose2d(zg.zeros(1, 3, 3, 3), zg.zeros(2, 1, 3, 3)), "3 channels"),
    (lambda: F.conv_transpose2d(zg.zeros(1, 1, 1, 1), zg.zeros(1, 1, 1, 1), padding=1), "empty output"),
])
def test_bad_input_names_the_op_and_shapes(call, message):
    with pytest.raises(ValueError, match="conv") as info:
        call()
    assert message in str(info.value)


# ---- modules ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Conv2d(3, 4, (3, 2), stride=2, padding=1),
    lambda lib: lib.nn.Conv2d(1, 2, 3, dilation=2, bias=False),
    lambda lib: lib.nn.Conv2d(3, 4, (2, 3), padding="same"),
    lambda lib: lib.nn.Conv2d(3, 2, 4, padding="valid", stride=(1, 2)),
    lambda lib: lib.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, output_padding=1),
    lambda lib: lib.nn.ConvTranspose2d(3, 1, (3, 2), stride=(3, 1), bias=False),
])
def test_conv_modules_match_torch(rng, make):
    reference = make(torch)
    mine = make(zg)
    assert [(n, p.shape) for n, p in mine.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in reference.named_parameters()]
    load_from_torch(mine, reference)
    data = rng.standard_normal((2, reference.in_channels, 7, 6)).astype(np.float32)
    zx, tx = zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    zy, ty = mine(zx), reference(tx)
    assert_close(zy, ty, rtol=1e-4, atol=1e-5)
    (zy ** 2).sum().backward()
    (ty ** 2).sum().backward()
    assert_close(zx.grad, tx.grad, rtol=1e-4, atol=1e-4)
    assert_grads_match(mine, reference, rtol=1e-4, atol=1e-4)
    assert repr(mine) == repr(reference).replace("padding=(0, 0), ", "")


@pytest.mark.parametrize("call", [lambda lib: lib.nn.Conv2d(1, 1, 3, padding="same", stride=2),
                                  lambda lib: lib.nn.Conv2d(1, 1, 3, padding="full"),
                                  lambda lib: lib.nn.functional.conv2d(lib.ones(1, 1, 5, 5), lib.ones(1, 1, 3, 3),
                                                                       padding="same", stride=(1, 2))])
def test_named_padding_refusals_match_torch(call):
    with pytest.raises((ValueError, RuntimeError)) as expected:
        call(torch)
    with pytest.raises(type(expected.value)):
        call(zg)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.Conv2d(6, 16, (3, 2)),
                                  lambda lib: lib.nn.ConvTranspose2d(6, 16, 3)])
def test_conv_default_init_has_torch_bounds(make):
    """PyTorch's default: weight and bias both within ±1/√fan_in, fan_in = weight.shape[1]·kh·kw."""
    zg.manual_seed(0)
    mine, reference = make(zg), make(torch)
    fan_in = reference.weight.shape[1] * reference.weight[0, 0].numel()
    for name, param in mine.named_parameters():
        values = param.detach().numpy()
        theirs = dict(reference.named_parameters())[name].detach().numpy()
        bound = 1 / np.sqrt(fan_in)
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.5 * bound
        if name == "weight":
            assert values.std() == pytest.approx(theirs.std(), rel=0.2)


def test_conv_transpose_output_size_argument(rng):
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    reference = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1)
    load_from_torch(layer, reference)
    data = rng.standard_normal((1, 2, 4, 4)).astype(np.float32)
    mine = layer(zg.tensor(data), output_size=(8, 8))
    assert_close(mine, reference(torch.tensor(data), output_size=(8, 8)), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="ConvTranspose2d"):
        layer(zg.tensor(data), output_size=(10, 10))


def test_batchnorm2d_matches_torch_with_running_stats(rng):
    mine, reference = nn.BatchNorm2d(3, momentum=0.2), torch.nn.BatchNorm2d(3, momentum=0.2)
    with torch.no_grad():
        reference.weight.uniform_(0.5, 1.5)
        reference.bias.uniform_(-0.5, 0.5)
    load_from_torch(mine, reference)
    for step in range(3):
        data = (rng.standard_normal((4, 3, 5, 2)) * (step + 1) + step).astype(np.float32)
        zx, tx = zg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        zy, ty = mine(zx), reference(tx)
        assert_close(zy, ty, rtol=1e-4, atol=1e-5)
        (zy ** 3).sum().backward()
        (ty ** 3).sum().backward()
        assert_close(zx.grad, tx.grad, rtol=1e-3, atol=1e-3)
    assert_grads_match(mine, reference, rtol=1e-3, atol=1e-3)
    for name, buffer in reference.named_buffers():
        assert_close(dict(mine.named_buffers())[name], buffer, rtol=1e-5, atol=1e-6, what=name)
    mine.eval()
    reference.eval()
    data = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    assert_close(mine(zg.tensor(data)), reference(torch.tensor(data)), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="BatchNorm2d: expected 4D input"):
        mine(zg.zeros(2, 3))
