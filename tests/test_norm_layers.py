"""InstanceNorm1d/2d, RMSNorm and the functional batch_norm / instance_norm / rms_norm against
PyTorch: outputs, input and parameter gradients, running statistics over several steps, the
evaluation mode, unbatched inputs, and errors that name the shapes."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
import zengrad.nn.functional as F
from torch_bridge import assert_close, assert_grads_match, load_from_torch

torch = pytest.importorskip("torch")


def _pair(rng, shape, dtype=np.float32):
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(dtype)
    return zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _steps(rng, ours, theirs, shape, steps=3, rtol=1e-4, atol=1e-5):
    """Forward and backward a few batches through both layers; outputs, input gradients,
    parameter gradients and buffers must agree after each."""
    for step in range(steps):
        x, tx = _pair(rng, shape)
        seed = rng.standard_normal(shape).astype(np.float32)
        out, tout = ours(x), theirs(tx)
        assert_close(out, tout, rtol, atol, what=f"output, step {step}")
        (out * zg.tensor(seed)).sum().backward()
        (tout * torch.tensor(seed)).sum().backward()
        assert_close(x.grad, tx.grad, rtol, atol, what=f"input gradient, step {step}")
        if list(theirs.parameters()):
            assert_grads_match(ours, theirs, rtol, atol)
        for name, buffer in theirs.named_buffers():
            assert_close(dict(ours.named_buffers())[name], buffer, rtol, atol, what=f"{name}, step {step}")


@pytest.mark.parametrize("layer, shape", [("InstanceNorm1d", (3, 4, 7)), ("InstanceNorm1d", (4, 5)),
                                          ("InstanceNorm2d", (2, 4, 3, 5)), ("InstanceNorm2d", (4, 1, 6))])
@pytest.mark.parametrize("options", [dict(), dict(affine=True), dict(track_running_stats=True, momentum=0.3),
                                     dict(affine=True, track_running_stats=True, momentum=None, eps=1e-3)])
def test_instance_norm_matches_torch_in_training_and_evaluation(rng, layer, shape, options):
    ours, theirs = getattr(nn, layer)(4, **options), getattr(torch.nn, layer)(4, **options)
    if options.get("affine"):
        with torch.no_grad():
            theirs.weight.normal_()
            theirs.bias.normal_()
    load_from_torch(ours, theirs)
    _steps(rng, ours, theirs, shape)
    ours.eval()
    theirs.eval()
    _steps(rng, ours, theirs, shape, steps=1)


@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 7), (4, 3, 2, 2), (2, 3, 1)])
@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm_matches_torch(rng, shape, training):
    x, tx = _pair(rng, shape)
    mean, var = rng.standard_normal(3).astype(np.float32), rng.random(3).astype(np.float32) + 0.5
    weight, tweight = _pair(rng, (3,))
    bias, tbias = _pair(rng, (3,))
    running = [zg.tensor(mean.copy()), zg.tensor(var.copy())]
    trunning = [torch.tensor(mean.copy()), torch.tensor(var.copy())]
    out = F.batch_norm(x, *running, weight, bias, training=training, momentum=0.2, eps=1e-4)
    tout = torch.nn.functional.batch_norm(tx, *trunning, tweight, tbias, training=training, momentum=0.2, eps=1e-4)
    assert_close(out, tout, 1e-4, 1e-5, what="output")
    seed = rng.standard_normal(shape).astype(np.float32)
    (out * zg.tensor(seed)).sum().backward()
    (tout * torch.tensor(seed)).sum().backward()
    for mine, reference, what in ((x, tx, "x"), (weight, tweight, "weight"), (bias, tbias, "bias")):
        assert_close(mine.grad, reference.grad, 1e-4, 1e-5, what=f"gradient of {what}")
    for mine, reference in zip(running, trunning):
        assert_close(mine, reference, 1e-5, 1e-6, what="running statistics")


def test_functional_instance_norm_updates_running_statistics_like_torch(rng):
    x, tx = _pair(rng, (3, 2, 5))
    running, trunning = [zg.zeros(2), zg.ones(2)], [torch.zeros(2), torch.ones(2)]
    out = F.instance_norm(x, *running, momentum=0.5)
    tout = torch.nn.functional.instance_norm(tx, *trunning, momentum=0.5)
    assert_close(out, tout, 1e-4, 1e-5, what="output")
    for mine, reference in zip(running, trunning):
        assert_close(mine, reference, 1e-5, 1e-6, what="running statistics")
    evaluated = F.instance_norm(x, *running, use_input_stats=False)
    assert_close(evaluated, torch.nn.functional.instance_norm(tx, *trunning, use_input_stats=False), 1e-5, 1e-6)


@pytest.mark.parametrize("shape, normalized", [((4, 6), (6,)), ((2, 3, 5), (3, 5)), ((7,), 7), ((2, 1), (1,))])
@pytest.mark.parametrize("dtype, eps", [(np.float32, None), (np.float64, 1e-3)])
def test_rms_norm_matches_torch(rng, shape, normalized, dtype, eps):
    ours = nn.RMSNorm(normalized, eps=eps, dtype=dtype)
    theirs = torch.nn.RMSNorm(normalized, eps=eps, dtype=torch.float32 if dtype == np.float32 else torch.float64)
    with torch.no_grad():
        theirs.weight.normal_()
    load_from_torch(ours, theirs)
    x, tx = _pair(rng, shape, dtype)
    out, tout = ours(x), theirs(tx)
    assert_close(out, tout, 1e-5, 1e-6, what="output")
    seed = rng.standard_normal(shape).astype(dtype)
    (out * zg.tensor(seed)).sum().backward()
    (tout * torch.tensor(seed)).sum().backward()
    assert_close(x.grad, tx.grad, 1e-4, 1e-5, what="input gradient")
    assert_grads_match(ours, theirs, 1e-4, 1e-5)
    as_tuple = (normalized,) if isinstance(normalized, int) else normalized
    plain = F.rms_norm(x.detach(), as_tuple)
    assert_close(plain, torch.nn.functional.rms_norm(tx.detach(), as_tuple), 1e-5, 1e-6)


def test_rms_norm_gradient_by_finite_differences(rng):
    x = zg.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    weight = zg.tensor(rng.standard_normal(4), requires_grad=True)
    assert zg.autograd.gradcheck(lambda a, w: F.rms_norm(a, (4,), w, eps=1e-3), (x, weight))


def test_normalization_errors_name_the_shapes(rng):
    with pytest.raises(ValueError, match=r"rms_norm.*\(2, 3\).*\(4,\)"):
        F.rms_norm(zg.ones(2, 3), (4,))
    with pytest.raises(ValueError, match=r"rms_norm: weight of shape \(2,\)"):
        F.rms_norm(zg.ones(2, 3), (3,), zg.ones(2))
    with pytest.raises(ValueError, match=r"batch_norm: running_mean has shape \(2,\).*\(4, 3\)"):
        F.batch_norm(zg.ones(4, 3), zg.zeros(2), zg.ones(3), training=True)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        F.batch_norm(zg.ones(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="must be given"):
        F.batch_norm(zg.ones(4, 3), None, None, training=False)
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(zg.ones(2, 3, 1))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.InstanceNorm1d(3)(zg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"num_features \(3\), but got: 4"):
        nn.InstanceNorm2d(3, affine=True)(zg.ones(2, 4, 3, 3))
    with pytest.warns(UserWarning, match="num_features"):
        nn.InstanceNorm2d(3)(zg.ones(2, 4, 3, 3))


def test_batch_norm_layer_keeps_its_count_when_the_batch_is_refused():
    layer = nn.BatchNorm1d(3, momentum=None)
    with pytest.raises(ValueError):
        layer(zg.ones(1, 3))
    assert int(layer.num_batches_tracked.item()) == 0
