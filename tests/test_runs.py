"""Runs are never lost: resume is exact (3 epochs + --resume to 6 equals 6 straight, bit for bit,
for every trainer in the table), Ctrl-C leaves a checkpoint and one line, a finished run is not
overwritten without --force, and every failure is one `zengrad: error: …` line naming the file."""

import dataclasses
import errno
import json
import os
import sys

import numpy as np
import pytest

import zengrad as zg
from zengrad import kernel_registry
from zengrad.cli import main
from zengrad.models import TRAINER_LIST, TRAINERS
from zengrad.models.run import RunFolder

# Settings that make each trainer's run take a second or two (a trainer missing here runs with its
# defaults: add it).
TINY = {
    "perceptron": {},
    "rnn": {"steps_per_epoch": 2, "max_chars": 2000, "batch_size": 4, "seq_len": 16, "hidden_size": 8,
            "sample_chars": 10},
    "char-lstm": {"steps_per_epoch": 2, "max_chars": 2000, "batch_size": 4, "seq_len": 16, "hidden_size": 8,
                  "sample_chars": 10},
    "transformer": {"steps_per_epoch": 2, "max_chars": 2000, "batch_size": 4, "block_size": 16, "dim": 8,
                    "heads": 2, "layers": 1, "sample_chars": 10},
    "forecast": {"hidden_size": 4},
    "gan": {"images": 64, "samples": 40, "batch_size": 32},
    "dcgan": {"images": 64, "samples": 40, "batch_size": 32, "snapshots": 2},
    "gan2d": {"batch_size": 16, "latent_dim": 4, "hidden": 8, "snapshot_every": 2},
}


@pytest.fixture
def tiny(monkeypatch):
    """Every trainer of the table with its TINY settings (the CLI passes its flags on top),
    without its figures (drawing them is most of a tiny run's time, and they hold no state) and
    with NumPy's matmul (tiny products are where the native kernel's thread start-up dominates;
    the fused LSTM/RNN kernels of forecast, rnn and char-lstm stay native)."""
    for trainer in TRAINER_LIST:
        settings = {**trainer.settings, **TINY.get(trainer.name, {})}
        monkeypatch.setitem(TRAINERS, trainer.name, dataclasses.replace(trainer, settings=settings))
        module = sys.modules[trainer.train.__module__]
        for name in ("_plot", "_save_grid"):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, lambda *args, **kwargs: None)
    with kernel_registry.use(matmul="numpy"):
        yield


def _train(name, out, *flags):
    return main(["train", name, "--out", str(out), "--quiet", *flags])


def _same(a, b, where="checkpoint"):
    """Exact equality of two loaded checkpoints (arrays bit for bit, NaN equal to NaN)."""
    assert type(a) is type(b) or (isinstance(a, zg.Tensor) and isinstance(b, zg.Tensor)), where
    if isinstance(a, zg.Tensor):
        a, b = a.numpy(), b.numpy()
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a.reshape(-1).view(np.uint8), b.reshape(-1).view(np.uint8)), where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b), where
    else:
        assert a == b, where


def _metrics(out):
    metrics = json.loads((out / "metrics.json").read_text())
    metrics.pop("run")
    return metrics


def test_every_trainer_has_tiny_settings():
    assert {trainer.name for trainer in TRAINER_LIST} <= set(TINY)


@pytest.mark.parametrize("name, flags", [(trainer.name, ()) for trainer in TRAINER_LIST] +
                         [("dcgan", ("--loss", "wgan-gp", "--spectral-norm"))])
def test_three_epochs_then_resume_to_six_equals_six_straight(name, flags, tiny, tmp_path, capsys):
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert _train(name, straight, "--epochs", "6", *flags) == 0
    assert _train(name, resumed, "--epochs", "3", *flags) == 0
    assert zg.load(resumed / "checkpoint.zg")["epoch"] == 2
    assert _train(name, resumed, "--epochs", "6", "--resume", *flags) == 0
    a, b = zg.load(straight / "checkpoint.zg"), zg.load(resumed / "checkpoint.zg")
    assert a["epoch"] == 5 and a["model"] in (name, TRAINERS[name].name)
    assert set(a["generators"]) >= {"zengrad"}
    _same(a, b)
    _same(_metrics(straight), _metrics(resumed), "metrics")


