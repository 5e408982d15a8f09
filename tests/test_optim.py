"""Optimizers and lr schedulers: trajectories equal PyTorch's; state_dict resumes exactly."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from conftest import to_numpy
from torch_bridge import assert_close, load_from_torch

torch = pytest.importorskip("torch")

STEPS = 5


def _models():
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2))
    ours = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 2))
    load_from_torch(ours, theirs)
    return ours, theirs


def _run(rng, ours, theirs, opt, topt, steps=STEPS):
    """Take ``steps`` optimisation steps on the same batches, checking parameters after each."""
    for step in range(steps):
        x = rng.standard_normal((8, 4)).astype(np.float32)
        y = rng.standard_normal((8, 2)).astype(np.float32)
        opt.zero_grad()
        topt.zero_grad()
        nn.functional.mse_loss(ours(zg.tensor(x)), zg.tensor(y)).backward()
        torch.nn.functional.mse_loss(theirs(torch.tensor(x)), torch.tensor(y)).backward()
        opt.step()
        topt.step()
        for (name, mine), (_, reference) in zip(ours.named_parameters(), theirs.named_parameters()):
            assert_close(mine, reference, rtol=1e-5, atol=1e-6, what=f"{name} after step {step}")


CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.95), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.02, weight_decay=0.3, amsgrad=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.05, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.02, weight_decay=0.2, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.05, betas=(0.5, 0.6), weight_decay=0.1)),  # rho_inf = 4: never rectified
    ("RAdam", dict(lr=0.02, betas=(0.7, 0.5), weight_decay=0.3, decoupled_weight_decay=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.7, eps=1e-4, weight_decay=0.1, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.08), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.1, lambd=0.01, alpha=0.5, t0=2, weight_decay=0.05)),
    ("ASGD", dict(lr=0.1, t0=0, maximize=True)),
]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_trajectory_matches_torch(rng, name, kwargs):
    ours, theirs = _models()
    opt = getattr(zg.optim, name)(ours.parameters(), **kwargs)
    topt = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    _run(rng, ours, theirs, opt, topt)


@pytest.mark.parametrize("decoupled", [False, True])
def test_radam_matches_torch_once_its_step_is_rectified(rng, decoupled):
    """With beta2 = 0.9, rho_t = 19 − 2t·0.9ᵗ/(1 − 0.9ᵗ) passes 5 at step 6: steps 1-5 are SGD with
    momentum, 6-9 the rectified Adam step."""
    beta2, t = 0.9, 6
    assert 2 / (1 - beta2) - 1 - 2 * t * beta2 ** t / (1 - beta2 ** t) > 5
    ours, theirs = _models()
    kwargs = dict(lr=0.03, betas=(0.8, beta2), weight_decay=0.05, decoupled_weight_decay=decoupled)
    _run(rng, ours, theirs, zg.optim.RAdam(ours.parameters(), **kwargs),
         torch.optim.RAdam(theirs.parameters(), **kwargs), steps=9)


def test_param_groups_with_own_lr(rng):
    ours, theirs = _models()
    opt = zg.optim.SGD([{"params": ours[0].parameters()}, {"params": ours[2].parameters(), "lr": 0.5}],
                       lr=0.05, momentum=0.9)
    topt = torch.optim.SGD([{"params": theirs[0].parameters()}, {"params": theirs[2].parameters(), "lr": 0.5}],
                           lr=0.05, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.5]
    _run(rng, ours, theirs, opt, topt)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop", "ASGD"])
def test_state_dict_resume_continues_the_same_trajectory(rng, name):
    kwargs = dict(lr=0.05, momentum=0.9) if name == "SGD" else dict(lr=0.01)
    ours, theirs = _models()
    opt = getattr(zg.optim, name)(ours.parameters(), **kwargs)
    topt = getattr(torch.optim, name)(theirs.parameters(), **kwargs)
    _run(rng, ours, theirs, opt, topt, steps=3)
    resumed = getattr(zg.optim, name)(ours.parameters(), lr=1.0)
    resumed.load_state_dict(opt.state_dict())
    assert resumed.param_groups[0]["lr"] == kwargs["lr"]
    saved = opt.state_dict()["state"][0]
    for key, value in resumed.state_dict()["state"][0].items():
        if isinstance(value, zg.Tensor):
            np.testing.assert_array_equal(to_numpy(value), to_numpy(saved[key]))
            assert value._data is not saved[key]._data
    _run(rng, ours, theirs, resumed, topt, steps=2)


@pytest.mark.parametrize("name", ["Adam", "Adamax", "NAdam", "RAdam", "Adadelta", "Rprop", "ASGD"])
def test_state_dict_layout_matches_torch(name):
    ours, theirs = _models()
    opt, topt = getattr(zg.optim, name)(ours.parameters()), getattr(torch.optim, name)(theirs.parameters())
    ours(zg.randn(2, 4)).sum().backward()
    theirs(torch.randn(2, 4)).sum().backward()
    opt.step()
    topt.step()
    mine, reference = opt.state_dict(), topt.state_dict()
    assert sorted(mine["state"]) == sorted(reference["state"])
    assert sorted(mine["state"][0]) == sorted(reference["state"][0])
    assert set(mine["param_groups"][0]) <= set(reference["param_groups"][0])  # PyTorch adds foreach etc.
    assert mine["param_groups"][0]["params"] == reference["param_groups"][0]["params"]


def test_load_state_dict_rejects_mismatched_groups():
    ours, _ = _models()
    opt = zg.optim.SGD(ours.parameters(), lr=0.1)
    small = zg.optim.SGD(ours[0].parameters(), lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict(small.state_dict())


def test_optimizer_argument_errors():
    ours, _ = _models()
    with pytest.raises(ValueError, match="empty parameter list"):
        zg.optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        zg.optim.SGD(ours.parameters(), lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta"):
        zg.optim.Adam(ours.parameters(), betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="more than one parameter group"):
        zg.optim.SGD([{"params": ours[0].parameters()}, {"params": ours[0].parameters()}], lr=0.1)


def test_step_updates_in_place_and_skips_missing_grads():
    layer = nn.Linear(3, 2)
    array = layer.weight._data
    before = to_numpy(layer.bias).copy()
    layer.weight.grad = zg.ones(2, 3)
    zg.optim.SGD(layer.parameters(), lr=0.5).step()
    assert layer.weight._data is array
    np.testing.assert_array_equal(to_numpy(layer.bias), before)


def test_closure_is_evaluated():
    weight = nn.Parameter(zg.tensor([1.0, -2.0]))
    opt = zg.optim.SGD([weight], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (weight * weight).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == pytest.approx(5.0)
    np.testing.assert_allclose(to_numpy(weight), [0.8, -1.6], rtol=1e-6)


def _lr_sequence(lib, make, epochs=12, lrs=(0.1, 0.03)):
    weights = [lib.zeros(2, requires_grad=True) for _ in lrs]
    if lib is zg:
        weights = [nn.Parameter(w) for w in weights]
    opt = lib.optim.SGD([{"params": [w], "lr": lr} for w, lr in zip(weights, lrs)], lr=1.0)
    scheduler = make(lib, opt)
    sequence = [scheduler.get_last_lr()]
    for _ in range(epochs):
        opt.step()
        scheduler.step()
        sequence.append(scheduler.get_last_lr())
    return sequence, scheduler


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5),
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=1),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=5),
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4, eta_min=0.001),
], ids=["step3", "step1", "cosine", "cosine-eta-min"])
def test_lr_schedules_match_torch(make):
    mine, _ = _lr_sequence(zg, make)
    reference, _ = _lr_sequence(torch, make)
    np.testing.assert_allclose(np.array(mine), np.array(reference), rtol=1e-12, atol=1e-15)


def test_scheduler_and_optimizer_state_dicts_resume_the_schedule():
    make = lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
    full, _ = _lr_sequence(zg, make, epochs=8)
    partial, scheduler = _lr_sequence(zg, make, epochs=3)
    state = scheduler.state_dict()
    assert "optimizer" not in state
    opt = zg.optim.SGD([{"params": [nn.Parameter(zg.zeros(2))]} for _ in range(2)], lr=1.0)
    opt.load_state_dict(scheduler.optimizer.state_dict())
    resumed = zg.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=6)
    resumed.load_state_dict(state)
    assert resumed.get_last_lr() == partial[-1]
    rest = []
    for _ in range(5):
        opt.step()
        resumed.step()
        rest.append(resumed.get_last_lr())
    np.testing.assert_allclose(np.array(rest), np.array(full[4:]), rtol=1e-12)
