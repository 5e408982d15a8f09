"""EmbeddingBag / F.embedding_bag against PyTorch: every mode, 2-D input, 1-D input with offsets
(empty bags, include_last_offset), padding_idx, per_sample_weights; values and weight gradients."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from torch_bridge import assert_close

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("case", ["2d", "offsets", "last_offset", "padding", "sample_weights"])
def test_embedding_bag_matches_torch(rng, mode, case):
    if case == "sample_weights" and mode != "sum":
        pytest.skip("per_sample_weights exist only for mode='sum' (in PyTorch too)")
    weight = rng.standard_normal((11, 4))
    options = {}
    if case == "2d":
        ids, offsets = rng.integers(0, 11, (3, 5)), None
    else:
        ids = rng.integers(0, 11, 13)
        offsets = np.array([0, 3, 3, 8, 13]) if case == "last_offset" else np.array([0, 3, 3, 8])
    if case == "last_offset":
        options["include_last_offset"] = True
    if case == "padding":
        options["padding_idx"] = int(ids[0])
    samples = rng.standard_normal(ids.shape) if case == "sample_weights" else None
    mine, theirs = zg.tensor(weight, requires_grad=True), torch.tensor(weight, requires_grad=True)

    def call(lib, w):
        wrap = zg.tensor if lib is zg else torch.tensor
        return lib.nn.functional.embedding_bag(wrap(ids), w, None if offsets is None else wrap(offsets), mode=mode,
                                               per_sample_weights=None if samples is None else wrap(samples), **options)

    out, expected = call(zg, mine), call(torch, theirs)
    assert_close(out, expected, 1e-12, 1e-12, what="bags")
    seed = rng.standard_normal(tuple(expected.shape))
    (out * zg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    assert_close(mine.grad, theirs.grad, 1e-12, 1e-12, what="weight gradient")


def test_embedding_bag_module_and_errors():
    bag = nn.EmbeddingBag(6, 3, mode="sum", padding_idx=0)
    assert float(bag.weight._data[0].sum()) == 0.0
    assert bag(zg.tensor([[1, 2], [0, 0]])).shape == (2, 3)
    with pytest.raises(ValueError, match="offsets must be None"):
        bag(zg.tensor([[1, 2]]), zg.tensor([0]))
    with pytest.raises(ValueError, match="needs 1-D offsets"):
        bag(zg.tensor([1, 2]))
    with pytest.raises(ValueError, match="only supported for mode='sum'"):
        nn.functional.embedding_bag(zg.tensor([[1]]), bag.weight, mode="mean", per_sample_weights=zg.ones(1, 1))
    with pytest.raises(ValueError, match="mode"):
        nn.EmbeddingBag(3, 2, mode="median")
    with pytest.raises(IndexError, match="out of range"):
        bag(zg.tensor([[7]]))
