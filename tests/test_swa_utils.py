"""Weight averaging (optim.swa_utils) against PyTorch's: AveragedModel with SWA, EMA and buffer
averaging, update_bn, the SWALR schedule; and custom schedulers built on _LRScheduler."""

import numpy as np
import pytest

import zengrad as zg
from conftest import to_numpy
from torch_bridge import load_from_torch

torch = pytest.importorskip("torch")


def _models():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(),
                                 torch.nn.Linear(5, 2))
    ours = zg.nn.Sequential(zg.nn.Linear(3, 5), zg.nn.BatchNorm1d(5), zg.nn.ReLU(), zg.nn.Linear(5, 2))
    load_from_torch(ours, theirs)
    return theirs, ours


def _averaged(lib, model, averaging):
    swa = lib.optim.swa_utils
    options = {"swa": {}, "ema": dict(multi_avg_fn=swa.get_ema_multi_avg_fn(0.9)),
               "ema-one": dict(avg_fn=swa.get_ema_avg_fn(0.8)),
               "buffers": dict(use_buffers=True),
               "buffers-ema": dict(use_buffers=True, multi_avg_fn=swa.get_ema_multi_avg_fn(0.5))}[averaging]
    averaged = swa.AveragedModel(model, **options)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    for _ in range(5):
        opt.zero_grad()
        model(lib.tensor(rng.standard_normal((8, 3)).astype(np.float32))).pow(2).mean().backward()
        opt.step()
        averaged.update_parameters(model)
    swa.update_bn([lib.tensor(rng.standard_normal((4, 3)).astype(np.float32)) for _ in range(3)], averaged)
    averaged.eval()
    out = averaged(lib.tensor(np.ones((2, 3), np.float32)))
    return averaged.state_dict(), out, int(averaged.n_averaged.item())


@pytest.mark.parametrize("averaging", ["swa", "ema", "ema-one", "buffers", "buffers-ema"])
def test_averaged_model_and_update_bn_match_torch(averaging):
    theirs, ours = _models()
    reference, expected, count = _averaged(torch, theirs, averaging)
    state, out, n = _averaged(zg, ours, averaging)
    assert n == count == 5
    assert sorted(state) == sorted(reference)
    for name, value in reference.items():
        got = to_numpy(state[name])
        assert got.dtype == value.numpy().dtype, name
        np.testing.assert_allclose(got, value.numpy(), rtol=1e-5, atol=1e-5, err_msg=name)
    np.testing.assert_allclose(to_numpy(out), expected.detach().numpy(), rtol=1e-5, atol=1e-5)


def _swa_lrs(lib, **kwargs):
    groups = [{"params": [lib.nn.Parameter(lib.ones(2))], "lr": 0.5},
              {"params": [lib.nn.Parameter(lib.ones(2))], "lr": 0.02}]
    opt = lib.optim.SGD(groups, lr=0.1)
    scheduler = lib.optim.swa_utils.SWALR(opt, **kwargs)
    lrs = [scheduler.get_last_lr()]
    for _ in range(8):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    return np.array(lrs)


@pytest.mark.parametrize("kwargs", [dict(swa_lr=0.05), dict(swa_lr=[0.05, 0.1], anneal_epochs=3, anneal_strategy="linear"),
                                    dict(swa_lr=0.05, anneal_epochs=0), dict(swa_lr=0.05, anneal_epochs=1)])
def test_swalr_matches_torch(kwargs):
    np.testing.assert_allclose(_swa_lrs(zg, **kwargs), _swa_lrs(torch, **kwargs), rtol=1e-12)


@pytest.mark.parametrize("kwargs", [dict(swa_lr=[0.05]), dict(swa_lr=0.05, anneal_strategy="exp"),
                                    dict(swa_lr=0.05, anneal_epochs=-1)])
def test_swalr_refuses_bad_arguments_like_torch(kwargs):
    for lib in (torch, zg):
        with pytest.raises(ValueError):
            _swa_lrs(lib, **kwargs)


def test_custom_scheduler_on_the_old_base_name():
    def warmup(lib):
        class Warmup(lib.optim.lr_scheduler._LRScheduler):
            def __init__(self, optimizer, steps, last_epoch=-1):
                self.steps = steps
                super().__init__(optimizer, last_epoch)

            def get_lr(self):
                return [base * min(1.0, (self.last_epoch + 1) / self.steps) for base in self.base_lrs]

        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(2))], lr=0.1)
        scheduler = Warmup(opt, 4)
        lrs = [scheduler.get_last_lr()]
        for _ in range(6):
            opt.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        return lrs

    assert warmup(zg) == warmup(torch)
