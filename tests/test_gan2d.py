"""The 2-D mode-collapse benchmark: the mixtures, VEEGAN's judge on hand-made samples, and each
remedy changing the update the way its paper says (checked against PyTorch where a gradient is
involved), a short run that writes its artifacts and resumes, and the CLI entry."""

import json

import numpy as np
import pytest

import zengrad as zg
from zengrad import optim
from zengrad.cli import main
from zengrad.models import gan2d
from zengrad.models.run import RunOptions
from torch_bridge import assert_close, load_from_torch

SMALL = dict(batch_size=7, latent_dim=3, hidden=5)


def test_mixtures_have_the_papers_geometry():
    ring, sigma_ring = gan2d.mixture("ring")
    assert ring.shape == (8, 2) and sigma_ring == 0.02
    np.testing.assert_allclose(np.linalg.norm(ring, axis=1), 2.0)
    angles = np.sort(np.mod(np.arctan2(ring[:, 1], ring[:, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), np.pi / 4)
    grid, sigma_grid = gan2d.mixture("grid")
    assert grid.shape == (25, 2) and sigma_grid == 0.05
    assert sorted(set(grid[:, 0])) == sorted(set(grid[:, 1])) == [-4, -2, 0, 2, 4]
    with pytest.raises(ValueError, match="modes must be one of"):
        gan2d.mixture("spiral")


def test_samples_of_the_mixture_sit_near_its_modes():
    centres, sigma = gan2d.mixture("grid")
    points = gan2d.sample_mixture(centres, sigma, 20_000, np.random.default_rng(3))
    verdict = gan2d.judge(points, centres, sigma)
    assert verdict["modes_covered"] == 25
    # P(‖N(0, σ²I₂)‖ ≤ 3σ) = 1 − e^{−9/2} ≈ 0.98889 (a chi distribution with 2 degrees of freedom)
    assert abs(verdict["high_quality_fraction"] - (1 - np.exp(-4.5))) < 0.004


def test_judge_on_hand_made_samples():
    centres, sigma = gan2d.mixture("ring")
    inside = centres[0] + [2.9 * sigma, 0.0]         # within 3σ of mode 0
    outside = centres[1] + [0.0, 3.1 * sigma]        # just outside mode 1
    between = (centres[2] + centres[3]) / 2          # far from every mode
    samples = np.stack([inside, inside, outside, between, centres[5]])
    verdict = gan2d.judge(samples, centres, sigma)
    assert verdict["modes_covered"] == 2                         # modes 0 and 5
    assert verdict["high_quality_fraction"] == pytest.approx(3 / 5)
    assert verdict["high_quality_per_mode"] == [2, 0, 0, 0, 0, 1, 0, 0]
    collapsed = np.repeat(centres[:1], 100, axis=0)
    assert gan2d.judge(collapsed, centres, sigma)["modes_covered"] == 1
    for bad in (np.zeros((0, 2)), np.zeros((3, 3)), np.zeros(4)):
        with pytest.raises(ValueError, match="gan2d judge"):
            gan2d.judge(bad, centres, sigma)


@pytest.mark.parametrize("modes", ["ring", "grid"])
def test_chance_level_matches_the_area_of_the_discs(modes):
    centres, sigma = gan2d.mixture(modes)
    count = 200_000
    level = gan2d.chance_level(centres, sigma, count=count, seed=5)
    side = 2 * gan2d.half_side(centres)
    per_mode = np.pi * (3 * sigma) ** 2 / side ** 2          # every disc lies inside the square
    expected = len(centres) * per_mode
    assert abs(level["high_quality_fraction"] - expected) < 4 * np.sqrt(expected / count)
    hits = np.asarray(level["high_quality_per_mode"])
    assert np.all(np.abs(hits - count * per_mode) < 5 * np.sqrt(count * per_mode))
    assert gan2d.chance_level(centres, sigma, seed=1) == gan2d.chance_level(centres, sigma, seed=1)


def _batch_source(setup, seed=0):
    rng = np.random.default_rng(seed)
    centres, sigma = gan2d.mixture(setup.modes)
    noise = [rng.standard_normal((setup.batch_size, setup.latent_dim)).astype(np.float32) for _ in range(20)]
    real = [gan2d.sample_mixture(centres, sigma, setup.batch_size, rng) for _ in range(20)]
    pairs = iter(list(zip(real, noise)))

    def batch():
        r, z = next(pairs)
        return zg.tensor(r), zg.tensor(z)
    return batch


def _parameters(nets):
    return [p.detach().numpy().copy() for net in nets[:2] for p in net.parameters()]


def _one_step(setup, seed=0):
    zg.manual_seed(seed)
    nets = gan2d.build(setup)
    before = _parameters(nets)
    gan2d.train_step(setup, nets, _batch_source(setup, seed))
    return before, _parameters(nets)


def test_unrolled_with_zero_steps_is_the_plain_step():
    plain_before, plain = _one_step(gan2d.Setup(remedy="none", **SMALL))
    unrolled_before, unrolled = _one_step(gan2d.Setup(remedy="unrolled", unroll_steps=0, **SMALL))
    for a, b in zip(plain_before, unrolled_before):
        np.testing.assert_array_equal(a, b)
    for a, b, start in zip(plain, unrolled, plain_before):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, start)
    _, looked_ahead = _one_step(gan2d.Setup(remedy="unrolled", unroll_steps=2, **SMALL))
    generator_count = 6
    assert any(not np.allclose(a, b) for a, b in zip(plain[:generator_count], looked_ahead[:generator_count]))


def test_functional_adam_matches_the_optimizer():
    rng = np.random.default_rng(0)
    start = rng.standard_normal((4, 3)).astype(np.float32)
    grads = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(4)]
    grads[1][0] = 0.0                                       # a dead unit: g = 0, v stays 0 there
    param = zg.tensor(start.copy(), requires_grad=True)
    optimizer = optim.Adam([param], lr=0.01, betas=(0.5, 0.999))
    theta = zg.tensor(start.copy())
    moments = [(zg.zeros(4, 3), zg.zeros(4, 3))]
    for step, g in enumerate(grads, start=1):
        param.grad = zg.tensor(g)
        optimizer.step()
        (theta,), moments = gan2d.adam_update([theta], [zg.tensor(g)], moments, step, 0.01, (0.5, 0.999), 1e-8)
        np.testing.assert_allclose(theta.numpy(), param.detach().numpy(), rtol=1e-6, atol=1e-7)
    carried, step = gan2d.adam_moments(optimizer, [param])
    assert step == 4
    np.testing.assert_array_equal(carried[0][1].numpy(), optimizer.state[param]["exp_avg_sq"].numpy())