def _interrupt_at(monkeypatch, stop_epoch):
    """Ctrl-C during epoch ``stop_epoch`` (counted from 0): raised where that epoch would be saved."""
    real = RunFolder.save_checkpoint

    def save(self, epoch, *args, **kwargs):
        if epoch == stop_epoch:
            raise KeyboardInterrupt
        return real(self, epoch, *args, **kwargs)

    monkeypatch.setattr(RunFolder, "save_checkpoint", save)
    return real


@pytest.mark.parametrize("name", ["perceptron", "forecast"])
def test_ctrl_c_says_what_was_saved_and_the_run_resumes_exactly(name, tiny, tmp_path, monkeypatch, capsys):
    straight, interrupted = tmp_path / "straight", tmp_path / "interrupted"
    assert _train(name, straight, "--epochs", "5") == 0
    real = _interrupt_at(monkeypatch, 3)
    capsys.readouterr()
    assert _train(name, interrupted, "--epochs", "5") == 130
    err = capsys.readouterr().err
    assert err.splitlines() == [f"zengrad: interrupted after epoch 3; checkpoint saved, continue with --resume "
                                f"({interrupted / 'checkpoint.zg'})"]
    assert zg.load(interrupted / "checkpoint.zg")["epoch"] == 2
    assert not (interrupted / "metrics.json").exists()
    assert not [f for f in os.listdir(interrupted) if f.endswith(".tmp")]
    monkeypatch.setattr(RunFolder, "save_checkpoint", real)
    assert _train(name, interrupted, "--epochs", "5", "--resume") == 0
    _same(zg.load(straight / "checkpoint.zg"), zg.load(interrupted / "checkpoint.zg"))
    _same(_metrics(straight), _metrics(interrupted), "metrics")


def test_ctrl_c_before_the_first_epoch_says_nothing_was_saved(tiny, tmp_path, monkeypatch, capsys):
    _interrupt_at(monkeypatch, 0)
    assert _train("perceptron", tmp_path, "--epochs", "3") == 130
    assert capsys.readouterr().err.strip() == "zengrad: interrupted before the first epoch finished; nothing was saved"


def _snapshot(folder):
    return {name: ((folder / name).read_bytes(), (folder / name).stat().st_mtime_ns)
            for name in sorted(os.listdir(folder)) if (folder / name).is_file()}


def test_resume_with_nothing_left_says_so_and_rewrites_nothing(tiny, tmp_path, capsys):
    assert _train("perceptron", tmp_path, "--epochs", "3") == 0
    before = _snapshot(tmp_path)
    capsys.readouterr()
    for epochs in ("3", "2"):
        assert _train("perceptron", tmp_path, "--epochs", epochs, "--resume") == 0
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("zengrad: nothing to train:") and "--epochs" in err[0]
    assert _snapshot(tmp_path) == before


def test_a_finished_run_is_not_overwritten_without_force(tiny, tmp_path, capsys):
    assert _train("perceptron", tmp_path, "--epochs", "3") == 0
    before = _snapshot(tmp_path)
    capsys.readouterr()
    assert _train("perceptron", tmp_path, "--epochs", "4") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"zengrad: error: {tmp_path} already holds a finished perceptron run")
    assert "--force" in err[0] and "--resume" in err[0]
    assert _snapshot(tmp_path) == before
    assert _train("forecast", tmp_path, "--epochs", "2") == 2  # another model: refused the same way
    assert _snapshot(tmp_path) == before
    assert _train("perceptron", tmp_path, "--epochs", "4", "--force") == 0
    assert zg.load(tmp_path / "checkpoint.zg")["epoch"] == 3


def test_an_interrupted_run_is_not_overwritten_either(tiny, tmp_path, monkeypatch, capsys):
    real = _interrupt_at(monkeypatch, 2)
    assert _train("perceptron", tmp_path, "--epochs", "4") == 130
    monkeypatch.setattr(RunFolder, "save_checkpoint", real)
    before = _snapshot(tmp_path)
    capsys.readouterr()
    assert _train("perceptron", tmp_path, "--epochs", "4") == 2
    assert "holds an interrupted perceptron run (checkpoint after epoch 2)" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before


def _one_error_line(capsys, *needles):
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("zengrad: error: "), err
    for needle in needles:
        assert needle in err[0], err[0]
    return err[0]


