"""Pieces of torch.nn a course reaches for, against torch: F.pdist, the triplet loss with any
distance, nn.Buffer, the recurrent base-class names, the deprecated F.upsample names, the lazy
modules and the CTC loss."""

import warnings

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from torch_bridge import assert_close

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _both(array):
    return zg.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("p", [2.0, 1.0, 3.5, float("inf"), 0.0])
def test_pdist_matches_torch_with_equal_rows(p, dtype):
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(dtype)
    x[3] = x[1]  # a zero distance: the gradient there is zero, as in torch
    ours_leaf, their_leaf = _both(x)
    ours, theirs = F.pdist(ours_leaf, p), TF.pdist(their_leaf, p)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-6)
    assert_close(ours, theirs, **tol)
    if p:
        ours.sum().backward(), theirs.sum().backward()
        assert_close(ours_leaf.grad, their_leaf.grad, **tol)


@pytest.mark.parametrize("call", [lambda m: m.nn.functional.pdist(m.zeros(2, 3, 4)),
                                  lambda m: m.nn.functional.pdist(m.zeros(2, 3), p=-1.0)])
def test_pdist_errors_as_torch(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(zg)
    assert F.pdist(zg.zeros(1, 3)).shape == F.pdist(zg.zeros(0, 3)).shape == (0,)


@pytest.mark.parametrize("kwargs", [{}, dict(margin=2.0, swap=True, reduction="sum"),
                                    dict(distance="cosine", reduction="none")])
def test_triplet_margin_with_distance_loss_matches_torch(kwargs):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((4, 6)) for _ in range(3)]
    ours_kwargs, their_kwargs = dict(kwargs), dict(kwargs)
    if kwargs.pop("distance", None):
        ours_kwargs.pop("distance"), their_kwargs.pop("distance")
        ours_kwargs["distance_function"] = lambda u, v: 1 - F.cosine_similarity(u, v)
        their_kwargs["distance_function"] = lambda u, v: 1 - TF.cosine_similarity(u, v)
    pairs = [_both(a) for a in arrays]
    ours = F.triplet_margin_with_distance_loss(*[z for z, _ in pairs], **ours_kwargs)
    theirs = TF.triplet_margin_with_distance_loss(*[t for _, t in pairs], **their_kwargs)
    assert_close(ours, theirs, rtol=1e-10, atol=1e-12)
    ours.sum().backward(), theirs.sum().backward()
    for z, t in pairs:
        assert_close(z.grad, t.grad, rtol=1e-10, atol=1e-12)
    module = nn.TripletMarginWithDistanceLoss(**ours_kwargs)
    assert repr(module) == repr(torch.nn.TripletMarginWithDistanceLoss(**their_kwargs))
    assert_close(module(*[z for z, _ in pairs]), theirs, rtol=1e-10, atol=1e-12)


def test_triplet_margin_with_distance_loss_errors_as_torch():
    for m in (torch, zg):
        with pytest.raises(ValueError, match="margin"):
            m.nn.TripletMarginWithDistanceLoss(margin=0)
        with pytest.raises(RuntimeError, match="number of dimensions"):
            m.nn.functional.triplet_margin_with_distance_loss(m.zeros(2, 3), m.zeros(2, 3), m.zeros(3))


def test_buffer_assignment_registers_a_buffer_as_torch():
    for m in (torch, zg):
        module = m.nn.Module()
        module.kept = m.nn.Buffer(m.ones(2))
        module.scratch = m.nn.Buffer(m.zeros(3), persistent=False)
        assert [name for name, _ in module.named_buffers()] == ["kept", "scratch"]
        assert list(module.state_dict()) == ["kept"]
        assert isinstance(module.kept, m.Tensor) and not module.kept.requires_grad
        assert m.nn.Buffer(m.ones(2, requires_grad=True)).requires_grad
    source = zg.ones(2)
    buffer = nn.Buffer(source)
    buffer._data[0] = 5  # shares the array
    assert float(source[0]) == 5 and repr(buffer) == repr(source)


