"""Optimizers as a PyTorch user drives them: every option against torch.optim (hypothesis over the
options, parameters of awkward shapes, missing gradients, a tensor lr), the parameter groups'
keys, the argument checks, state, zero_grad and the step hooks."""

import importlib
import warnings

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy

torch = pytest.importorskip("torch")
from hypothesis import given, settings, strategies as st  # noqa: E402

SHAPES = [(3, 5), (1,), (), (7, 2)]
NAMES = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "Adagrad", "Adadelta", "RMSprop", "Rprop", "ASGD"]

#: Each optimizer's options, each with the values drawn for it.
OPTIONS = {
    "SGD": dict(lr=[0.1, 0.01], momentum=[0.0, 0.9], dampening=[0.0, 0.5], weight_decay=[0.0, 0.1],
                maximize=[False, True]),
    "Adam": dict(lr=[0.01], betas=[(0.9, 0.999), (0.5, 0.6)], weight_decay=[0.0, 0.1], amsgrad=[False, True],
                 maximize=[False, True], decoupled_weight_decay=[False, True]),
    "AdamW": dict(lr=[0.01], weight_decay=[0.0, 0.1], amsgrad=[False, True], maximize=[False, True]),
    "Adamax": dict(lr=[0.01], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "NAdam": dict(lr=[0.01], weight_decay=[0.0, 0.1], momentum_decay=[0.004, 0.1],
                  decoupled_weight_decay=[False, True], maximize=[False, True]),
    "RAdam": dict(lr=[0.01], betas=[(0.9, 0.999), (0.9, 0.9)], weight_decay=[0.0, 0.1],
                  decoupled_weight_decay=[False, True], maximize=[False, True]),
    "Adagrad": dict(lr=[0.1], lr_decay=[0.0, 0.1], weight_decay=[0.0, 0.1], initial_accumulator_value=[0.0, 0.5],
                    maximize=[False, True]),
    "Adadelta": dict(lr=[1.0, 0.5], rho=[0.9, 0.5], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "RMSprop": dict(lr=[0.01], alpha=[0.99, 0.5], weight_decay=[0.0, 0.1], momentum=[0.0, 0.9],
                    centered=[False, True], maximize=[False, True]),
    "Rprop": dict(lr=[0.01], etas=[(0.5, 1.2), (0.3, 1.5)], step_sizes=[(1e-6, 50), (1e-3, 0.02)],
                  maximize=[False, True]),
    "ASGD": dict(lr=[0.01], lambd=[1e-4, 0.1], t0=[1e6, 2.0], weight_decay=[0.0, 0.1], maximize=[False, True]),
}


@st.composite
def configurations(draw):
    name = draw(st.sampled_from(NAMES))
    kwargs = {option: draw(st.sampled_from(values)) for option, values in OPTIONS[name].items()}
    if name == "SGD" and kwargs["momentum"] and not kwargs["dampening"]:
        kwargs["nesterov"] = draw(st.booleans())
    kwargs["foreach"] = draw(st.sampled_from([None, False, True]))
    return name, kwargs, draw(st.booleans())


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(configurations())
def test_trajectories_match_torch_over_options(config):
    """Parameters of shapes 0-d, (1,), (3, 5) and a non-contiguous (7, 2) column slice; the
    (1,) one has no gradient every other step (it is skipped, its state untouched)."""
    name, kwargs, tensor_lr = config
    rng = np.random.default_rng(len(str(kwargs)))
    inits = [rng.standard_normal(s).astype(np.float32) for s in SHAPES]
    wide = rng.standard_normal((7, 4)).astype(np.float32)
    theirs = [torch.nn.Parameter(torch.tensor(a)) for a in inits[:3]]
    theirs.append(torch.tensor(wide)[:, ::2].requires_grad_())
    ours = [zg.nn.Parameter(zg.tensor(a)) for a in inits[:3]]
    ours.append(zg.tensor(wide)[:, ::2].detach().requires_grad_())
    t_kwargs, z_kwargs = dict(kwargs), dict(kwargs)
    if tensor_lr and not kwargs["foreach"]:  # (torch's Adam refuses a tensor lr with foreach=True)
        t_kwargs["lr"], z_kwargs["lr"] = torch.tensor(kwargs["lr"]), zg.tensor(kwargs["lr"])
    topt = getattr(torch.optim, name)(theirs, **t_kwargs)
    opt = getattr(zg.optim, name)(ours, **z_kwargs)
    for step in range(5):
        for i, (t, z) in enumerate(zip(theirs, ours)):
            if i == 1 and step % 2 == 0:
                t.grad, z.grad = None, None
            else:
                g = rng.standard_normal(t.shape).astype(np.float32)
                t.grad, z.grad = torch.tensor(g), zg.tensor(g)
        topt.step()
        opt.step()
        for i, (t, z) in enumerate(zip(theirs, ours)):
            np.testing.assert_allclose(to_numpy(z), t.detach().numpy(), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{name} {kwargs} parameter {i} after step {step}")
    mine, reference = opt.state_dict(), topt.state_dict()
    assert sorted(mine["state"]) == sorted(reference["state"])
    for index, values in reference["state"].items():
        assert sorted(mine["state"][index]) == sorted(values)


@pytest.mark.parametrize("name", NAMES + ["LBFGS"])
def test_param_groups_hold_torchs_options(name):
    """The same keys and values as torch's (the implementation switches included), and the same
    switches accepted: one torch's constructor does not take is a TypeError."""
    mine = getattr(zg.optim, name)([zg.nn.Parameter(zg.ones(2))])
    reference = getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))])
    theirs = {k: v for k, v in reference.param_groups[0].items() if k != "params"}
    ours = {k: v for k, v in mine.param_groups[0].items() if k != "params"}
    assert ours == theirs
    assert mine.defaults == reference.defaults
    for switch in ("foreach", "fused", "capturable"):
        try:
            getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], **{switch: False})
        except TypeError:
            with pytest.raises(TypeError, match=switch):
                getattr(zg.optim, name)([zg.nn.Parameter(zg.ones(2))], **{switch: False})
        else:
            opt = getattr(zg.optim, name)([zg.nn.Parameter(zg.ones(2))], **{switch: False})
            assert opt.param_groups[0][switch] is False


