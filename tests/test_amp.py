"""Loss scaling (zengrad.amp.GradScaler) step for step against torch.amp.GradScaler on the CPU:
the scale, which steps are skipped when a gradient overflows, and the parameters; autocast's contract."""

import numpy as np
import pytest

import zengrad as zg

torch = pytest.importorskip("torch")


def test_grad_scaler_follows_pytorchs_scale_and_skips_the_same_steps():
    rng = np.random.default_rng(3)
    w0, x = rng.standard_normal((3, 2)).astype(np.float32), rng.standard_normal((5, 3)).astype(np.float32)
    ours_w, their_w = zg.tensor(w0, requires_grad=True), torch.tensor(w0, requires_grad=True)
    ours_opt, their_opt = zg.optim.SGD([ours_w], lr=0.1), torch.optim.SGD([their_w], lr=0.1)
    settings = dict(init_scale=2.0 ** 10, growth_factor=2.0, backoff_factor=0.25, growth_interval=2)
    ours, theirs = zg.amp.GradScaler("cpu", **settings), torch.amp.GradScaler("cpu", **settings)
    for step in range(9):
        overflow = step in (2, 5, 6)
        for module, w, opt, scaler in ((zg, ours_w, ours_opt, ours), (torch, their_w, their_opt, theirs)):
            opt.zero_grad()
            loss = (module.tensor(x) @ w).pow(2).mean() * (float("inf") if overflow else 1.0)
            scaler.scale(loss).backward()
            if step % 3 == 0:
                scaler.unscale_(opt)
            before = w.detach().numpy().copy()
            scaler.step(opt)
            assert np.array_equal(before, w.detach().numpy()) == overflow  # an overflowing step is skipped
            scaler.update()
        assert ours.get_scale() == theirs.get_scale()
        np.testing.assert_allclose(ours_w.detach().numpy(), their_w.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ours.state_dict() == {k: v for k, v in theirs.state_dict().items()}


def test_grad_scaler_refusals_and_disabled_scaler():
    w = zg.ones(2, requires_grad=True)
    opt = zg.optim.SGD([w], lr=0.1)
    scaler = zg.amp.GradScaler("cpu")
    scaler.scale(w.sum()).backward()
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
    with pytest.raises(AssertionError):
        zg.amp.GradScaler("cpu").update()
    with pytest.raises(ValueError):
        zg.amp.GradScaler("cpu", growth_factor=0.5)
    off = zg.amp.GradScaler("cpu", enabled=False)
    loss = w.sum()
    assert off.scale(loss) is loss and off.get_scale() == 1.0 and off.state_dict() == {}


def test_autocast_is_accepted_and_changes_no_dtype():
    x = zg.randn(2, 3)
    with pytest.warns(UserWarning, match="autocast"):
        with zg.autocast("cpu", dtype=zg.float16):
            assert zg.is_autocast_enabled()
            y = x @ x.T
    assert y.dtype == zg.float32 and not zg.is_autocast_enabled()

    @zg.amp.autocast("cpu")
    def f(t):
        return zg.is_autocast_enabled()
    assert f(x)
