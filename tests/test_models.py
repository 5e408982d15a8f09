"""The four reference models meet their quality bars on small budgets, and runs can resume.

Full-length figures are in each run's metrics.json (`zengrad train MODEL`); here the budgets are
cut so the suite stays fast on 2 cores.
"""

import json

import numpy as np
import pytest

import zengrad as zg
from zengrad.cli import main
from zengrad.models import forecast, gan, language
from zengrad.models.run import RunOptions


def _options(tmp_path, **kw):
    return RunOptions(out=str(tmp_path), progress=False, **kw)


def _artifacts(tmp_path, png):
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert (tmp_path / png).stat().st_size > 10_000
    assert isinstance(zg.load(tmp_path / "checkpoint.zg"), dict)
    return metrics


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_char_model_beats_unigram(tmp_path, cell):
    metrics = language.train(_options(tmp_path, epochs=3), cell=cell, steps_per_epoch=50)
    assert metrics["ratio_to_unigram"] <= 0.70, metrics["val_bits_per_epoch"]
    assert len(metrics["sample"]) > 400
    _artifacts(tmp_path, "loss_and_sample.png")


def test_forecaster_counts_and_beats_last_value(tmp_path):
    metrics = forecast.train(_options(tmp_path, epochs=200))
    assert metrics["counting"]["max_abs_error"] <= 0.5, metrics["counting"]
    assert metrics["sunspots"]["mse_lstm"] < metrics["sunspots"]["mse_last_value"]
    _artifacts(tmp_path, "forecast.png")


def test_gan_digits_are_recognisable(tmp_path):
    metrics = gan.train(_options(tmp_path, epochs=60))
    generated = metrics["generated"]
    assert metrics["classifier_test_accuracy"] >= 0.9
    assert generated["classes_covered"] >= 9, generated
    assert generated["confident_fraction"] >= 0.6, generated
    _artifacts(tmp_path, "samples_and_losses.png")


def test_gan_resume_continues_the_history(tmp_path):
    gan.train(_options(tmp_path, epochs=2))
    first = zg.load(tmp_path / "checkpoint.zg")
    assert first["epoch"] == 1 and len(first["history"]["loss_d"]) == 2
    gan.train(_options(tmp_path, epochs=3, resume=True))
    resumed = zg.load(tmp_path / "checkpoint.zg")
    assert resumed["epoch"] == 2
    assert resumed["history"]["loss_d"][:2] == first["history"]["loss_d"]
    assert len(resumed["history"]["loss_d"]) == 3
    g_before = first["modules"]["generator"]
    g_after = resumed["modules"]["generator"]
    assert any(not np.array_equal(g_before[k].numpy(), g_after[k].numpy()) for k in g_before)


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        gan.train(_options(tmp_path, epochs=1, resume=True))


def test_cli_train_perceptron(tmp_path, capsys):
    assert main(["train", "perceptron", "--out", str(tmp_path), "--quiet", "--epochs", "50"]) == 0
    metrics = _artifacts(tmp_path, "decision_boundary.png")
    assert metrics["toy"]["accuracy"] == 1.0
    assert metrics["separable"]["perceptron"]["test_accuracy"] >= 0.98
    assert "wrote" in capsys.readouterr().out


def test_cli_reports_bad_data_path(tmp_path, capsys):
    assert main(["train", "gan", "--data", str(tmp_path / "nowhere"), "--out", str(tmp_path), "--quiet"]) == 2
    assert "looked in" in capsys.readouterr().err


def test_gan_trains_on_a_folder_of_idx_files(tmp_path, rng):
    from test_data import _write_idx
    data_dir = tmp_path / "mnist"
    data_dir.mkdir()
    images = (rng.random((64, 28, 28)) * 255).astype(np.uint8)
    _write_idx(data_dir / "train-images-idx3-ubyte.gz", images, 0x08, True)
    _write_idx(data_dir / "train-labels-idx1-ubyte.gz", np.arange(64, dtype=np.uint8) % 10, 0x08, True)
    out = tmp_path / "run"
    assert main(["train", "gan", "--data", str(data_dir), "--epochs", "1", "--out", str(out), "--quiet"]) == 0
    metrics = _artifacts(out, "samples_and_losses.png")
    assert metrics["run"]["data"] == "mnist" and metrics["generated"]["samples"] == 1000