@pytest.mark.parametrize("name,kwargs,message", [
    ("Adam", dict(lr=float("nan")), "Invalid learning rate: nan"),
    ("RMSprop", dict(eps=float("nan")), "Invalid epsilon value: nan"),
    ("NAdam", dict(weight_decay=float("nan")), "Invalid weight_decay value: nan"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value: -1.0"),
    ("SGD", dict(lr=-1.0), "Invalid learning rate: -1.0"),
])
def test_invalid_options_raise_torchs_message(name, kwargs, message):
    for lib in (torch, zg):
        with pytest.raises(ValueError, match=message):
            getattr(lib.optim, name)([lib.nn.Parameter(lib.ones(2))], **kwargs)


def test_adam_decoupled_weight_decay_is_adamw_and_old_states_load():
    p = zg.nn.Parameter(zg.ones(3))
    adam = zg.optim.Adam([p], lr=0.1, weight_decay=0.5, decoupled_weight_decay=True)
    q = zg.nn.Parameter(zg.ones(3))
    adamw = zg.optim.AdamW([q], lr=0.1, weight_decay=0.5)
    for opt, param in ((adam, p), (adamw, q)):
        param.grad = zg.tensor([1.0, -2.0, 0.5])
        opt.step()
    np.testing.assert_array_equal(to_numpy(p), to_numpy(q))
    saved = adam.state_dict()
    for group in saved["param_groups"]:  # as saved before the option existed
        del group["decoupled_weight_decay"], group["foreach"], group["capturable"]
    adamw.load_state_dict(saved)
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True
    assert adamw.param_groups[0]["foreach"] is None


def test_state_is_a_defaultdict_and_sgd_without_momentum_keeps_none():
    for lib in (torch, zg):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        p.grad = lib.ones(2)
        opt.step()
        assert opt.state_dict()["state"] == {}
        assert opt.state[p] == {}


def test_zero_grad_without_set_to_none_zeroes_in_place():
    for lib in (torch, zg):
        p = lib.nn.Parameter(lib.ones(2))
        p.grad = lib.ones(2) * 3
        grad = p.grad
        lib.optim.SGD([p], lr=0.1).zero_grad(set_to_none=False)
        assert p.grad is grad
        assert grad.tolist() == [0.0, 0.0]


def test_duplicate_parameters_in_a_group_warn_like_torch():
    for lib in (torch, zg):
        p = lib.nn.Parameter(lib.ones(2))
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)
        with pytest.raises(ValueError, match="more than one parameter group"):
            lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


