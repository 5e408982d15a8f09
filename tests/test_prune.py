"""Pruning (zengrad.nn.utils.prune) against torch.nn.utils.prune: the same masks, state_dict keys
and values, forward outputs and masked gradients, composed pruning, global pruning, removal."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn.utils.prune as zp

torch = pytest.importorskip("torch")
import torch.nn.utils.prune as tp  # noqa: E402


def pair(name, *args):
    torch.manual_seed(0)
    theirs, ours = getattr(torch.nn, name)(*args), getattr(zg.nn, name)(*args)
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def same_state(ours, theirs):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), err_msg=key)


STEPS = [("l1", 0.3), ("l1", 3), ("ln", 1, 2, 0), ("ln", 0.5, 1, 1), ("ln", 1, float("inf"), 0), ("l1", 0.0)]


def test_composed_pruning_matches_pytorch_step_by_step():
    ours, theirs = pair("Linear", 6, 5)
    for step in STEPS:
        if step[0] == "l1":
            zp.l1_unstructured(ours, "weight", amount=step[1]), tp.l1_unstructured(theirs, "weight", amount=step[1])
        else:
            zp.ln_structured(ours, "weight", amount=step[1], n=step[2], dim=step[3])
            tp.ln_structured(theirs, "weight", amount=step[1], n=step[2], dim=step[3])
        same_state(ours, theirs)
        np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    x = np.random.default_rng(0).standard_normal((3, 6)).astype(np.float32)
    y, ty = ours(zg.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), atol=1e-6)
    y.sum().backward(), ty.sum().backward()
    np.testing.assert_allclose(ours.weight_orig.grad.numpy(), theirs.weight_orig.grad.numpy(), atol=1e-6)
    assert zp.is_pruned(ours) and [n for n, _ in ours.named_parameters()] == ["bias", "weight_orig"]
    original = ours.weight_orig
    zp.remove(ours, "weight"), tp.remove(theirs, "weight")
    same_state(ours, theirs)
    assert not zp.is_pruned(ours) and ours.weight is original


def test_global_custom_and_identity_pruning_match_pytorch():
    (linear, their_linear), (conv, their_conv) = pair("Linear", 4, 3), pair("Conv2d", 2, 3, 2)
    zp.global_unstructured([(linear, "weight"), (conv, "weight")], pruning_method=zp.L1Unstructured, amount=0.4)
    tp.global_unstructured([(their_linear, "weight"), (their_conv, "weight")], pruning_method=tp.L1Unstructured,
                           amount=0.4)
    same_state(linear, their_linear), same_state(conv, their_conv)
    zp.custom_from_mask(linear, "bias", zg.tensor([1.0, 0.0, 1.0]))
    tp.custom_from_mask(their_linear, "bias", torch.tensor([1.0, 0.0, 1.0]))
    zp.identity(conv, "bias"), tp.identity(their_conv, "bias")
    same_state(linear, their_linear), same_state(conv, their_conv)


def test_random_pruning_prunes_the_asked_amount():
    zg.manual_seed(0)
    layer = zg.nn.Linear(10, 10)
    zp.random_unstructured(layer, "weight", amount=0.3)
    assert int((layer.weight_mask == 0).sum()) == 30
    zp.random_structured(layer, "weight", amount=2, dim=0)
    assert int((layer.weight_mask.sum(1) == 0).sum()) >= 2
    assert float((layer.weight == 0).float().mean()) >= 0.3


@pytest.mark.parametrize("amount, error", [(-1, ValueError), (1.5, ValueError), ("x", TypeError), (5, ValueError)])
def test_bad_amounts_and_removing_what_was_not_pruned(amount, error):
    for module, prune in ((zg, zp), (torch, tp)):
        with pytest.raises(error):
            prune.l1_unstructured(module.nn.Linear(2, 2), "weight", amount=amount)
    with pytest.raises(ValueError, match="has to be pruned"):
        zp.remove(zg.nn.Linear(2, 2), "weight")