def _torch_unrolled_generator_grads(torch, generator, discriminator, real, noise, steps, lr, differentiable):
    """The unrolled surrogate's gradient for G, computed independently with PyTorch."""
    functional = torch.nn.functional
    fake = generator(torch.tensor(noise))
    params = list(discriminator.parameters())

    def forward(ps, x):
        return functional.linear(functional.linear(x, ps[0], ps[1]).relu(), ps[2], ps[3])

    def bce(logits, target):
        return functional.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))

    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    inner_fake = fake if differentiable else fake.detach()
    for t in range(1, steps + 1):
        loss = bce(forward(params, torch.tensor(real)), 1.0) + bce(forward(params, inner_fake), 0.0)
        grads = torch.autograd.grad(loss, params, create_graph=differentiable)
        updated = []
        for i, (p, g) in enumerate(zip(params, grads)):
            m, v = moments[i]
            m, v = 0.5 * m + 0.5 * g, 0.999 * v + 0.001 * g * g
            moments[i] = (m, v)
            updated.append(p - lr / (1 - 0.5 ** t) * m / (v / (1 - 0.999 ** t) + 1e-16).sqrt())
        params = updated if differentiable else [p.detach().requires_grad_() for p in updated]
    loss_g = bce(forward(params, fake), 1.0)
    return torch.autograd.grad(loss_g, list(generator.parameters()))


