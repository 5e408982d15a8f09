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
    ("Conv3d", (2, 4, (2, 3, 4)), dict(padding="same", dilation=(1, 1, 2), padding_mode="reflect")),
    ("Conv2d", (2, 4, (2, 3)), dict(padding="same", padding_mode="circular")),
    ("Conv1d", (2, 4, 4), dict(padding="same", padding_mode="replicate")),
    ("ConvTranspose3d", (3, 6, (2, 3, 2)), dict(stride=2, padding=1, output_padding=1, groups=3)),
    ("ConvTranspose3d", (2, 3, 3), dict(dilation=2, bias=False)),
])
def test_conv_modules_match_torch(name, args, kwargs):
    torch.manual_seed(0)
    theirs, ours = getattr(torch.nn, name)(*args, **kwargs), getattr(nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert all(tuple(p.shape) == tuple(q.shape) for p, q in zip(ours.parameters(), theirs.parameters()))
    bound = 1 / np.sqrt(ours.weight[0].numel())  # PyTorch's U(−1/√fan_in, 1/√fan_in)
    assert 0.5 * bound < float(np.abs(ours.weight.detach().numpy()).max()) <= bound
    load_from_torch(ours, theirs)
    x = _normal(1, args[0], *(4, 5, 7)[:ours.weight.ndim - 2]).astype(np.float32)
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


POOL3D_CASES = [  # name, keyword arguments
    ("max_pool3d", dict(kernel_size=3)),
    ("max_pool3d", dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=1, dilation=(2, 1, 1))),
    ("max_pool3d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool3d", dict(kernel_size=(2, 3, 2), stride=(1, 2, 3), padding=1)),
    ("avg_pool3d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("avg_pool3d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("avg_pool3d", dict(kernel_size=2, divisor_override=3)),
    ("lp_pool3d", dict(norm_type=3, kernel_size=(2, 3, 1), stride=(1, 2, 2), ceil_mode=True)),
    ("adaptive_avg_pool3d", dict(output_size=(3, None, 4))),
    ("adaptive_avg_pool3d", dict(output_size=4)),
    ("adaptive_max_pool3d", dict(output_size=(3, None, 4))),
    ("adaptive_max_pool3d", dict(output_size=1)),
    ("interpolate", dict(scale_factor=2, mode="nearest")),
    ("interpolate", dict(size=(3, 8, 5), mode="nearest")),
    ("interpolate", dict(scale_factor=(1.5, 2, 0.7), mode="trilinear")),
    ("interpolate", dict(size=(3, 8, 5), mode="trilinear", align_corners=True)),
    ("interpolate", dict(size=(9, 4, 11), mode="trilinear")),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, kwargs", POOL3D_CASES)
def test_3d_pools_and_interpolation_match_torch(name, kwargs, dtype):
    x = np.abs(_normal(2, 3, 7, 5, 6)) + 0.1  # positive for lp_pool's fractional powers
    _compare(lambda x: getattr(F, name)(x, **kwargs), lambda x: getattr(TF, name)(x, **kwargs), [x], dtype,
             transpose_first=True)
    if name != "interpolate":  # unbatched (C, D, H, W)
        _compare(lambda x: getattr(F, name)(x, **kwargs), lambda x: getattr(TF, name)(x, **kwargs), [x[0]], dtype)


@pytest.mark.parametrize("name, args", [
    ("max_pool1d_with_indices", (3, 2, 1)), ("max_pool2d_with_indices", ((2, 3), 2, 1, 1, True)),
    ("max_pool3d_with_indices", (2, None, 1, (1, 2, 1), True)), ("max_pool3d", (3, 2, 1, 1, False, True)),
    ("adaptive_max_pool1d_with_indices", (4,)), ("adaptive_max_pool2d_with_indices", ((3, 2),)),
    ("adaptive_max_pool3d_with_indices", ((3, 2, 4),)),
])
def test_pool_indices_match_torch(name, args):
    spatial = int(name.split("pool")[1][0])
    x = _normal(*(2, 3, 7, 5, 6)[:2 + spatial])
    (ours, our_indices), (theirs, their_indices) = getattr(F, name)(zg.tensor(x), *args), \
        getattr(TF, name)(torch.tensor(x), *args)
    assert_close(ours, theirs)
    assert our_indices.dtype == zg.int64
    np.testing.assert_array_equal(our_indices.numpy(), their_indices.numpy())


def test_max_unpool3d_inverts_max_pool3d_as_torch():
    x = _normal(2, 3, 7, 5, 6)
    theirs, their_indices = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    ours, our_indices = F.max_pool3d(zg.tensor(x), 2, return_indices=True)
    assert_close(nn.MaxUnpool3d(2)(ours, our_indices, (7, 5, 6)),
                 torch.nn.MaxUnpool3d(2)(theirs, their_indices, (7, 5, 6)))
    with pytest.raises(RuntimeError, match="invalid max index"):  # the default output is 6×4×6
        F.max_unpool3d(ours, our_indices, 2)
    x = _normal(1, 2, 6, 4, 8)
    theirs, their_indices = TF.max_pool3d(torch.tensor(x), 2, return_indices=True)
    ours, our_indices = F.max_pool3d(zg.tensor(x), 2, return_indices=True)
    assert_close(F.max_unpool3d(ours, our_indices, 2), TF.max_unpool3d(theirs, their_indices, 2))


@pytest.mark.parametrize("name, args", [
    ("MaxPool3d", (3,)), ("MaxPool3d", ((2, 3, 2), 1, 1, 1, True, True)), ("AvgPool3d", (3, 2, 1, True, False, 2)),
    ("AdaptiveAvgPool3d", ((2, None, 3),)), ("AdaptiveMaxPool3d", (2, True)), ("LPPool3d", (2, 3)),
    ("MaxUnpool3d", (2,)), ("MaxUnpool2d", (2,)), ("MaxUnpool1d", (3, 1, 1)),
    ("BatchNorm3d", (3,)), ("InstanceNorm3d", (3,)), ("InstanceNorm3d", (3, 1e-3, 0.2, True, True)),
    ("Dropout3d", (0.3,)),
    ("ConstantPad3d", (1, 2.0)), ("ConstantPad2d", ((1, 2, 0, 3), -1.5)), ("ZeroPad3d", ((1, 2, 3, 4, 5, 6),)),
    ("ReflectionPad3d", (1,)), ("ReplicationPad3d", ((0, 1, 2, 1, 0, 2),)), ("CircularPad3d", (2,)),
])
def test_3d_module_reprs_and_outputs_match_torch(name, args):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    if name.startswith(("MaxUnpool", "Dropout")):
        return
    x = (_normal(2, 3, 5, 4, 6) if name[-2] != "2" else _normal(2, 3, 5, 4)).astype(np.float32)
    out, expected = ours(zg.tensor(x)), theirs(torch.tensor(x))
    out, expected = (out[0], expected[0]) if isinstance(expected, tuple) else (out, expected)
    assert_close(out, expected, rtol=1e-5, atol=1e-5)


def test_batch_norm3d_trains_and_evaluates_as_torch():
    torch.manual_seed(0)
    ours, theirs = nn.BatchNorm3d(3, momentum=None), torch.nn.BatchNorm3d(3, momentum=None)
    for seed in (1, 2):
        x = _normal(2, 3, 3, 1, 5, seed=seed).astype(np.float32)
        assert_close(ours(zg.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-5)
    for name, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[name], value, rtol=1e-5, atol=1e-6, what=name)
    ours.eval(), theirs.eval()
    x = _normal(1, 3, 2, 2, 2).astype(np.float32)
    assert_close(ours(zg.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError):
        ours(zg.zeros(2, 3, 4, 4))


def test_dropout3d_zeroes_whole_channels():
    zg.manual_seed(0)
    x = zg.ones(4, 8, 2, 3, 2)
    out = F.dropout3d(x, 0.5)
    per_channel = out.numpy().reshape(4, 8, -1)
    assert set(np.unique(per_channel)) <= {0.0, 2.0}
    assert (per_channel.min(axis=-1) == per_channel.max(axis=-1)).all()
    assert 0 < (per_channel[..., 0] == 0).sum() < 32
    assert F.dropout3d(x, 0.5, training=False) is x
    with pytest.raises(RuntimeError):
        F.dropout3d(zg.ones(2, 3, 4), 0.5)


@pytest.mark.parametrize("call", [
    lambda m, F: F.max_pool3d(m.zeros(2, 3, 4), 2),
    lambda m, F: F.avg_pool3d(m.zeros(1, 2, 3, 3, 3), 2, padding=2),
    lambda m, F: F.max_pool3d(m.zeros(1, 1, 1, 1, 1), 2),
    lambda m, F: F.max_pool3d(m.zeros(1, 2, 3, 3, 3), (2, 2)),
    lambda m, F: F.adaptive_avg_pool3d(m.zeros(1, 2, 3), 2),
    lambda m, F: F.interpolate(m.zeros(1, 2, 3, 3, 3), scale_factor=2, mode="bilinear"),
])
def test_3d_pool_errors_are_runtime_errors_as_in_torch(call):
    with pytest.raises(RuntimeError):
        call(torch, TF)
    with pytest.raises(RuntimeError):
        call(zg, F)
