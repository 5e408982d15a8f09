"""zengrad.nn.functional called the way PyTorch code calls torch.nn.functional: every parameter
name PyTorch's function has, in PyTorch's order (so positional calls mean the same); ``inplace=True``
and the in-place twins overwriting their input as PyTorch's do, gradients included; the losses'
deprecated ``size_average``/``reduce`` flags and per-element ``weight``; softmax's ``dtype`` and
implicit ``dim``."""

import inspect
import warnings

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

#: parameters of PyTorch's functional API that zengrad does not take, and why.
NOT_TAKEN = {
    "normalize": {"out"},  # zengrad has no out= arguments
}


def _parameters(fn):
    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):  # a builtin without a signature
        return None


@pytest.mark.parametrize("name", sorted(n for n in F.__all__ if hasattr(TF, n)))
def test_takes_pytorchs_parameters_in_pytorchs_order(name):
    theirs = _parameters(getattr(TF, name))
    if theirs is None:
        pytest.skip(f"torch.nn.functional.{name} has no Python signature")
    ours = _parameters(getattr(F, name))
    named = [n for n, p in theirs.items() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    missing = set(named) - set(ours) - NOT_TAKEN.get(name, set())
    assert not missing, f"F.{name} lacks PyTorch's parameters {sorted(missing)}"
    shared = [n for n in named if n in ours]
    assert [n for n in ours if n in shared] == shared, f"F.{name}: parameters in another order than PyTorch's"


ACTIVATIONS = [("relu", {}), ("leaky_relu", {"negative_slope": 0.2}), ("elu", {"alpha": 0.5}),
               ("celu", {"alpha": 2.0}), ("selu", {}), ("silu", {}), ("mish", {}), ("hardtanh", {"min_val": -2.0, "max_val": 1.5}),
               ("relu6", {}), ("hardsigmoid", {}), ("hardswish", {}), ("threshold", {"threshold": 0.5, "value": -1.0})]


def _activated(lib, functional, name, kwargs, inplace, x, weights):
    leaf = lib.tensor(x, requires_grad=True)
    input = leaf * 1.0  # a non-leaf: in-place on it is allowed and recorded
    out = getattr(functional, name)(input, **kwargs, inplace=True) if inplace else \
        getattr(functional, name)(input=input, **kwargs)
    (out * lib.tensor(weights)).sum().backward()
    return out, input, leaf.grad


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=[a for a, _ in ACTIVATIONS])
def test_activations_in_place_or_not_match_torch(rng, name, kwargs, inplace):
    x = (rng.standard_normal((3, 7)) * 4).astype(np.float32)
    x[0, :3] = [0.0, -0.0, 6.0]
    weights = rng.standard_normal((3, 7)).astype(np.float32)
    out, input, grad = _activated(zg, F, name, kwargs, inplace, x, weights)
    t_out, t_input, t_grad = _activated(torch, TF, name, kwargs, inplace, x, weights)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(input.detach().numpy(), t_input.detach().numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(grad.numpy(), t_grad.numpy(), rtol=1e-5, atol=1e-6)
    assert (out is input) == inplace


@pytest.mark.parametrize("name", ["relu_", "leaky_relu_", "elu_", "celu_", "selu_", "hardtanh_", "rrelu_"])
def test_in_place_twins_overwrite_and_refuse_a_leaf_that_requires_grad(rng, name):
    x = rng.standard_normal((2, 5)).astype(np.float32)
    ours, theirs = zg.tensor(x), torch.tensor(x)
    assert getattr(F, name)(ours) is ours
    getattr(TF, name)(theirs)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(zg.tensor(x, requires_grad=True))
    ours, theirs = zg.tensor(x), torch.tensor(x)
    assert F.threshold_(ours, 0.1, 2.0) is ours
    TF.threshold_(theirs, 0.1, 2.0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_dropout_in_place_keeps_the_tensor_and_scales_the_survivors():
    zg.manual_seed(0)
    ones = zg.ones(4000)
    assert F.dropout(ones, 0.25, training=True, inplace=True) is ones
    kept = ones.numpy()[ones.numpy() != 0]
    np.testing.assert_allclose(kept, 1 / 0.75, rtol=1e-6)
    assert 0.2 < 1 - kept.size / 4000 < 0.3
    maps = zg.ones(2, 6, 3, 3)
    assert F.dropout2d(maps, 0.5, True, True) is maps
    per_channel = maps.numpy().reshape(12, 9)
    assert all(len(set(row)) == 1 for row in per_channel)
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(zg.ones(3), bad)
        with pytest.raises(ValueError, match="between 0 and 1"):
            TF.dropout(torch.ones(3), bad)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4), (2, 1, 3, 2)])