def test_recurrent_base_names_as_torch():
    for ours, theirs in ((nn.RNNBase, torch.nn.RNNBase), (nn.RNNCellBase, torch.nn.RNNCellBase)):
        for name in ("RNN", "LSTM", "GRU") if ours is nn.RNNBase else ("RNNCell", "LSTMCell", "GRUCell"):
            assert issubclass(getattr(nn, name), ours) and issubclass(getattr(torch.nn, name), theirs)


@pytest.mark.parametrize("name, args", [("upsample", dict(size=(5, 7))), ("upsample", dict(scale_factor=2, mode="bilinear")),
                                        ("upsample_nearest", dict(size=5)), ("upsample_bilinear", dict(scale_factor=2))])
def test_deprecated_upsample_names_warn_and_match_torch(name, args):
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4))
    with pytest.warns(UserWarning, match="deprecated"):
        ours = getattr(F, name)(zg.tensor(x), **args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(TF, name)(torch.tensor(x), **args)
    assert_close(ours, theirs, rtol=1e-10, atol=1e-12)


LAZY_CASES = [  # name, constructor arguments, first input's shape
    ("LazyLinear", (3,), (2, 5)), ("LazyLinear", (2, False), (4,)),
    ("LazyConv1d", (4, 3), (2, 6, 7)), ("LazyConv2d", (4, 3, 1, 1, 1, 2), (6, 5, 5)),
    ("LazyConv3d", (4, 2), (1, 3, 4, 4, 4)), ("LazyConvTranspose1d", (4, 3, 2), (2, 6, 5)),
    ("LazyConvTranspose2d", (4, 3), (2, 6, 5, 5)), ("LazyConvTranspose3d", (4, 3, 1, 0, 0, 2), (6, 3, 3, 3)),
    ("LazyBatchNorm1d", (), (4, 3)), ("LazyBatchNorm2d", (), (2, 3, 4, 4)), ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 7)), ("LazyInstanceNorm2d", (), (2, 3, 4, 5)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 3, 4)),
]


@pytest.mark.parametrize("name, args, shape", LAZY_CASES)
def test_lazy_modules_become_the_ordinary_layer_as_torch(name, args, shape):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert all(isinstance(p, nn.UninitializedParameter) for p in ours.parameters())
    our_step, their_step = zg.optim.SGD(ours.parameters(), lr=0.1), torch.optim.SGD(theirs.parameters(), lr=0.1)
    x = np.random.default_rng(3).standard_normal(shape).astype(np.float32)
    ours(zg.tensor(x)), theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ and repr(ours) == repr(theirs)
    assert [tuple(v.shape) for v in ours.state_dict().values()] == [tuple(v.shape) for v in theirs.state_dict().values()]
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    if "weight" in dict(theirs.named_parameters()) and "Norm" not in name:  # PyTorch's U(−1/√fan_in, 1/√fan_in)
        bound = 1 / np.sqrt(ours.weight[0].numel())  # fan_in: weight.shape[1]·Πk, for the transposed too
        assert float(np.abs(ours.weight.detach().numpy()).max()) <= bound
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    out, expected = ours(zg.tensor(x)), theirs(torch.tensor(x))
    assert_close(out, expected, rtol=1e-5, atol=1e-5)
    if list(theirs.parameters()):  # the optimizer built before the first forward updates the new tensors
        out.sum().backward(), expected.sum().backward()
        our_step.step(), their_step.step()
        for p, q in zip(ours.parameters(), theirs.parameters()):
            assert_close(p, q, rtol=1e-5, atol=1e-5)


