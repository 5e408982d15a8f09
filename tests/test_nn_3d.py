"""The 3-d family (conv3d, conv_transpose3d, the 3-d pools, norms, dropout, padding, trilinear
interpolation) against torch: values and gradients in float64 and float32 on odd sizes, strides,
paddings, dilations and groups, batch 1 and non-contiguous input; module reprs, state_dicts and
errors."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from torch_bridge import assert_close, load_from_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOLERANCE = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=2e-4, atol=2e-5)}


def _compare(ours, theirs, arrays, dtype, seed=0, transpose_first=False):
    """ours(*zengrad tensors) against theirs(*torch tensors): the value, then the gradient of every
    input for one random output gradient. transpose_first hands the first input in as a
    non-contiguous view (its last two axes swapped back)."""
    rng = np.random.default_rng(seed)
    arrays = [a.astype(dtype) for a in arrays]
    if transpose_first:
        arrays[0] = np.ascontiguousarray(arrays[0].swapaxes(-1, -2))
    zs = [zg.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    z_in = [zs[0].transpose(-1, -2)] + zs[1:] if transpose_first else zs
    t_in = [ts[0].transpose(-1, -2)] + ts[1:] if transpose_first else ts
    z_out, t_out = ours(*z_in), theirs(*t_in)
    tol = TOLERANCE[dtype]
    assert z_out.dtype == zg.float64 if dtype == np.float64 else z_out.dtype == zg.float32
    assert_close(z_out, t_out, what="value", **tol)
    g = rng.standard_normal(tuple(t_out.shape)).astype(dtype)
    (z_out * zg.tensor(g)).sum().backward()
    (t_out * torch.tensor(g)).sum().backward()
    for i, (z, t) in enumerate(zip(zs, ts)):
        assert_close(z.grad, t.grad, what=f"gradient of input {i}", **tol)


def _normal(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape)


CONV3D_CASES = [  # input shape, weight shape, keyword arguments
    ((1, 1, 3, 4, 5), (2, 1, 2, 3, 2), {}),
    ((2, 3, 5, 7, 6), (4, 3, 3, 2, 3), dict(stride=2, padding=1)),
    ((2, 3, 7, 5, 6), (6, 3, 3, 2, 3), dict(stride=(1, 2, 3), padding=(0, 1, 2), dilation=(2, 1, 1))),
    ((1, 6, 5, 4, 3), (6, 2, 3, 3, 2), dict(groups=3, padding="same")),
    ((2, 2, 5, 6, 7), (3, 2, 2, 3, 2), dict(padding="same", dilation=2)),
    ((5, 3, 4, 6), (2, 5, 1, 3, 2), dict(padding="valid")),  # unbatched
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV3D_CASES)
def test_conv3d_matches_torch(x_shape, w_shape, kwargs, dtype):
    arrays = [_normal(*x_shape), _normal(*w_shape, seed=2), _normal(w_shape[0], seed=3)]
    _compare(lambda x, w, b: F.conv3d(x, w, b, **kwargs), lambda x, w, b: TF.conv3d(x, w, b, **kwargs), arrays,
             dtype, transpose_first=len(x_shape) == 5)


CONV_TRANSPOSE3D_CASES = [
    ((1, 2, 3, 4, 5), (2, 3, 2, 3, 2), {}),
    ((2, 3, 5, 4, 3), (3, 2, 3, 2, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 3, 4, 3, 5), (3, 2, 3, 2, 3), dict(stride=(1, 2, 3), padding=(0, 1, 2), dilation=(2, 1, 1),
                                            output_padding=(1, 0, 2))),
    ((1, 4, 3, 3, 2), (4, 1, 2, 2, 3), dict(groups=2, stride=2)),
    ((3, 4, 3, 5), (3, 2, 2, 2, 2), dict(stride=3, padding=1)),  # unbatched
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV_TRANSPOSE3D_CASES)
def test_conv_transpose3d_matches_torch(x_shape, w_shape, kwargs, dtype):
    groups = kwargs.get("groups", 1)
    arrays = [_normal(*x_shape), _normal(*w_shape, seed=2), _normal(w_shape[1] * groups, seed=3)]
    _compare(lambda x, w, b: F.conv_transpose3d(x, w, b, **kwargs),
             lambda x, w, b: TF.conv_transpose3d(x, w, b, **kwargs), arrays, dtype, transpose_first=True)


@pytest.mark.parametrize("name, args, kwargs", [
    ("Conv3d", (3, 6, 3), dict(stride=2, padding=1, groups=3, bias=False)),
    ("Conv3d", (2, 3, (1, 2, 3)), dict(padding="same", dilation=(1, 2, 1))),
    ("Conv3d", (2, 4, 3), dict(padding=1, padding_mode="reflect")),
    ("Conv3d", (2, 4, 3), dict(padding=(1, 0, 2), padding_mode="circular")),
    ("Conv3d", (2, 4, 2), dict(padding=1, padding_mode="replicate")),
    ("ConvTranspose3d", (3, 6, (2, 3, 2)), dict(stride=2, padding=1, output_padding=1, groups=3)),
    ("ConvTranspose3d", (2, 3, 3), dict(dilation=2, bias=False)),
])
def test_conv3d_modules_match_torch(name, args, kwargs):
    torch.manual_seed(0)
    theirs, ours = getattr(torch.nn, name)(*args, **kwargs), getattr(nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert all(tuple(p.shape) == tuple(q.shape) for p, q in zip(ours.parameters(), theirs.parameters()))
    bound = 1 / np.sqrt(ours.weight[0].numel())  # PyTorch's U(−1/√fan_in, 1/√fan_in)
    assert 0.5 * bound < float(np.abs(ours.weight.detach().numpy()).max()) <= bound
    load_from_torch(ours, theirs)
    x = _normal(1, args[0], 4, 5, 3).astype(np.float32)
    assert_close(ours(zg.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-5)


def test_conv_transpose3d_output_size():
    theirs, ours = torch.nn.ConvTranspose3d(2, 3, 3, stride=2), nn.ConvTranspose3d(2, 3, 3, stride=2)
    load_from_torch(ours, theirs)
    x = _normal(1, 2, 4, 5, 3).astype(np.float32)
    assert_close(ours(zg.tensor(x), output_size=(10, 11, 8)), theirs(torch.tensor(x), output_size=(10, 11, 8)),
                 rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda m, F: F.conv3d(m.zeros(2, 3), m.zeros(1, 1, 1, 1, 1)),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3), m.zeros(1, 3, 1, 1, 1)),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3), m.zeros(1, 2, 4, 1, 1)),
    lambda m, F: F.conv3d(m.zeros(1, 2, 3, 3, 3), m.zeros(1, 2, 1, 1, 1), stride=2, padding="same"),
    lambda m, F: F.conv_transpose3d(m.zeros(1, 2, 3, 3, 3), m.zeros(2, 1, 1, 1, 1), stride=2, output_padding=2),
])
def test_conv3d_errors_are_runtime_errors_as_in_torch(call):
    with pytest.raises(RuntimeError):
        call(torch, TF)
    with pytest.raises(RuntimeError):
        call(zg, F)
