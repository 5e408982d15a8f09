"""zengrad.optim.lr_scheduler against torch.optim.lr_scheduler: the same optimizer and settings
driven side by side, lrs (and momentum / beta1) compared at every step; state_dict resumes; bad
arguments raise errors naming the scheduler."""

import copy
import math

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn

torch = pytest.importorskip("torch")

STEPS = 30


def _optimizer(lib, kind="sgd", lrs=(0.1, 0.03)):
    """An optimizer over two parameter groups with different lrs."""
    weights = [lib.zeros(3, requires_grad=True) for _ in lrs]
    if lib is zg:
        weights = [nn.Parameter(w) for w in weights]
    groups = [{"params": [w], "lr": lr} for w, lr in zip(weights, lrs)]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=1.0, betas=(0.9, 0.99))
    if kind == "plain":
        return lib.optim.SGD(groups, lr=1.0)
    return lib.optim.SGD(groups, lr=1.0, momentum=0.9)


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


def _drive(lib, make, kind="sgd", steps=STEPS, metrics=None):
    """(lr, optimizer lr, momentum) after construction and after every step."""
    opt = _optimizer(lib, kind)
    scheduler = make(lib.optim.lr_scheduler, opt)
    trace = []
    for step in range(steps + 1):
        trace.append((scheduler.get_last_lr(), [g["lr"] for g in opt.param_groups], _momenta(opt)))
        opt.step()
        if metrics is None:
            scheduler.step()
        else:
            scheduler.step(metrics[step])
    return trace


def _lambda(epoch):
    return 0.95 ** epoch


def _mult(epoch):
    return 0.9 if epoch % 3 else 1.05


SCHEDULES = {
    "multistep": (lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.5), "sgd"),
    "exponential": (lambda m, o: m.ExponentialLR(o, gamma=0.9), "sgd"),
    "lambda": (lambda m, o: m.LambdaLR(o, lr_lambda=_lambda), "sgd"),
    "lambda-per-group": (lambda m, o: m.LambdaLR(o, lr_lambda=[_lambda, lambda e: 1 / (e + 1)]), "sgd"),
    "multiplicative": (lambda m, o: m.MultiplicativeLR(o, lr_lambda=_mult), "sgd"),
    "linear": (lambda m, o: m.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=7), "sgd"),
    "linear-down": (lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=11), "sgd"),
    "constant": (lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4), "sgd"),
    "polynomial": (lambda m, o: m.PolynomialLR(o, total_iters=13, power=2.0), "sgd"),
    "warm-restarts": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=0.001), "sgd"),
    "warm-restarts-mult": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2), "sgd"),
    "onecycle-cos": (lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=STEPS + 1), "sgd"),
    "onecycle-linear-3phase": (lambda m, o: m.OneCycleLR(o, max_lr=0.4, epochs=4, steps_per_epoch=8,
                                                         anneal_strategy="linear", three_phase=True,
                                                         pct_start=0.25), "sgd"),
    "onecycle-adam": (lambda m, o: m.OneCycleLR(o, max_lr=0.01, total_steps=STEPS + 3, base_momentum=0.8,
                                                max_momentum=0.92, div_factor=10.0), "adam"),
    "onecycle-no-momentum": (lambda m, o: m.OneCycleLR(o, max_lr=0.3, total_steps=STEPS + 1,
                                                       cycle_momentum=False), "plain"),
    "cyclic-triangular": (lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4), "sgd"),
    "cyclic-triangular2": (lambda m, o: m.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3,
                                                   step_size_down=5, mode="triangular2"), "sgd"),
    "cyclic-exp-range": (lambda m, o: m.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=5, mode="exp_range",
                                                 gamma=0.97), "adam"),
    "cyclic-scale-fn": (lambda m, o: m.CyclicLR(o, base_lr=0.01, max_lr=0.05, step_size_up=2,
                                                scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations",
                                                cycle_momentum=False), "plain"),
    "sequential": (lambda m, o: m.SequentialLR(o, [m.LinearLR(o, start_factor=0.1, total_iters=5),
                                                   m.ExponentialLR(o, gamma=0.9),
                                                   m.CosineAnnealingLR(o, T_max=6)], milestones=[5, 15]), "sgd"),
    "sequential-restarts-multistep": (lambda m, o: m.SequentialLR(o, [m.ExponentialLR(o, gamma=0.8),
                                                                      m.MultiStepLR(o, [16, 20, 20], gamma=0.5)],
                                                                  milestones=[14]), "sgd"),
    "chained": (lambda m, o: m.ChainedScheduler([m.ConstantLR(o, factor=0.1, total_iters=10),
                                                 m.ExponentialLR(o, gamma=0.9),
                                                 m.MultiStepLR(o, milestones=[12], gamma=0.3)]), "sgd"),
    "step-and-cosine-chained": (lambda m, o: m.ChainedScheduler([m.StepLR(o, 4, gamma=0.7),
                                                                 m.CosineAnnealingLR(o, T_max=9)]), "sgd"),
}


