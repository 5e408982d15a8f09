"""Small utilities under PyTorch's names, each against PyTorch: StackDataset and get_worker_info,
BatchNorm fusion, the deprecated clip_grad_norm, skip_init, testing.make_tensor."""

import numpy as np
import pytest

import zengrad as zg
from zengrad.testing import make_tensor

torch = pytest.importorskip("torch")


def test_stack_dataset_and_worker_info():
    a, b = zg.utils.data.TensorDataset(zg.arange(4)), [10, 11, 12, 13]
    stacked = zg.utils.data.StackDataset(a, b)
    assert len(stacked) == 4 and stacked[2][1] == 12 and stacked[2][0][0].item() == 2
    named = zg.utils.data.StackDataset(x=a, y=b)
    assert set(named[1]) == {"x", "y"} and named[1]["y"] == 11
    for module in (zg, torch):
        with pytest.raises(ValueError):
            module.utils.data.StackDataset([1, 2], [1])
    assert zg.utils.data.get_worker_info() is torch.utils.data.get_worker_info() is None


@pytest.mark.parametrize("kind", ["conv", "transposed", "linear"])
def test_batch_norm_fusion_matches_pytorch_and_the_unfused_pair(kind):
    torch.manual_seed(0)
    if kind == "linear":
        theirs, their_bn, shape = torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), (5, 4)
    elif kind == "conv":
        theirs, their_bn, shape = torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), (2, 2, 6, 5)
    else:
        theirs, their_bn, shape = torch.nn.ConvTranspose2d(2, 3, 3), torch.nn.BatchNorm2d(3), (2, 2, 4, 4)
    with torch.no_grad():
        their_bn.running_mean.normal_(), their_bn.running_var.uniform_(0.5, 2), their_bn.weight.normal_()
        their_bn.bias.normal_()
    theirs.eval(), their_bn.eval()
    ours = {"linear": lambda: zg.nn.Linear(4, 3), "conv": lambda: zg.nn.Conv2d(2, 3, 3),
            "transposed": lambda: zg.nn.ConvTranspose2d(2, 3, 3)}[kind]()
    bn = zg.nn.BatchNorm1d(3) if kind == "linear" else zg.nn.BatchNorm2d(3)
    for module, source in ((ours, theirs), (bn, their_bn)):
        module.load_state_dict({k: zg.tensor(v.numpy()) for k, v in source.state_dict().items()})
        module.eval()
    if kind == "linear":
        fused, their_fused = zg.nn.utils.fuse_linear_bn_eval(ours, bn), torch.nn.utils.fuse_linear_bn_eval(theirs, their_bn)
    else:
        transpose = kind == "transposed"
        fused = zg.nn.utils.fuse_conv_bn_eval(ours, bn, transpose=transpose)
        their_fused = torch.nn.utils.fuse_conv_bn_eval(theirs, their_bn, transpose=transpose)
    x = np.random.default_rng(2).standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(fused.weight.detach().numpy(), their_fused.weight.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(fused(zg.tensor(x)).detach().numpy(), bn(ours(zg.tensor(x))).detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    ours.train()
    with pytest.raises(AssertionError, match="eval"):
        zg.nn.utils.fuse_conv_bn_eval(ours, bn)


def test_deprecated_clip_grad_norm_and_skip_init():
    w = zg.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    with pytest.warns(FutureWarning):
        total = zg.nn.utils.clip_grad_norm([w], 1.0)
    assert abs(total.item() - 10.0) < 1e-5 and abs(float(w.grad.norm()) - 1.0) < 1e-4
    layer = zg.nn.utils.skip_init(zg.nn.Linear, 3, 2)
    assert isinstance(layer, zg.nn.Linear) and layer.weight.shape == (2, 3)
    with pytest.raises(RuntimeError, match="device"):
        zg.nn.utils.skip_init(lambda: None)


@pytest.mark.parametrize("dtype, low, high", [(zg.float32, None, None), (zg.float64, -1.0, 2.0), (zg.int64, None, None),
                                              (zg.int32, 0, 3), (zg.uint8, -5, None), (zg.bool_, None, None)])
def test_make_tensor_draws_in_pytorchs_ranges(dtype, low, high):
    t = make_tensor(50, 3, dtype=dtype, low=low, high=high)
    assert t.shape == (50, 3) and t.dtype == np.dtype(dtype)
    if np.dtype(dtype).kind != "b":
        expected_low = {"f": -9, "i": -9, "u": 0}[np.dtype(dtype).kind] if low is None else max(low, 0) \
            if np.dtype(dtype).kind == "u" else low
        expected_high = {"f": 9, "i": 10, "u": 10}[np.dtype(dtype).kind] if high is None else high
        assert float(t.min()) >= expected_low and float(t.max()) <= expected_high
    view = make_tensor(4, 5, dtype=dtype, noncontiguous=True)
    assert not view.is_contiguous() and view.shape == (4, 5)
    assert 0 not in make_tensor(200, dtype=zg.int64, low=-2, high=2, exclude_zero=True).tolist()
    assert make_tensor(3, dtype=zg.float32, requires_grad=True).requires_grad


def test_invert_permutation_and_the_stateless_functional_call():
    from zengrad.nn.utils.rnn import invert_permutation
    permutation = np.random.default_rng(4).permutation(7)
    np.testing.assert_array_equal(invert_permutation(zg.tensor(permutation)).numpy(),
                                  torch.nn.utils.rnn.invert_permutation(torch.tensor(permutation)).numpy())
    assert invert_permutation(None) is None
    layer = zg.nn.Linear(2, 1)
    out = zg.nn.utils.stateless.functional_call(layer, {"weight": zg.ones(1, 2), "bias": zg.zeros(1)}, (zg.ones(3, 2),))
    assert out.tolist() == [[2.0]] * 3