@pytest.mark.parametrize("name", ["SGD", "Adam", "LBFGS"])
def test_step_hooks_run_around_step_as_in_torch(name):
    """Pre-hooks see (optimizer, args, kwargs) and may replace the arguments; post-hooks run
    after; removed hooks no longer run."""
    logs = []
    for lib in (torch, zg):
        log = []
        p = lib.nn.Parameter(lib.ones(2))
        opt = getattr(lib.optim, name)([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            log.append("closure")
            return loss

        def pre(optimizer, args, kwargs):
            assert optimizer is opt and args[0] is opt
            log.append(("pre", len(args), sorted(kwargs)))
            return (opt,), {"closure": closure}

        pre_handle = opt.register_step_pre_hook(pre)
        post_handle = opt.register_step_post_hook(lambda o, args, kwargs: log.append(("post", sorted(kwargs))))
        opt.step() if name != "LBFGS" else opt.step(closure)
        pre_handle.remove()
        post_handle.remove()
        opt.step(closure)
        log.append(p.detach().tolist() if lib is torch else p.tolist())
        logs.append(log)
    assert logs[0][:4] == logs[1][:4]
    np.testing.assert_allclose(logs[1][-1], logs[0][-1], rtol=1e-6)


def test_scheduler_warns_when_stepped_before_the_optimizer():
    p = zg.nn.Parameter(zg.ones(2))
    opt = zg.optim.SGD([p], lr=0.1)
    scheduler = zg.optim.lr_scheduler.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        scheduler.step()
    opt = zg.optim.SGD([p], lr=0.1)
    scheduler = zg.optim.lr_scheduler.StepLR(opt, 2)
    p.grad = zg.ones(2)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()


def _custom_optimizer_run(lib):
    """An optimizer written as PyTorch's tutorials write one: its own step over param_groups."""

    class MomentumSGD(lib.optim.Optimizer):
        def __init__(self, params, lr=0.01, momentum=0.0):
            super().__init__(params, dict(lr=lr, momentum=momentum))

        @lib.no_grad()
        def step(self, closure=None):
            loss = None
            if closure is not None:
                with lib.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if "buf" not in state:
                        state["buf"] = p.grad.clone()
                    else:
                        state["buf"].mul_(group["momentum"]).add_(p.grad)
                    p.add_(state["buf"], alpha=-group["lr"])
            return loss

    w = lib.nn.Parameter(lib.tensor([1.0, -2.0, 3.0]))
    opt = MomentumSGD([w], lr=0.1, momentum=0.9)
    calls = []
    opt.register_step_post_hook(lambda *_: calls.append(1))
    scheduler = lib.optim.lr_scheduler.StepLR(opt, 2)
    for _ in range(4):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        scheduler.step()
    resumed = MomentumSGD([w], lr=0.5)
    resumed.load_state_dict(opt.state_dict())
    groups = [{k: v for k, v in g.items() if k != "params"} for g in resumed.param_groups]
    return w.tolist(), groups, sorted(opt.state_dict()["state"][0]), len(calls), repr(opt)


def test_a_custom_optimizer_with_its_own_step_works_as_in_torch():
    ours, theirs = _custom_optimizer_run(zg), _custom_optimizer_run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1:] == theirs[1:]


@pytest.mark.parametrize("kwargs", [dict(T_0=2.5), dict(T_0=2, T_mult=1.5), dict(T_0=2, eta_min="0")])
def test_warm_restarts_refuse_wrong_types_with_torchs_value_error(kwargs):
    for lib in (torch, zg):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1)
        with pytest.raises(ValueError):
            lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, **kwargs)


def test_step_with_an_epoch_warns_and_jumps_as_in_torch():
    results = []
    for lib in (torch, zg):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1)
        step, plateau = lib.optim.lr_scheduler.StepLR(opt, 2), lib.optim.lr_scheduler.ReduceLROnPlateau(opt)
        opt.step()
        with pytest.warns(UserWarning, match="epoch parameter"):
            step.step(5)
        with pytest.warns(UserWarning, match="epoch parameter"):
            plateau.step(1.0, 7)
        results.append((step.get_last_lr(), step.last_epoch, plateau.last_epoch))
    assert results[0][1:] == results[1][1:]
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)


def test_state_dict_hooks_run_and_replace_as_in_torch():
    logs = []
    for lib in (torch, zg):
        log = []
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.Adam([p], lr=0.1)
        p.grad = lib.ones(2)
        opt.step()

        def tag(optimizer, state_dict):
            log.append(("post", sorted(state_dict)))
            return {**state_dict, "extra": 1}

        def strip(optimizer, state_dict):
            log.append(("load-pre", sorted(state_dict)))
            state_dict = dict(state_dict)
            state_dict.pop("extra")
            state_dict["param_groups"] = [{**g, "lr": 0.5} for g in state_dict["param_groups"]]
            return state_dict

        opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
        handle = opt.register_state_dict_post_hook(tag)
        opt.register_state_dict_post_hook(lambda o, sd: log.append("first"), prepend=True)
        opt.register_load_state_dict_pre_hook(strip)
        opt.register_load_state_dict_post_hook(lambda o: log.append(("load-post", o.param_groups[0]["lr"])))
        saved = opt.state_dict()
        log.append(sorted(saved))
        opt.load_state_dict(saved)
        handle.remove()
        log.append(sorted(opt.state_dict()))
        logs.append(log)
    assert logs[1] == logs[0]


def test_global_step_hooks_run_for_every_optimizer():
    logs = []
    for lib in (torch, zg):
        log = []
        module = importlib.import_module(f"{lib.__name__}.optim.optimizer")
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1)
        opt.register_step_pre_hook(lambda o, args, kwargs: log.append("own pre"))
        opt.register_step_post_hook(lambda o, args, kwargs: log.append("own post"))
        handles = [module.register_optimizer_step_pre_hook(lambda o, args, kwargs: log.append(type(o).__name__)),
                   module.register_optimizer_step_post_hook(lambda o, args, kwargs: log.append("global post"))]
        try:
            opt.step()
            lib.optim.Adam([p]).step()
        finally:
            for handle in handles:
                handle.remove()
        opt.step()
        logs.append(log)
    assert logs[1] == logs[0]