def _assert_same_trace(mine, reference):
    for step, (ours, theirs) in enumerate(zip(mine, reference)):
        for what, a, b in zip(("get_last_lr", "group lr", "momentum"), ours, theirs):
            np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-10, atol=1e-15,
                                       err_msg=f"{what} at step {step}")


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedule_matches_torch_every_step(name):
    make, kind = SCHEDULES[name]
    _assert_same_trace(_drive(zg, make, kind), _drive(torch, make, kind))


PLATEAUS = {
    "min-rel": dict(mode="min", factor=0.5, patience=2),
    "max-abs-cooldown": dict(mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", cooldown=2),
    "min-abs-min-lr": dict(mode="min", factor=0.5, patience=0, threshold=0.01, threshold_mode="abs",
                           min_lr=[0.02, 0.001]),
    "max-rel-eps": dict(mode="max", factor=0.9, patience=3, threshold=0.1, eps=0.005),
}


@pytest.mark.parametrize("name", list(PLATEAUS))
def test_reduce_on_plateau_matches_torch(name):
    rng = np.random.default_rng(len(name))
    metrics = np.concatenate([np.linspace(1.0, 0.5, 6), 0.5 + 0.02 * rng.standard_normal(STEPS)]).tolist()
    make = lambda m, o: m.ReduceLROnPlateau(o, **PLATEAUS[name])  # noqa: E731
    mine, reference = _drive(zg, make, metrics=metrics), _drive(torch, make, metrics=metrics)
    _assert_same_trace(mine, reference)
    assert len({tuple(lr) for lr, _, _ in reference}) > 1, "the metrics never triggered a reduction"


def test_reduce_on_plateau_takes_a_tensor_metric():
    opt = _optimizer(zg)
    scheduler = zg.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    scheduler.step(zg.tensor(1.0))
    scheduler.step(zg.tensor(2.0))
    assert scheduler.get_last_lr() == pytest.approx([0.01, 0.003])


def test_warm_restarts_fractional_epochs_match_torch():
    traces = []
    for lib in (zg, torch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=3, eta_min=0.01)
        trace = []
        for epoch in np.arange(0, 12, 0.37):
            opt.step()
            scheduler.step(float(epoch))
            trace.append(scheduler.get_last_lr())
        traces.append(trace)
    np.testing.assert_allclose(np.array(traces[0]), np.array(traces[1]), rtol=1e-12)


def test_onecycle_stepping_past_total_steps_raises():
    opt = _optimizer(zg)
    scheduler = zg.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 4 times"):
        scheduler.step()


@pytest.mark.parametrize("name", ["multistep", "multiplicative", "linear", "polynomial", "warm-restarts-mult",
                                  "onecycle-cos", "onecycle-adam", "cyclic-triangular2", "cyclic-exp-range",
                                  "sequential", "sequential-restarts-multistep", "chained"])
def test_state_dict_resumes_identically(name, tmp_path):
    """Stop after 11 steps, save both states with zengrad.save, rebuild optimizer and scheduler,
    load both states: the rest matches."""
    make, kind = SCHEDULES[name]
    full = _drive(zg, make, kind)
    opt = _optimizer(zg, kind)
    scheduler = make(zg.optim.lr_scheduler, opt)
    for _ in range(11):
        opt.step()
        scheduler.step()
    assert "optimizer" not in scheduler.state_dict()
    zg.save({"optimizer": opt.state_dict(), "scheduler": scheduler.state_dict()}, tmp_path / "checkpoint")
    checkpoint = zg.load(tmp_path / "checkpoint")
    saved_opt, saved = checkpoint["optimizer"], checkpoint["scheduler"]
    fresh = _optimizer(zg, kind)
    resumed = make(zg.optim.lr_scheduler, fresh)
    fresh.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    rest = []
    for _ in range(11, STEPS + 1):
        rest.append((resumed.get_last_lr(), [g["lr"] for g in fresh.param_groups], _momenta(fresh)))
        fresh.step()
        resumed.step()
    _assert_same_trace(rest, full[11:])


def test_reduce_on_plateau_state_dict_resumes():
    metrics = [1.0, 0.9, 0.95, 0.97, 0.99, 0.99, 1.0, 1.2, 0.8, 0.85, 0.9, 0.91]
    make = lambda m, o: m.ReduceLROnPlateau(o, patience=1, cooldown=1)  # noqa: E731
    full = _drive(zg, make, metrics=metrics, steps=len(metrics) - 1)
    opt = _optimizer(zg)
    scheduler = make(zg.optim.lr_scheduler, opt)
    for m in metrics[:5]:
        scheduler.step(m)
    fresh = _optimizer(zg)
    resumed = make(zg.optim.lr_scheduler, fresh)
    fresh.load_state_dict(copy.deepcopy(opt.state_dict()))
    resumed.load_state_dict(copy.deepcopy(scheduler.state_dict()))
    rest = []
    for m in metrics[5:]:
        rest.append(resumed.get_last_lr())
        resumed.step(m)
    np.testing.assert_allclose(np.array(rest), np.array([lr for lr, _, _ in full[5:]]), rtol=1e-12)


def test_old_step_and_cosine_state_dicts_still_load():
    """A StepLR / CosineAnnealingLR state saved by the earlier scheduler (these keys only) resumes."""
    for make in (lambda m, o: m.StepLR(o, step_size=3, gamma=0.5), lambda m, o: m.CosineAnnealingLR(o, T_max=7)):
        full = _drive(zg, make, steps=12)
        opt = _optimizer(zg)
        scheduler = make(zg.optim.lr_scheduler, opt)
        for _ in range(4):
            scheduler.step()
        old_keys = {"base_lrs", "last_epoch", "_step_count", "_last_lr", "step_size", "gamma", "T_max", "eta_min"}
        saved = {k: v for k, v in scheduler.state_dict().items() if k in old_keys}
        fresh = _optimizer(zg)
        resumed = make(zg.optim.lr_scheduler, fresh)
        fresh.load_state_dict(opt.state_dict())
        resumed.load_state_dict(saved)
        for step in range(4, 12):
            assert resumed.get_last_lr() == pytest.approx(full[step][0], rel=1e-12)
            resumed.step()


def test_resuming_with_last_epoch_needs_initial_lr_like_torch():
    for lib in (zg, torch):
        with pytest.raises(KeyError, match="initial_lr"):
            lib.optim.lr_scheduler.ExponentialLR(_optimizer(lib), gamma=0.9, last_epoch=3)
    opts = [_optimizer(lib) for lib in (zg, torch)]
    for opt in opts:
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2
    lrs = []
    for lib, opt in zip((zg, torch), opts):
        scheduler = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9, last_epoch=3)
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-12)