def test_softmax_dtype_and_implicit_dim_as_torch(rng, name, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    for dim in (None, -1):
        with warnings.catch_warnings(record=True) as ours_warned:
            warnings.simplefilter("always")
            ours = getattr(F, name)(zg.tensor(x), dim, dtype=zg.float64)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            theirs = getattr(TF, name)(torch.tensor(x), dim, dtype=torch.float64)
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
        assert bool(ours_warned) == (dim is None)


LEGACY_FLAGS = [(None, False), (False, None), (False, True), (True, False), (None, True), (True, True)]


@pytest.mark.parametrize("size_average, reduce", LEGACY_FLAGS)
def test_losses_honour_the_deprecated_size_average_and_reduce(rng, size_average, reduce):
    x, y = rng.standard_normal((2, 5, 3)).astype(np.float32)
    probabilities = 1 / (1 + np.exp(-x))
    labels = rng.integers(0, 3, 5)
    flags = dict(size_average=size_average, reduce=reduce)
    calls = [
        ("mse_loss", (x, y)), ("l1_loss", (x, y)), ("smooth_l1_loss", (x, y)), ("soft_margin_loss", (x, np.sign(y))),
        ("binary_cross_entropy", (probabilities, (y > 0).astype(np.float32))),
        ("binary_cross_entropy_with_logits", (x, (y > 0).astype(np.float32))),
        ("nll_loss", (x, labels)), ("cross_entropy", (x, labels)), ("kl_div", (x, probabilities)),
        ("multi_margin_loss", (x, labels)), ("poisson_nll_loss", (x, np.abs(y))),
    ]
    for name, arrays in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = getattr(F, name)(*(zg.tensor(a) for a in arrays), **flags)
            theirs = getattr(TF, name)(*(torch.tensor(a) for a in arrays), **flags)
        assert ours.shape == tuple(theirs.shape), name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)
    with pytest.warns(UserWarning, match="deprecated"):
        F.mse_loss(zg.tensor(x), zg.tensor(y), reduce=False)


@pytest.mark.parametrize("size_average, reduce", LEGACY_FLAGS[:3])
def test_loss_modules_take_the_deprecated_flags_and_label_smoothing(rng, size_average, reduce):
    x = rng.standard_normal((6, 4)).astype(np.float32)
    labels = rng.integers(0, 4, 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = [(zg.nn.CrossEntropyLoss(None, size_average, 2, reduce),
                  torch.nn.CrossEntropyLoss(None, size_average, 2, reduce)),
                 (zg.nn.NLLLoss(None, size_average, -100, reduce), torch.nn.NLLLoss(None, size_average, -100, reduce)),
                 (zg.nn.L1Loss(size_average, reduce), torch.nn.L1Loss(size_average, reduce)),
                 (zg.nn.KLDivLoss(size_average, reduce), torch.nn.KLDivLoss(size_average, reduce))]
        for ours, theirs in pairs:
            target = labels if not isinstance(ours, (zg.nn.L1Loss, zg.nn.KLDivLoss)) else np.abs(x[::-1]).copy()
            np.testing.assert_allclose(ours(zg.tensor(x), zg.tensor(target)).numpy(),
                                       theirs(torch.tensor(x), torch.tensor(target)).numpy(), rtol=1e-5, atol=1e-6)
    smoothed = zg.nn.CrossEntropyLoss(label_smoothing=0.2, reduction="none")(zg.tensor(x), zg.tensor(labels))
    t_smoothed = torch.nn.CrossEntropyLoss(label_smoothing=0.2, reduction="none")(torch.tensor(x),
                                                                                  torch.tensor(labels))
    np.testing.assert_allclose(smoothed.numpy(), t_smoothed.numpy(), rtol=1e-5)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name, extra", [("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {"delta": 0.7})])
def test_per_element_weights_match_torch(rng, name, extra, reduction):
    x, y = rng.standard_normal((2, 4, 5))
    weight = rng.random((4, 5))
    ours_x = zg.tensor(x, requires_grad=True)
    theirs_x = torch.tensor(x, requires_grad=True)
    ours = getattr(F, name)(ours_x, zg.tensor(y), reduction=reduction, weight=zg.tensor(weight), **extra)
    theirs = getattr(TF, name)(theirs_x, torch.tensor(y), reduction=reduction, weight=torch.tensor(weight), **extra)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), theirs_x.grad.numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match=name):
        getattr(F, name)(zg.tensor(x), zg.tensor(y), weight=zg.tensor(weight[:1]), **extra)


MODULES = [("ReLU", ()), ("LeakyReLU", (0.2,)), ("ELU", (0.5,)), ("SELU", ()), ("CELU", (2.0,)), ("SiLU", ()),
           ("Mish", ()), ("Hardtanh", (-2.0, 1.5)), ("ReLU6", ()), ("Hardsigmoid", ()), ("Hardswish", ()),
           ("Threshold", (0.1, 20.0)), ("Dropout", (0.0,)), ("Dropout1d", (0.0,)), ("Dropout2d", (0.0,))]


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize("name, args", MODULES, ids=[m for m, _ in MODULES])
def test_activation_and_dropout_modules_take_inplace_as_torch(rng, name, args, inplace):
    x = (rng.standard_normal((2, 3, 4)) * 3).astype(np.float32)
    ours_module, theirs_module = getattr(zg.nn, name)(*args, inplace=inplace), getattr(torch.nn, name)(*args,
                                                                                                         inplace=inplace)
    assert repr(ours_module) == repr(theirs_module)
    ours, theirs = zg.tensor(x), torch.tensor(x)
    ours_out, theirs_out = ours_module(ours), theirs_module(theirs)
    np.testing.assert_allclose(ours_out.numpy(), theirs_out.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
    assert (ours_out is ours) == (theirs_out is theirs)


def test_layers_without_an_in_place_form_refuse_it():
    for lib in (zg, torch):
        with pytest.raises(TypeError):
            lib.nn.GELU(inplace=True)
