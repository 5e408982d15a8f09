"""The loss, distance, activation, padding, dropout and container modules PyTorch users reach for,
and RMSprop, Adagrad and two initialisers, each against PyTorch (the functional math is checked
in tests/op_table.py; here the modules' arguments, state dicts, and the optimizers' trajectories)."""

import math

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)


def _pair(shape):
    array = RNG.standard_normal(shape)
    return zg.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


@pytest.mark.parametrize("name, args, inputs", [
    ("L1Loss", {"reduction": "sum"}, [(3, 5), (3, 5)]),
    ("HuberLoss", {"delta": 0.4}, [(4, 3), (4, 3)]),
    ("SmoothL1Loss", {"beta": 0.3, "reduction": "none"}, [(2, 7), (2, 7)]),
    ("PairwiseDistance", {"p": 1.0, "keepdim": True}, [(4, 3), (4, 3)]),
    ("CosineSimilarity", {"dim": 0}, [(5, 2), (5, 2)]),
    ("TripletMarginLoss", {"margin": 1.5, "swap": True}, [(6, 4), (6, 4), (6, 4)]),
    ("Softmin", {"dim": 1}, [(3, 4)]),
    ("Threshold", {"threshold": 0.2, "value": -1.0}, [(3, 4)]),
    ("Tanhshrink", {}, [(3, 4)]),
    ("Softshrink", {"lambd": 0.3}, [(3, 4)]),
    ("Hardshrink", {"lambd": 0.3}, [(3, 4)]),
    ("PixelShuffle", {"upscale_factor": 2}, [(1, 12, 2, 3)]),
    ("PixelUnshuffle", {"downscale_factor": 2}, [(2, 1, 4, 6)]),
    ("ZeroPad2d", {"padding": (1, 0, 2, 1)}, [(1, 2, 3, 3)]),
    ("ConstantPad1d", {"padding": 2, "value": 3.5}, [(2, 3, 4)]),
    ("ReflectionPad2d", {"padding": 2}, [(1, 1, 3, 4)]),
    ("ReplicationPad1d", {"padding": (3, 1)}, [(2, 2, 3)]),
    ("CircularPad2d", {"padding": (1, 2, 0, 1)}, [(1, 2, 3, 3)]),
])
def test_module_matches_torch(name, args, inputs):
    ours_in, theirs_in = zip(*(_pair(shape) for shape in inputs))
    ours = getattr(nn, name)(**args)(*ours_in)
    theirs = getattr(torch.nn, name)(**args)(*theirs_in)
    np.testing.assert_allclose(ours._data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = RNG.standard_normal(theirs.shape)
    (ours * zg.tensor(weights)).sum().backward()
    (theirs * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours_in, theirs_in):
        np.testing.assert_allclose(mine.grad._data, reference.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_kl_div_and_ranking_modules_match_torch():
    log_q = zg.tensor(RNG.standard_normal((4, 5))).log_softmax(dim=1)
    p = zg.tensor(RNG.standard_normal((4, 5))).softmax(dim=1)
    ours = nn.KLDivLoss(reduction="batchmean")(log_q, p)
    theirs = torch.nn.KLDivLoss(reduction="batchmean")(torch.tensor(log_q._data), torch.tensor(p._data))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)
    a, b = RNG.standard_normal(6), RNG.standard_normal(6)
    y = np.array([1.0, -1, 1, 1, -1, -1])
    ours = nn.MarginRankingLoss(margin=0.2)(zg.tensor(a), zg.tensor(b), zg.tensor(y))
    theirs = torch.nn.MarginRankingLoss(margin=0.2)(torch.tensor(a), torch.tensor(b), torch.tensor(y))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    x1, x2 = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4))
    labels = np.array([1, -1, -1])
    ours = nn.CosineEmbeddingLoss(margin=0.1)(zg.tensor(x1), zg.tensor(x2), zg.tensor(labels))
    theirs = torch.nn.CosineEmbeddingLoss(margin=0.1)(torch.tensor(x1), torch.tensor(x2), torch.tensor(labels))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    with pytest.raises(ValueError, match="KLDivLoss"):
        nn.KLDivLoss(reduction="average")