@pytest.mark.parametrize("differentiable", [True, False])
def test_unrolled_generator_gradient_matches_torch(differentiable):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    setup = gan2d.Setup(remedy="unrolled", **SMALL)
    their_g = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 5), torch.nn.ReLU(),
                                  torch.nn.Linear(5, 2))
    their_d = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1))
    generator, discriminator, _, _ = gan2d.build(setup)
    load_from_torch(generator, their_g)
    load_from_torch(discriminator, their_d)
    opt_d = optim.Adam(discriminator.parameters(), lr=0.05, betas=(0.5, 0.999))
    real_source = _batch_source(setup, 5)
    real, noise = real_source()
    fake = generator(noise)
    params = gan2d.unrolled_parameters(discriminator, opt_d, real, fake, 3, differentiable)
    gan2d.generator_loss(gan2d.functional_forward(discriminator, params, fake)).backward()
    expected = _torch_unrolled_generator_grads(torch, their_g, their_d, real.numpy(), noise.numpy(), 3, 0.05,
                                               differentiable)
    for mine, reference in zip(generator.parameters(), expected):
        assert_close(mine.grad, reference, rtol=2e-3, atol=2e-5)


def test_full_and_cheap_unrolling_give_different_generator_gradients():
    setup = gan2d.Setup(remedy="unrolled", **SMALL)
    gradients = []
    for differentiable in (True, False):
        zg.manual_seed(1)
        generator, discriminator, _, _ = gan2d.build(setup)
        opt_d = optim.Adam(discriminator.parameters(), lr=0.05, betas=(0.5, 0.999))
        real, noise = _batch_source(setup, 2)()
        fake = generator(noise)
        params = gan2d.unrolled_parameters(discriminator, opt_d, real, fake, 3, differentiable)
        gan2d.generator_loss(gan2d.functional_forward(discriminator, params, fake)).backward()
        gradients.append(np.concatenate([p.grad.numpy().ravel() for p in generator.parameters()]))
    assert np.abs(gradients[0] - gradients[1]).max() > 1e-3 * np.abs(gradients[1]).max()


def test_ttur_rates_reach_the_two_optimizers():
    setup = gan2d.Setup(remedy="ttur", **SMALL)
    assert setup.discriminator_lr == pytest.approx(4e-3)
    before, after = _one_step(setup)
    _, _, opt_g, opt_d = gan2d.build(setup)
    assert opt_g.param_groups[0]["lr"] == pytest.approx(1e-3) and opt_d.param_groups[0]["lr"] == pytest.approx(4e-3)
    # Adam's first step moves every parameter with a gradient by lr·g/(|g| + eps) ≈ lr
    generator_moves = np.concatenate([np.abs(a - b).ravel() for a, b in zip(after[:6], before[:6])])
    discriminator_moves = np.concatenate([np.abs(a - b).ravel() for a, b in zip(after[6:], before[6:])])
    assert generator_moves.max() == pytest.approx(1e-3, rel=1e-2)
    assert discriminator_moves.max() == pytest.approx(4e-3, rel=1e-2)
    plain = gan2d.Setup(remedy="none", lr_g=3e-4, **SMALL)
    assert plain.discriminator_lr == pytest.approx(3e-4)


def test_mode_seeking_term_adds_its_gradient_to_the_generator():
    torch = pytest.importorskip("torch")
    setup = gan2d.Setup(remedy="diversity", diversity_weight=0.7, **SMALL)
    zg.manual_seed(4)
    generator, discriminator, _, _ = gan2d.build(setup)
    real, noise = _batch_source(setup, 4)()
    fake = generator(noise)
    plain = gan2d.generator_loss(discriminator(fake))
    total = plain + 0.7 * gan2d.mode_seeking_penalty(noise, fake)
    params = list(generator.parameters())
    with_term = zg.autograd.grad(total, params, retain_graph=True)
    without = zg.autograd.grad(plain, params)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 5), torch.nn.ReLU(),
                                 torch.nn.Linear(5, 2))
    theirs.load_state_dict({k: torch.tensor(v.detach().numpy()) for k, v in generator.state_dict().items()})
    z = torch.tensor(noise.numpy())
    out = theirs(z)
    half = 3                                   # a batch of 7: rows 0-2 against rows 3-5, row 6 unused
    ratio = (out[:half] - out[half:2 * half]).abs().mean() / (z[:half] - z[half:2 * half]).abs().mean()
    term = torch.autograd.grad(0.7 / (ratio + 1e-5), list(theirs.parameters()))
    scale = max(float(np.abs(t.numpy()).max()) for t in term)
    for a, b, expected in zip(with_term, without, term):   # float32 sums: compare to the term's scale
        assert_close(a.numpy() - b.numpy(), expected, rtol=1e-3, atol=1e-4 * scale)
    assert any(np.abs(t.numpy()).max() > 1e-4 for t in term)
    with pytest.raises(ValueError, match="at least 2"):
        gan2d.mode_seeking_penalty(noise[:1], fake[:1])