def test_lazy_module_takes_shapes_from_a_loaded_state_dict_as_torch():
    ours = nn.Sequential(nn.LazyLinear(5), nn.ReLU(), nn.LazyLinear(2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2))
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert [tuple(p.shape) for p in ours.parameters()] == [tuple(p.shape) for p in theirs.parameters()]
    x = np.ones((1, 3), dtype=np.float32)
    assert_close(ours(zg.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-6)
    assert type(ours[0]) is nn.Linear and ours[0].in_features == 0  # torch leaves it 0 too
    with pytest.raises(RuntimeError):
        nn.LazyConv2d(3, 2)(zg.zeros(2, 3))


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("through_log_softmax", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ctc_loss_matches_torch(reduction, zero_infinity, through_log_softmax, dtype):
    rng = np.random.default_rng(4)
    logits = rng.standard_normal((12, 4, 5)).astype(dtype)
    targets = rng.integers(1, 5, size=(4, 6))
    targets[1, :3] = [2, 2, 3]  # a repeat needs a blank between
    input_lengths, target_lengths = [12, 9, 12, 5], [4, 3, 0, 6]  # an empty target; 6 labels in 5 frames: inf
    ours_leaf, their_leaf = _both(logits)
    ours_in = F.log_softmax(ours_leaf, -1) if through_log_softmax else ours_leaf
    their_in = TF.log_softmax(their_leaf, -1) if through_log_softmax else their_leaf
    ours = F.ctc_loss(ours_in, zg.tensor(targets), input_lengths, target_lengths, reduction=reduction,
                      zero_infinity=zero_infinity)
    theirs = TF.ctc_loss(their_in, torch.tensor(targets), input_lengths, target_lengths, reduction=reduction,
                         zero_infinity=zero_infinity)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-5)
    assert ours.dtype == (zg.float64 if dtype == np.float64 else zg.float32)
    assert_close(ours, theirs, **tol)
    ours.sum().backward(), theirs.sum().backward()
    # without zero_infinity the impossible sample's gradient is NaN in both
    np.testing.assert_allclose(ours_leaf.grad.numpy(), their_leaf.grad.numpy(), equal_nan=True, **tol)


def test_ctc_loss_concatenated_unbatched_blank_and_module_as_torch():
    rng = np.random.default_rng(5)
    logits = rng.standard_normal((10, 3, 6))
    lengths, flat = [3, 0, 4], rng.integers(0, 5, size=7)
    ours_lp, their_lp = F.log_softmax(zg.tensor(logits), -1), TF.log_softmax(torch.tensor(logits), -1)
    module, reference = nn.CTCLoss(blank=5, zero_infinity=True), torch.nn.CTCLoss(blank=5, zero_infinity=True)
    assert repr(module) == repr(reference)
    assert_close(module(ours_lp, zg.tensor(flat), zg.tensor([10, 7, 9]), zg.tensor(lengths)),
                 reference(their_lp, torch.tensor(flat), torch.tensor([10, 7, 9]), torch.tensor(lengths)),
                 rtol=1e-10, atol=1e-10)
    assert_close(F.ctc_loss(ours_lp[:, 0], zg.tensor(flat[:3] + 1), zg.tensor(8), zg.tensor(3), reduction="none"),
                 TF.ctc_loss(their_lp[:, 0], torch.tensor(flat[:3] + 1), torch.tensor(8), torch.tensor(3),
                             reduction="none"), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("call", [
    lambda m: m.nn.functional.ctc_loss(m.zeros(3, 2, 4), m.zeros(2, 2, dtype=m.int64), [4, 3], [1, 1]),
    lambda m: m.nn.functional.ctc_loss(m.zeros(3, 2, 4), m.zeros(2, 2, dtype=m.int64), [3, 3], [3, 1]),
    lambda m: m.nn.functional.ctc_loss(m.zeros(3, 2, 4), m.zeros(2, 2, dtype=m.int64), [3, 3], [1, 1], blank=4),
])
def test_ctc_loss_errors_as_torch(call):
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError):
        call(zg)