@pytest.mark.parametrize("layer, shape", [(nn.Dropout2d, (8, 50, 3, 3)), (nn.Dropout1d, (8, 50, 5))])
def test_channel_dropout_zeroes_whole_channels(layer, shape):
    zg.manual_seed(3)
    x = zg.ones(*shape)
    dropped = layer(p=0.4)(x)._data
    per_channel = dropped.reshape(shape[0], shape[1], -1)
    assert np.all((per_channel == 0).all(axis=2) | (per_channel == 1 / 0.6).all(axis=2))
    assert 0.3 < (per_channel[..., 0] == 0).mean() < 0.5
    module = layer(p=0.4)
    module.eval()
    assert module(x) is x
    with pytest.raises(ValueError, match="dropout"):
        nn.functional.dropout2d(zg.ones(3), 0.5)


def _build(library, holder):
    class Net(library.nn.Module):
        def __init__(self):
            super().__init__()
            self.heads = library.nn.ModuleDict({"a": library.nn.Linear(3, 2), "b": library.nn.Linear(3, 1)})
            self.scales = library.nn.ParameterList([holder(library.ones(2)), holder(library.zeros(3))])
            self.offsets = library.nn.ParameterDict({"x": holder(library.ones(1))})
    return Net()


def test_containers_register_like_torch():
    ours = _build(zg, nn.Parameter)
    theirs = _build(torch, torch.nn.Parameter)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours.heads["a"](zg.tensor(x))._data, theirs.heads["a"](torch.tensor(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)  # float32 sums in another order: a few ulps
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 7
    assert list(ours.heads.keys()) == ["a", "b"] and "a" in ours.heads and len(ours.scales) == 2
    ours.scales.append(zg.ones(4))
    assert isinstance(ours.scales[-1], nn.Parameter) and len(list(ours.parameters())) == 8
    with pytest.raises(IndexError):
        ours.scales[5]


@pytest.mark.parametrize("name, settings", [
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.02, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "maximize": True, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.2, "initial_accumulator_value": 0.3}),
])
def test_optimizer_trajectory_matches_torch(name, settings):
    start = RNG.standard_normal((3, 4))
    ours_p = nn.Parameter(zg.tensor(start))
    theirs_p = torch.nn.Parameter(torch.tensor(start))
    ours_opt = getattr(zg.optim, name)([ours_p], **settings)
    theirs_opt = getattr(torch.optim, name)([theirs_p], **settings)
    target = RNG.standard_normal((3, 4))
    for _ in range(6):
        for p, opt, lib in ((ours_p, ours_opt, zg), (theirs_p, theirs_opt, torch)):
            opt.zero_grad()
            ((p - lib.tensor(target)) ** 2 * lib.tensor(target).abs()).sum().backward()
            opt.step()
    np.testing.assert_allclose(ours_p._data, theirs_p.detach().numpy(), rtol=1e-9, atol=1e-12)
    restored = getattr(zg.optim, name)([ours_p], **settings)
    restored.load_state_dict(ours_opt.state_dict())


@pytest.mark.parametrize("name, bad", [("RMSprop", {"lr": -1.0}), ("Adagrad", {"eps": -1.0}),
                                       ("RMSprop", {"alpha": -0.5}), ("Adagrad", {"lr_decay": -1})])
def test_optimizer_settings_are_checked(name, bad):
    with pytest.raises(ValueError, match="Invalid"):
        getattr(zg.optim, name)([nn.Parameter(zg.ones(2))], **bad)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal_init_gives_orthonormal_rows_or_columns(shape):
    zg.manual_seed(0)
    w = nn.init.orthogonal_(nn.Parameter(zg.zeros(*shape, dtype=zg.float64)), gain=2.0)
    flat = w._data.reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, 4.0 * np.eye(small), atol=1e-10)
    with pytest.raises(ValueError, match="orthogonal_"):
        nn.init.orthogonal_(nn.Parameter(zg.zeros(3)))


def test_trunc_normal_stays_inside_its_bounds():
    zg.manual_seed(0)
    w = nn.init.trunc_normal_(nn.Parameter(zg.zeros(20000)), mean=1.0, std=2.0, a=0.0, b=3.0)
    assert w._data.min() >= 0.0 and w._data.max() <= 3.0
    density = [math.exp(-z * z / 2) / math.sqrt(2 * math.pi) for z in (-0.5, 1.0)]  # at (a − μ)/σ, (b − μ)/σ
    mass = [0.5 * (1 + math.erf(z / math.sqrt(2))) for z in (-0.5, 1.0)]
    expected = 1.0 + 2.0 * (density[0] - density[1]) / (mass[1] - mass[0])  # the truncated normal's mean
    assert abs(float(w._data.mean()) - expected) < 0.03
    with pytest.raises(ValueError, match="trunc_normal_"):
        nn.init.trunc_normal_(nn.Parameter(zg.zeros(2)), a=1.0, b=1.0)