def test_sn_and_gp_remedies_change_the_discriminator():
    _, _, _, opt = gan2d.build(gan2d.Setup(remedy="gp", **SMALL))
    assert opt.param_groups[0]["betas"] == (0.5, 0.9)
    _, discriminator, _, _ = gan2d.build(gan2d.Setup(remedy="sn", **SMALL))
    assert {"0.weight_orig", "0.weight_u", "2.weight_orig"} <= set(discriminator.state_dict())
    gp_setup = gan2d.Setup(remedy="gp", n_critic=3, **SMALL)
    zg.manual_seed(0)
    nets = gan2d.build(gp_setup)
    calls = []
    source = _batch_source(gp_setup)

    def counting():
        calls.append(1)
        return source()
    gan2d.train_step(gp_setup, nets, counting)
    assert len(calls) == 3                     # n_critic fresh batches per generator step


@pytest.mark.parametrize("bad", [dict(remedy="dropout"), dict(unroll_steps=-1), dict(batch_size=1), dict(modes="x")])
def test_bad_setups_are_refused(bad):
    with pytest.raises(ValueError, match="gan2d"):
        gan2d.Setup(**bad)


def test_short_run_writes_artifacts_and_resumes(tmp_path):
    options = RunOptions(epochs=1, out=str(tmp_path), progress=False)
    metrics = gan2d.train(options, modes="grid", remedy="unrolled", unroll_steps="1", snapshot_every=1,
                          batch_size=16, latent_dim=4, hidden=8)
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["run"]["model"] == "gan2d" and saved["modes"] == 25 and saved["run"]["steps"] == 100
    assert 0 <= metrics["modes_covered"] <= 25 and 0 <= metrics["high_quality_fraction"] <= 1
    assert (tmp_path / "samples_over_time.png").stat().st_size > 5000
    options.epochs, options.resume = 2, True
    gan2d.train(options, modes="grid", remedy="unrolled", unroll_steps="1", snapshot_every=1,
                batch_size=16, latent_dim=4, hidden=8)
    assert zg.load(tmp_path / "checkpoint.zg")["epoch"] == 1
    with pytest.raises(ValueError, match="was made with"):
        gan2d.train(RunOptions(epochs=3, out=str(tmp_path), progress=False, resume=True), modes="ring",
                    batch_size=16, latent_dim=4, hidden=8)
    with pytest.raises(ValueError, match="unroll_grad"):
        gan2d.train(options, unroll_grad="half")


def test_cli_flags_reach_the_trainer(monkeypatch, tmp_path):
    seen = {}
    monkeypatch.setattr(gan2d, "train", lambda options, **settings: seen.update(settings) or {"run": {}})
    from zengrad.models import TRAINERS
    import dataclasses
    monkeypatch.setitem(TRAINERS, "gan2d", dataclasses.replace(TRAINERS["gan2d"], train=gan2d.train))
    assert main(["train", "gan2d", "--modes", "grid", "--remedy", "unrolled", "--unroll-steps", "3",
                 "--unroll-grad", "cheap", "--out", str(tmp_path), "--quiet"]) == 0
    assert seen == {"modes": "grid", "remedy": "unrolled", "unroll_steps": "3", "unroll_grad": "cheap"}