BAD = [
    ("StepLR", lambda m, o: m.StepLR(o, step_size=0), ValueError),
    ("StepLR", lambda m, o: m.StepLR(o, step_size=2.5), TypeError),
    ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=3), TypeError),
    ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma="0.9"), TypeError),
    ("LambdaLR", lambda m, o: m.LambdaLR(o, lr_lambda=[_lambda]), ValueError),
    ("MultiplicativeLR", lambda m, o: m.MultiplicativeLR(o, lr_lambda=0.9), TypeError),
    ("LinearLR", lambda m, o: m.LinearLR(o, start_factor=0.0), ValueError),
    ("LinearLR", lambda m, o: m.LinearLR(o, end_factor=1.5), ValueError),
    ("ConstantLR", lambda m, o: m.ConstantLR(o, factor=2.0), ValueError),
    ("PolynomialLR", lambda m, o: m.PolynomialLR(o, total_iters=0), ValueError),
    ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=0), ValueError),
    ("CosineAnnealingWarmRestarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=0), ValueError),
    ("CosineAnnealingWarmRestarts", lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5), TypeError),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=0.1), ValueError),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"), ValueError),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5), ValueError),
    ("OneCycleLR", lambda m, o: m.OneCycleLR(o, max_lr=[0.1, 0.2, 0.3], total_steps=10), ValueError),
    ("CyclicLR", lambda m, o: m.CyclicLR(o, base_lr=0.1, max_lr=1.0, mode="sawtooth"), ValueError),
    ("ReduceLROnPlateau", lambda m, o: m.ReduceLROnPlateau(o, factor=1.5), ValueError),
    ("ReduceLROnPlateau", lambda m, o: m.ReduceLROnPlateau(o, mode="up"), ValueError),
    ("ReduceLROnPlateau", lambda m, o: m.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError),
    ("ReduceLROnPlateau", lambda m, o: m.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError),
    ("SequentialLR", lambda m, o: m.SequentialLR(o, [m.ExponentialLR(o, 0.9)], milestones=[3]), ValueError),
    ("SequentialLR", lambda m, o: m.SequentialLR(o, [], milestones=[]), ValueError),
    ("ChainedScheduler", lambda m, o: m.ChainedScheduler([m.ReduceLROnPlateau(o)]), ValueError),
]


