"""load_state_dict checks everything before it changes anything (modules and optimizers), and an
optimizer refuses state saved by another optimizer type."""

import copy

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn


def _model():
    zg.manual_seed(5)
    return nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))


def _snapshot(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("key, bad", [
    ("1.num_batches_tracked", "seven"),           # a string for a 0-d buffer
    ("1.num_batches_tracked", None),
    ("1.num_batches_tracked", 2.7),               # a float would be truncated into the int64 counter
    ("1.running_mean", np.array(["a", "b"])),     # right shape, not numbers
    ("1.running_var", [[1.0], [2.0, 3.0]]),       # ragged
])
def test_module_refuses_a_bad_value_and_changes_nothing(key, bad):
    model = _model()
    before = _snapshot(model)
    state = {k: v + 1 if v.dtype.kind == "f" else v for k, v in model.state_dict().items()}
    state = {k: zg.tensor(v.numpy().copy()) for k, v in state.items()}
    state[key] = bad
    with pytest.raises(nn.StateDictError, match=key.split(".")[-1]):
        model.load_state_dict(state)
    after = _snapshot(model)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_module_still_loads_a_good_state_with_a_dtype_cast():
    model, other = _model(), nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    state = {k: (v.numpy().astype(np.float64) if v.dtype.kind == "f" else v.numpy()) for k, v in
             model.state_dict().items()}
    other.load_state_dict(state)
    for k, v in other.state_dict().items():
        assert v.dtype == model.state_dict()[k].dtype
        np.testing.assert_array_equal(v.numpy(), model.state_dict()[k].numpy())


def _trained(optimizer_class, **kwargs):
    model = _model()
    optimizer = optimizer_class(model.parameters(), **kwargs)
    for _ in range(2):
        optimizer.zero_grad()
        model(zg.randn(4, 3)).pow(2).sum().backward()
        optimizer.step()
    return model, optimizer


@pytest.mark.parametrize("source, target", [
    ((zg.optim.SGD, {"lr": 0.1, "momentum": 0.9}), (zg.optim.Adam, {})),
    ((zg.optim.Adam, {}), (zg.optim.SGD, {"lr": 0.1, "momentum": 0.9})),
])
def test_optimizer_refuses_state_of_another_type(source, target):
    _, saved = _trained(source[0], **source[1])
    model, optimizer = _trained(target[0], **target[1])
    before = copy.deepcopy(optimizer.state_dict())
    with pytest.raises(ValueError, match="another optimizer"):
        optimizer.load_state_dict(saved.state_dict())
    _assert_same_state(optimizer.state_dict(), before)


def _assert_same_state(now, before):
    assert [{k: v for k, v in g.items()} for g in now["param_groups"]] == before["param_groups"]
    for index, values in before["state"].items():
        for name, value in values.items():
            mine = now["state"][index][name]
            if isinstance(value, zg.Tensor):
                np.testing.assert_array_equal(mine.numpy(), value.numpy())
            else:
                assert mine == value


@pytest.mark.parametrize("corrupt", [
    lambda s: s["state"][1].__setitem__("exp_avg", zg.zeros(5)),                   # wrong shape
    lambda s: s["state"][1].__setitem__("exp_avg_sq", np.array(["x"] * 2)),        # not numbers
    lambda s: s["state"][1].__setitem__("step", "two"),                            # a string step
    lambda s: s["state"].__setitem__(9, {"step": 1}),                              # no such parameter
    lambda s: s["param_groups"][0].__setitem__("betas", (0.9,)),                   # wrong option kind
    lambda s: s["param_groups"][0].__setitem__("lr", "fast"),
    lambda s: s["param_groups"][0].__setitem__("params", [0, 0, 1, 2]),            # repeated index
])
def test_optimizer_checks_every_value_before_changing_anything(corrupt):
    _, saved = _trained(zg.optim.Adam, lr=0.01)
    model, optimizer = _trained(zg.optim.Adam, lr=0.5)
    before = copy.deepcopy(optimizer.state_dict())
    state = copy.deepcopy(saved.state_dict())
    corrupt(state)
    with pytest.raises(ValueError):
        optimizer.load_state_dict(state)
    _assert_same_state(optimizer.state_dict(), before)


def test_optimizer_refuses_a_non_dict():
    _, optimizer = _trained(zg.optim.SGD, lr=0.1)
    with pytest.raises(TypeError, match="expected a dict"):
        optimizer.load_state_dict([1, 2])