def test_resuming_a_checkpoint_of_another_model_names_it(tiny, tmp_path, capsys):
    assert _train("forecast", tmp_path, "--epochs", "2") == 0
    before = _snapshot(tmp_path)
    capsys.readouterr()
    assert _train("perceptron", tmp_path, "--epochs", "4", "--resume") == 2
    _one_error_line(capsys, str(tmp_path / "checkpoint.zg"), "'forecast'", "zengrad train forecast --resume")
    assert _snapshot(tmp_path) == before


def test_resuming_a_checkpoint_without_a_model_name_that_does_not_fit(tiny, tmp_path, capsys):
    assert _train("rnn", tmp_path, "--epochs", "1") == 0
    state = zg.load(tmp_path / "checkpoint.zg")
    del state["model"]
    zg.save(state, tmp_path / "checkpoint.zg")
    capsys.readouterr()
    assert _train("char-lstm", tmp_path, "--epochs", "2", "--resume") == 2
    _one_error_line(capsys, str(tmp_path / "checkpoint.zg"), "does not fit", "--force")


@pytest.mark.parametrize("damage", [
    lambda path: path.write_bytes(b"not a checkpoint at all"),
    lambda path: path.write_bytes(path.read_bytes()[:-7]),                  # truncated
    lambda path: zg.save([1, 2, 3], path),                                  # a zengrad file, not a run
    lambda path: zg.save({**zg.load(path), "epoch": "three"}, path),
    lambda path: zg.save({**zg.load(path), "generators": {"zengrad": {"bit_generator": "PCG64"}}}, path),
])
def test_a_malformed_checkpoint_is_one_line_naming_it(damage, tiny, tmp_path, capsys):
    assert _train("perceptron", tmp_path, "--epochs", "2") == 0
    damage(tmp_path / "checkpoint.zg")
    before = _snapshot(tmp_path)
    capsys.readouterr()
    assert _train("perceptron", tmp_path, "--epochs", "4", "--resume") == 2
    _one_error_line(capsys, str(tmp_path / "checkpoint.zg"), "--force")
    assert _snapshot(tmp_path) == before


def test_directories_where_files_belong(tiny, tmp_path, capsys):
    (tmp_path / "a" / "checkpoint.zg").mkdir(parents=True)
    assert _train("perceptron", tmp_path / "a", "--epochs", "2", "--resume") == 2
    _one_error_line(capsys, str(tmp_path / "a" / "checkpoint.zg"), "directory")
    assert _train("perceptron", tmp_path / "a", "--epochs", "2", "--force") == 2
    _one_error_line(capsys, str(tmp_path / "a" / "checkpoint.zg"), "directory")
    (tmp_path / "b").write_text("a file where --out should be")
    assert _train("perceptron", tmp_path / "b", "--epochs", "2") == 2
    _one_error_line(capsys, str(tmp_path / "b"), "another --out")


def test_a_directory_where_a_figure_belongs(tmp_path, capsys):
    (tmp_path / "decision_boundary.png").mkdir()
    assert _train("perceptron", tmp_path, "--epochs", "2") == 2
    _one_error_line(capsys, str(tmp_path / "decision_boundary.png"), "directory")


def test_a_full_disk_is_one_line_and_keeps_the_last_checkpoint(tiny, tmp_path, monkeypatch, capsys):
    real_save = zg.io.save
    calls = []

    def save(obj, path, **kwargs):
        calls.append(obj["epoch"])
        if obj["epoch"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device", os.fspath(path))
        return real_save(obj, path, **kwargs)

    monkeypatch.setattr("zengrad.models.run.io.save", save)
    assert _train("forecast", tmp_path, "--epochs", "4") == 2
    _one_error_line(capsys, str(tmp_path / "checkpoint.zg"), "disk is full", "--resume")
    assert zg.load(tmp_path / "checkpoint.zg")["epoch"] == 1
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_a_full_disk_inside_the_writer_leaves_no_temporary(tiny, tmp_path, monkeypatch, capsys):
    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    assert _train("perceptron", tmp_path, "--epochs", "2") == 0
    before = (tmp_path / "checkpoint.zg").read_bytes()
    monkeypatch.setattr(zg.io.os, "fsync", full)
    monkeypatch.setattr(RunFolder, "sync_seconds", 0.0)
    assert _train("perceptron", tmp_path, "--epochs", "4", "--resume") == 2
    _one_error_line(capsys, str(tmp_path / "checkpoint.zg"), "disk is full")
    assert (tmp_path / "checkpoint.zg").read_bytes() == before
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]