@pytest.mark.parametrize("name,make,error", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_arguments_raise_naming_the_scheduler(name, make, error):
    with pytest.raises(error, match=name):
        make(zg.optim.lr_scheduler, _optimizer(zg))


def test_bad_optimizer_and_foreign_schedulers_are_refused():
    with pytest.raises(TypeError, match="StepLR: list is not an Optimizer"):
        zg.optim.lr_scheduler.StepLR([1, 2], step_size=2)
    m = zg.optim.lr_scheduler
    a, b = _optimizer(zg), _optimizer(zg)
    with pytest.raises(ValueError, match="ChainedScheduler: all schedulers must belong to the same optimizer"):
        m.ChainedScheduler([m.ExponentialLR(a, 0.9), m.ExponentialLR(b, 0.9)])
    with pytest.raises(ValueError, match="cycle_momentum needs an optimizer with momentum or betas"):
        m.OneCycleLR(zg.optim.Adagrad([nn.Parameter(zg.zeros(2))]), max_lr=0.1, total_steps=5)
    with pytest.raises(TypeError, match="ReduceLROnPlateau.step: metrics must be a number"):
        m.ReduceLROnPlateau(a).step("low")


def test_closed_forms_agree_with_the_chained_updates():
    """The closed form (used when SequentialLR restarts a schedule) equals the chained lr."""
    m = zg.optim.lr_scheduler
    makers = [lambda o: m.StepLR(o, 3, 0.5), lambda o: m.MultiStepLR(o, [2, 5, 5], 0.5),
              lambda o: m.ConstantLR(o, 0.3, 4), lambda o: m.LinearLR(o, 0.2, 0.8, 6),
              lambda o: m.ExponentialLR(o, 0.8), lambda o: m.PolynomialLR(o, 7, 1.5),
              lambda o: m.CosineAnnealingLR(o, 5, 0.01)]
    for make in makers:
        scheduler = make(_optimizer(zg, "plain"))
        for _ in range(12):
            scheduler.step()
            assert scheduler.get_last_lr() == pytest.approx(scheduler._closed_form_lr(), rel=1e-9), \
                f"{type(scheduler).__name__} at epoch {scheduler.last_epoch}"
        assert not math.isnan(scheduler.get_last_lr()[0])
