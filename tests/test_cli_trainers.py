"""The command line is derived from the trainer table: every entry is a sub-command with its own
flags, settings reach the trainer, flags of other models and bad epoch counts are refused."""

import dataclasses

import pytest

from zengrad.cli import build_parser, main
from zengrad.models import DEPRECATED_ALIASES, TRAINER_LIST, TRAINERS


@pytest.fixture
def calls(monkeypatch):
    """Replace every trainer's function by a recorder of (model, options, settings)."""
    seen = []
    for trainer in TRAINER_LIST:
        def record(options, _name=trainer.name, **settings):
            seen.append((_name, options, settings))
            return {"run": {}}
        monkeypatch.setitem(TRAINERS, trainer.name, dataclasses.replace(trainer, train=record))
    return seen


def test_every_trainer_is_a_subcommand_with_its_flags(calls, tmp_path):
    for trainer in TRAINER_LIST:
        assert main(["train", trainer.name, "--quiet", "--out", str(tmp_path), "--epochs", "2"]) == 0
        name, options, settings = calls[-1]
        assert name == trainer.name and options.epochs == 2 and options.out == str(tmp_path)
        expected = {**trainer.settings, **{flag.keyword: (False if flag.switch else flag.default)
                                           for flag in trainer.flags}}
        assert settings == expected


def test_model_flags_reach_the_trainer(calls, tmp_path):
    assert main(["train", "dcgan", "--loss", "wgan-gp", "--spectral-norm", "--out", str(tmp_path)]) == 0
    assert calls[-1][2] == {"loss": "wgan-gp", "spectral": True, "arch": "dcgan", "size": "32", "channels": "3"}
    assert main(["train", "dcgan", "--arch", "article", "--size", "64", "--channels", "1", "--out", str(tmp_path)]) == 0
    assert calls[-1][2] == {"loss": "bce", "spectral": False, "arch": "article", "size": "64", "channels": "1"}
    assert main(["train", "rnn", "--cell", "lstm", "--out", str(tmp_path)]) == 0
    assert calls[-1][2] == {"cell": "lstm"}
    assert main(["train", "char-lstm", "--out", str(tmp_path)]) == 0
    assert calls[-1][2] == {"cell": "lstm"}


@pytest.mark.parametrize("argv", [
    ["train", "perceptron", "--cell", "lstm"],       # a flag of another model
    ["train", "perceptron", "--data", "x.txt"],      # the perceptron reads no data
    ["train", "gan", "--loss", "wgan-gp"],
    ["train", "gan", "--epochs", "0"],
    ["train", "gan", "--epochs", "-1"],
    ["train", "no-such-model"],
])
def test_flags_that_do_not_apply_are_refused(argv, calls, capsys):
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(argv)
    assert stop.value.code == 2 and "error" in capsys.readouterr().err
    assert calls == []


def test_deprecated_alias_runs_the_new_name_and_says_so(calls, tmp_path, capsys):
    assert DEPRECATED_ALIASES["lstm"] == "forecast"
    assert main(["train", "lstm", "--quiet", "--out", str(tmp_path)]) == 0
    assert calls[-1][0] == "forecast"
    assert "deprecated" in capsys.readouterr().err


def test_default_output_folder_is_named_after_the_model(calls, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "forecast", "--quiet"]) == 0
    assert calls[-1][1].out == "runs/forecast"


def test_a_typed_flag_converts_its_value(calls, monkeypatch, tmp_path):
    from zengrad.models import Flag
    trainer = TRAINERS["perceptron"]
    typed = dataclasses.replace(trainer, flags=(Flag("rate", "rate", "a learning rate", 0.5, type=float),))
    monkeypatch.setattr("zengrad.models.TRAINER_LIST", (typed,))
    monkeypatch.setitem(TRAINERS, "perceptron", typed)
    assert main(["train", "perceptron", "--rate", "0.25", "--out", str(tmp_path)]) == 0
    assert calls[-1][2] == {"rate": 0.25}
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "perceptron", "--rate", "fast"])
