"""nn.init against torch.nn.init: gains, fans (and their errors), the laws each initialiser draws
from (moments and bounds on large tensors), the deterministic ones exactly, generator=, and the
old names without the underscore."""

import math

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn

torch = pytest.importorskip("torch")

NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                  "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu", "identity", "gelu", "conv4d"]


def _same_outcome(run):
    try:
        expected = run(torch.nn.init, torch)
    except Exception as error:  # noqa: BLE001 - compared with zengrad's exception
        with pytest.raises(next(c for c in type(error).__mro__ if c.__module__ == "builtins")):
            run(nn.init, zg)
        return
    assert run(nn.init, zg) == expected


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("param", [None, 0.2, 3, True, "x"])
def test_calculate_gain_matches_torch(nonlinearity, param):
    _same_outcome(lambda init, t: init.calculate_gain(nonlinearity, param))


@pytest.mark.parametrize("shape", [(3,), (0,), (4, 5), (0, 3), (2, 3, 0), (6, 2, 3, 5)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT", "fan_avg"])
def test_fans_match_torch(shape, mode):
    _same_outcome(lambda init, t: init._calculate_fan_in_and_fan_out(t.empty(*shape)))
    _same_outcome(lambda init, t: init._calculate_correct_fan(t.empty(*shape), mode))
    _same_outcome(lambda init, t: tuple(init.kaiming_uniform_(t.empty(*shape), mode=mode).shape))


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_normal_", "orthogonal_", "eye_",
                                  "dirac_", "sparse_"])
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)])
def test_initialisers_refuse_shapes_as_torch(name, shape):
    args = (0.5,) if name == "sparse_" else ()
    _same_outcome(lambda init, t: tuple(getattr(init, name)(t.ones(*shape), *args).shape))


LAWS = [("uniform_", (300, 200), {"a": -0.5, "b": 2}), ("normal_", (300, 200), {"mean": 1, "std": 3}),
        ("xavier_uniform_", (300, 100, 3), {"gain": 2}), ("xavier_normal_", (300, 101), {}),
        ("kaiming_uniform_", (300, 100, 3), {"a": 0.3, "mode": "fan_out"}),
        ("kaiming_normal_", (300, 97, 2), {"nonlinearity": "relu"}),
        ("trunc_normal_", (300, 200), {"mean": 0.5, "std": 2, "a": -1, "b": 1.5}),
        ("sparse_", (300, 200), {"sparsity": 0.3, "std": 0.5}), ("orthogonal_", (150, 401), {"gain": 1.5})]


@pytest.mark.parametrize("name, shape, settings", LAWS)
def test_initialisers_draw_from_torchs_laws(name, shape, settings):
    theirs = getattr(torch.nn.init, name)(torch.empty(*shape), **settings).numpy().astype(np.float64)
    ours = getattr(nn.init, name)(zg.empty(*shape), **settings).numpy().astype(np.float64)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.mean(), theirs.mean(), atol=0.03 * theirs.std() + 1e-9)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.03)
    if "uniform" in name or name == "trunc_normal_":  # the bounds are reached and respected
        np.testing.assert_allclose([ours.min(), ours.max()], [theirs.min(), theirs.max()], rtol=0.02, atol=1e-3)
    np.testing.assert_array_equal((ours == 0).sum(axis=0), (theirs == 0).sum(axis=0))  # sparse_: per column
    if name == "orthogonal_":
        rows = ours.reshape(shape[0], -1)
        np.testing.assert_allclose(rows @ rows.T, settings["gain"] ** 2 * np.eye(shape[0]), atol=1e-5)


@pytest.mark.parametrize("name, shape, settings", [("dirac_", (4, 2, 3), {"groups": 2}), ("dirac_", (6, 4, 3, 2), {"groups": 3}),
                                                   ("dirac_", (2, 5, 3, 2, 3), {}), ("eye_", (2, 5), {}), ("eye_", (4, 3), {}),
                                                   ("constant_", (2, 3), {"val": 3.5}), ("zeros_", (3,), {}), ("ones_", (2, 1), {})])
def test_deterministic_initialisers_equal_torchs(name, shape, settings):
    expected = getattr(torch.nn.init, name)(torch.empty(*shape), **settings).numpy()
    np.testing.assert_array_equal(getattr(nn.init, name)(zg.empty(*shape), **settings).numpy(), expected)


@pytest.mark.parametrize("name, args", [("uniform_", ()), ("normal_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
                                        ("kaiming_uniform_", ()), ("kaiming_normal_", ()), ("trunc_normal_", ()),
                                        ("orthogonal_", ()), ("sparse_", (0.4,))])
def test_generator_argument_repeats_the_draw(name, args):
    first, second = (getattr(nn.init, name)(zg.empty(7, 5), *args, generator=zg.Generator().manual_seed(3)) for _ in range(2))
    np.testing.assert_array_equal(first.numpy(), second.numpy())
    before = zg.get_rng_state()
    getattr(nn.init, name)(zg.empty(7, 5), *args, generator=zg.Generator().manual_seed(3))
    assert zg.get_rng_state() == before  # the global generator is left alone


def test_trunc_normal_far_in_a_tail_stays_in_bounds_and_returns():
    with pytest.warns(UserWarning, match="more than 2 std"):
        values = nn.init.trunc_normal_(zg.empty(50), a=10.0, b=11.0).numpy()
    assert ((values >= 10) & (values <= 11)).all()
    with pytest.raises(RuntimeError):
        nn.init.trunc_normal_(zg.empty(3), a=2.0, b=-2.0)


@pytest.mark.parametrize("old", ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                                 "kaiming_normal", "orthogonal", "sparse"])
def test_old_names_warn_and_initialise(old):
    args = (0.5,) if old in ("constant", "sparse") else ()
    with pytest.warns(FutureWarning, match=f"nn.init.{old} is now deprecated"):
        result = getattr(nn.init, old)(zg.empty(4, 3), *args)
    assert result.shape == (4, 3) and math.isfinite(float(result.numpy().sum()))
