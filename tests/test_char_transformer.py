"""`zengrad train transformer` on a tiny budget: it learns (beats the unigram baseline), writes the
char RNN's outputs, resumes, stops at a CPU budget, and its incremental state gives the whole
window's predictions."""

import json

import numpy as np
import pytest

import zengrad as zg
from zengrad.models import TRAINERS, transformer
from zengrad.models.run import RunOptions

TINY = dict(block_size=32, dim=32, heads=2, layers=1, steps_per_epoch=20, max_chars=20_000, lr=1e-2)


def test_tiny_run_learns_and_writes_its_outputs(tmp_path):
    metrics = transformer.train(RunOptions(out=str(tmp_path), epochs=2, progress=False), **TINY)
    assert metrics["val_bits_per_char"] < metrics["unigram_bits_per_char"], metrics["val_bits_per_epoch"]
    assert metrics["run"]["model"] == "char-transformer" and metrics["run"]["steps"] == 40
    assert len(metrics["sample"]) > 400
    assert (tmp_path / "loss_and_sample.png").stat().st_size > 10_000
    assert json.loads((tmp_path / "metrics.json").read_text())["val_bits_per_char"] == metrics["val_bits_per_char"]
    first = zg.load(tmp_path / "checkpoint.zg")
    # resume for up to 50 more epochs, but with a CPU budget that one step exhausts however fast it is
    resumed_metrics = transformer.train(RunOptions(out=str(tmp_path), epochs=52, progress=False, resume=True),
                                        cpu_seconds=1e-6, **TINY)
    resumed = zg.load(tmp_path / "checkpoint.zg")
    assert resumed["epoch"] == 2 and resumed["history"]["val_bits"][:2] == first["history"]["val_bits"]
    assert len(resumed["history"]["train_bits"]) == 41 and len(resumed_metrics["val_bits_per_epoch"]) == 3
    assert TRAINERS["transformer"].train is transformer.train


def test_state_continues_the_window():
    model = transformer.CharTransformer(11, block_size=6, dim=8, heads=2, layers=2)
    model.eval()
    codes = np.random.default_rng(3).integers(0, 11, (2, 9))
    whole, _ = model(zg.tensor(codes[:, :6]))
    logits, state = model(zg.tensor(codes[:, :2]))
    steps = [logits[:, -1]]
    for t in range(2, 9):
        logits, state = model(zg.tensor(codes[:, t:t + 1]), state)
        steps.append(logits[:, -1])
    np.testing.assert_allclose(np.stack([s.detach().numpy() for s in steps[:5]], 1), whole[:, 1:].detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    window, _ = model(zg.tensor(codes[:, 3:9]))  # past the block size the context slides
    np.testing.assert_allclose(steps[-1].detach().numpy(), window[:, -1].detach().numpy(), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="block size"):
        model(zg.tensor(codes))


def test_output_layer_is_the_embedding():
    model = transformer.CharTransformer(7, block_size=4, dim=8, heads=2, layers=1)
    names = [name for name, _ in model.named_parameters()]
    assert not any(name.startswith("head") for name in names)
    logits, _ = model(zg.tensor(np.array([[1, 2, 3]])))
    logits.sum().backward()
    assert model.embed.weight.grad is not None and logits.shape == (1, 3, 7)
