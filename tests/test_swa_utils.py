"""Weight averaging (zengrad.optim.swa_utils) step for step against torch.optim.swa_utils: an SWA
training loop with SWALR, AveragedModel (SWA and EMA, with and without buffers) and update_bn."""

import numpy as np
import pytest

import zengrad as zg
from zengrad.optim import swa_utils as zs

torch = pytest.importorskip("torch")
from torch.optim import swa_utils as ts  # noqa: E402

rng = np.random.default_rng(5)
X, Y = rng.standard_normal((16, 4)).astype(np.float32), rng.standard_normal((16, 1)).astype(np.float32)


def models():
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.BatchNorm1d(6), torch.nn.ReLU(), torch.nn.Linear(6, 1))
    ours = zg.nn.Sequential(zg.nn.Linear(4, 6), zg.nn.BatchNorm1d(6), zg.nn.ReLU(), zg.nn.Linear(6, 1))
    ours.load_state_dict({k: zg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    return ours, theirs


def same_state(ours, theirs, atol=1e-5):
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].numpy(), value.numpy(), atol=atol, err_msg=key)


@pytest.mark.parametrize("strategy, averaging", [("cos", "swa"), ("linear", "ema"), ("cos", "ema-multi"),
                                                 ("linear", "swa-buffers")])
def test_an_swa_loop_matches_pytorch(strategy, averaging):
    results = {}
    for module, swa in ((zg, zs), (torch, ts)):
        model = models()[0 if module is zg else 1]
        options = {"swa": {}, "ema": {"avg_fn": swa.get_ema_avg_fn(0.9)},
                   "ema-multi": {"multi_avg_fn": swa.get_ema_multi_avg_fn(0.9)}, "swa-buffers": {"use_buffers": True}}
        averaged = swa.AveragedModel(model, **options[averaging])
        optimizer = module.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        scheduler = swa.SWALR(optimizer, swa_lr=0.02, anneal_epochs=3, anneal_strategy=strategy)
        lrs = []
        for epoch in range(6):
            for start in range(0, 16, 8):
                optimizer.zero_grad()
                x, y = module.tensor(X[start:start + 8]), module.tensor(Y[start:start + 8])
                ((model(x) - y) ** 2).mean().backward()
                optimizer.step()
            averaged.update_parameters(model)
            scheduler.step()
            lrs.append(optimizer.param_groups[0]["lr"])
        swa.update_bn([(module.tensor(X[i:i + 4]),) for i in range(0, 16, 4)], averaged)
        results[module] = (averaged, lrs, averaged(module.tensor(X)).detach().numpy())
    np.testing.assert_allclose(results[zg][1], results[torch][1], rtol=1e-6)
    same_state(results[zg][0], results[torch][0], atol=1e-4)
    np.testing.assert_allclose(results[zg][2], results[torch][2], atol=1e-4)


def test_bad_arguments_as_pytorch():
    optimizer = zg.optim.SGD(zg.nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        zs.SWALR(optimizer, swa_lr=0.1, anneal_strategy="step")
    with pytest.raises(ValueError, match="anneal_epochs"):
        zs.SWALR(optimizer, swa_lr=0.1, anneal_epochs=-1)
    with pytest.raises(ValueError, match="same length"):
        zs.SWALR(optimizer, swa_lr=[0.1, 0.2])