def test_labels_outside_0_to_9_name_the_data(tiny, tmp_path, capsys):
    from test_data import _write_idx
    data = tmp_path / "mnist"
    data.mkdir()
    images = np.zeros((20, 28, 28), dtype=np.uint8)
    labels = np.arange(20, dtype=np.uint8)   # 10..19 are no digits
    _write_idx(data / "train-images-idx3-ubyte", images, 0x08, False)
    _write_idx(data / "train-labels-idx1-ubyte", labels, 0x08, False)
    assert _train("gan", tmp_path / "run", "--epochs", "1", "--data", str(data)) == 2
    _one_error_line(capsys, str(data), "label 10", "0-9")
    assert not (tmp_path / "run" / "checkpoint.zg").exists()


@pytest.mark.parametrize("name", ["rnn", "char-lstm"])
def test_text_too_short_for_one_batch_names_the_file(name, tiny, tmp_path, capsys):
    text = tmp_path / "short.txt"
    text.write_text("hello world\n" * 3)
    assert _train(name, tmp_path / "run", "--epochs", "1", "--data", str(text)) == 2
    _one_error_line(capsys, str(text), "too few", "longer text")


def test_unexpected_errors_are_one_line_too(tiny, tmp_path, monkeypatch, capsys):
    def broken(options, **settings):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(TRAINERS, "perceptron", dataclasses.replace(TRAINERS["perceptron"], train=broken))
    assert _train("perceptron", tmp_path, "--epochs", "1") == 1
    _one_error_line(capsys, "ZeroDivisionError", "ZENGRAD_TRACEBACK")
    monkeypatch.setenv("ZENGRAD_TRACEBACK", "1")
    with pytest.raises(ZeroDivisionError):
        _train("perceptron", tmp_path, "--epochs", "1")


def test_metrics_json_honours_the_umask_and_an_interrupted_write_leaves_no_temporary(tmp_path, monkeypatch):
    run = RunFolder(tmp_path)
    old = os.umask(0o022)
    try:
        run.write_metrics({"loss": np.float32(0.5)})
    finally:
        os.umask(old)
    assert (tmp_path / "metrics.json").stat().st_mode & 0o777 == 0o644
    before = (tmp_path / "metrics.json").read_bytes()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(json, "dump", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run.write_metrics({"loss": 1.0})
    assert os.listdir(tmp_path) == ["metrics.json"] and (tmp_path / "metrics.json").read_bytes() == before


def test_generator_state_round_trips_through_a_checkpoint(tmp_path):
    zg.manual_seed(11)
    zg.randn(7)
    state = zg.get_rng_state()
    expected = zg.randn(5).numpy()
    zg.save({"rng": state}, tmp_path / "rng.zg")
    zg.manual_seed(99)
    zg.set_rng_state(zg.load(tmp_path / "rng.zg")["rng"])
    np.testing.assert_array_equal(zg.randn(5).numpy(), expected)
    with zg.fork_rng():
        zg.randn(100)
    after_fork = zg.randn(3).numpy()
    zg.set_rng_state(state)
    zg.randn(5)
    np.testing.assert_array_equal(zg.randn(3).numpy(), after_fork)
    current = zg.get_rng_state()
    for bad in ({"bit_generator": "Evil"}, {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1}}, [1]):
        with pytest.raises(ValueError):
            zg.set_rng_state(bad)
    assert zg.get_rng_state() == current


def test_ctrl_c_after_the_last_epoch_then_resume_finishes_the_run(tiny, tmp_path, monkeypatch, capsys):
    from zengrad.models import perceptron

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(perceptron, "_plot", interrupted)
    assert _train("perceptron", tmp_path, "--epochs", "3") == 130
    assert "interrupted after epoch 3; checkpoint saved" in capsys.readouterr().err
    assert not (tmp_path / "metrics.json").exists()
    checkpoint = (tmp_path / "checkpoint.zg").read_bytes()
    monkeypatch.setattr(perceptron, "_plot", lambda *args, **kwargs: None)
    assert _train("perceptron", tmp_path, "--epochs", "3", "--resume") == 0
    assert json.loads((tmp_path / "metrics.json").read_text())["separable"]["sigmoid_neuron"]["epochs"] == 3
    assert (tmp_path / "checkpoint.zg").read_bytes() == checkpoint
