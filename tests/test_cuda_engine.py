"""The whole engine on CuPy: layers, losses, optimizers and the five trainers on a CUDA device.

The op table and the PyTorch parity tests already run on both devices (the `device` fixture in
conftest.py); this file covers what sits above the ops. Every layer and optimizer case builds the
same model on the CPU and on the GPU from one state_dict, runs the same inputs forward and backward
(or the same optimizer steps) and compares outputs, gradients and parameters with the CPU run,
which the rest of the suite checks against PyTorch and finite differences. The trainers run with
small budgets on `--device cuda` and must produce finite metrics, their figure and a checkpoint.
Skipped as a whole without CuPy and a device.
"""

import json
import math

import numpy as np
import pytest

import zengrad as zg
from zengrad import nn, optim

pytestmark = pytest.mark.gpu
GPU = "cuda"
if not zg.cuda.is_available():
    pytest.skip(f"CUDA unavailable: {zg.cuda.unavailable_reason()}", allow_module_level=True)

from conftest import to_numpy  # noqa: E402


def _pair(make, dtype):
    """The same freshly initialised module on the CPU and on the GPU."""
    zg.manual_seed(0)
    cpu = make().to(dtype=dtype)
    gpu = make().to(dtype=dtype).to(device=GPU)
    gpu.load_state_dict({k: v.to(device=GPU) for k, v in cpu.state_dict().items()})
    return cpu, gpu


def _close(got, want, tol, label):
    got, want = to_numpy(got), to_numpy(want)
    assert got.shape == want.shape, f"{label}: shape {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=label)


# (name, module factory, input factory(rng) -> list of arrays, loss of the output)
LAYERS = [
    ("linear", lambda: nn.Linear(7, 5), lambda r: [r.standard_normal((3, 7))], lambda y: (y * y).sum()),
    ("mlp", lambda: nn.Sequential(nn.Linear(13, 11), nn.LeakyReLU(0.2), nn.Linear(11, 1), nn.Sigmoid()),
     lambda r: [r.standard_normal((17, 13))], lambda y: y.sum()),
    ("conv2d", lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), lambda r: [r.standard_normal((2, 3, 9, 7))],
     lambda y: (y * y).mean()),
    ("conv_transpose2d", lambda: nn.ConvTranspose2d(4, 2, 4, stride=2, padding=1),
     lambda r: [r.standard_normal((2, 4, 5, 3))], lambda y: (y * y).mean()),
    ("batchnorm2d", lambda: nn.BatchNorm2d(3), lambda r: [r.standard_normal((4, 3, 5, 5))],
     lambda y: (y * y * y).sum()),
    ("batchnorm1d", lambda: nn.BatchNorm1d(6), lambda r: [r.standard_normal((9, 6))], lambda y: (y * y * y).sum()),
    ("rnn", lambda: nn.RNN(5, 7, num_layers=2), lambda r: [r.standard_normal((6, 3, 5))],
     lambda out: (out[0] * out[0]).sum() + out[1].sum()),
    ("lstm", lambda: nn.LSTM(5, 7, num_layers=2), lambda r: [r.standard_normal((6, 3, 5))],
     lambda out: (out[0] * out[0]).sum() + out[1][0].sum() + out[1][1].sum()),
    ("lstm_cell", lambda: nn.LSTMCell(4, 6), lambda r: [r.standard_normal((3, 4))],
     lambda out: out[0].sum() + (out[1] * out[1]).sum()),
]


@pytest.mark.parametrize("dtype", [zg.float64, zg.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,make,inputs,loss", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_on_gpu_matches_cpu(name, make, inputs, loss, dtype):
    cpu, gpu = _pair(make, dtype)
    arrays = inputs(np.random.default_rng(len(name)))
    xs_cpu = [zg.tensor(a, dtype=dtype, requires_grad=True) for a in arrays]
    xs_gpu = [zg.tensor(a, dtype=dtype, device=GPU, requires_grad=True) for a in arrays]
    out_cpu, out_gpu = cpu(*xs_cpu), gpu(*xs_gpu)
    loss(out_cpu).backward()
    loss(out_gpu).backward()
    tol = 1e-9 if dtype == zg.float64 else 2e-4
    first_cpu = out_cpu[0] if isinstance(out_cpu, tuple) else out_cpu
    first_gpu = out_gpu[0] if isinstance(out_gpu, tuple) else out_gpu
    assert str(first_gpu.device).startswith(GPU)
    _close(first_gpu, first_cpu, tol, f"{name} output")
    for x_gpu, x_cpu in zip(xs_gpu, xs_cpu):
        _close(x_gpu.grad, x_cpu.grad, tol, f"{name} input gradient")
    for (key, p_gpu), (_, p_cpu) in zip(gpu.named_parameters(), cpu.named_parameters()):
        _close(p_gpu.grad, p_cpu.grad, tol, f"{name} gradient of {key}")


LOSSES = [
    ("mse", nn.MSELoss(), lambda r: (r.standard_normal((5, 3)), r.standard_normal((5, 3)))),
    ("bce", nn.BCELoss(), lambda r: (r.uniform(0.05, 0.95, (7,)), r.integers(0, 2, 7).astype(float))),
    ("bce_with_logits", nn.BCEWithLogitsLoss(), lambda r: (r.standard_normal(7) * 4, r.integers(0, 2, 7).astype(float))),
    ("cross_entropy", nn.CrossEntropyLoss(), lambda r: (r.standard_normal((6, 11)), r.integers(0, 11, 6))),
]


@pytest.mark.parametrize("name,loss,data", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_on_gpu_matches_cpu(name, loss, data):
    prediction, target = data(np.random.default_rng(7))
    results = {}
    for device in ("cpu", GPU):
        x = zg.tensor(prediction, dtype=zg.float64, device=device, requires_grad=True)
        t = zg.tensor(target, device=device) if target.dtype.kind == "i" else zg.tensor(target, dtype=zg.float64,
                                                                                          device=device)
        value = loss(x, t)
        value.backward()
        results[device] = (value, x.grad)
    _close(results[GPU][0], results["cpu"][0], 1e-12, f"{name} value")
    _close(results[GPU][1], results["cpu"][1], 1e-12, f"{name} gradient")


OPTIMIZERS = [
    ("sgd", lambda ps: optim.SGD(ps, lr=0.1)),
    ("sgd_momentum_nesterov", lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-2)),
    ("adam", lambda ps: optim.Adam(ps, lr=1e-2)),
    ("adam_amsgrad", lambda ps: optim.Adam(ps, lr=1e-2, amsgrad=True, weight_decay=1e-3)),
    ("adamw", lambda ps: optim.AdamW(ps, lr=1e-2, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,make", OPTIMIZERS, ids=[c[0] for c in OPTIMIZERS])
def test_optimizer_on_gpu_matches_cpu(name, make):
    cpu, gpu = _pair(lambda: nn.Sequential(nn.Linear(6, 9), nn.Tanh(), nn.Linear(9, 2)), zg.float64)
    opt_cpu, opt_gpu = make(cpu.parameters()), make(gpu.parameters())
    scheduler_cpu = optim.lr_scheduler.StepLR(opt_cpu, step_size=2, gamma=0.5)
    scheduler_gpu = optim.lr_scheduler.StepLR(opt_gpu, step_size=2, gamma=0.5)
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = rng.standard_normal((8, 6))
        for model, opt, device in ((cpu, opt_cpu, "cpu"), (gpu, opt_gpu, GPU)):
            opt.zero_grad()
            (model(zg.tensor(x, device=device)) ** 2).mean().backward()
            opt.step()
        scheduler_cpu.step()
        scheduler_gpu.step()
    for (key, p_gpu), (_, p_cpu) in zip(gpu.named_parameters(), cpu.named_parameters()):
        assert str(p_gpu.device).startswith(GPU)
        _close(p_gpu, p_cpu, 1e-10, f"{name}: parameter {key} after 5 steps")


def _finite_numbers(value):
    if isinstance(value, dict):
        return all(_finite_numbers(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(_finite_numbers(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def _trainers():
    from zengrad.models import dcgan, forecast, gan, language, perceptron
    return [
        ("perceptron", lambda o: perceptron.train(o), 3),
        ("char_rnn", lambda o: language.train(o, cell="rnn", steps_per_epoch=5), 1),
        ("char_lstm", lambda o: language.train(o, cell="lstm", steps_per_epoch=5), 1),
        ("forecast", lambda o: forecast.train(o), 5),
        ("gan", lambda o: gan.train(o, samples=200), 2),
        ("dcgan_bce", lambda o: dcgan.train(o, samples=200), 1),
        ("dcgan_wgan_gp", lambda o: dcgan.train(o, loss="wgan-gp", samples=200), 1),
    ]


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(_trainers())), ids=[t[0] for t in _trainers()])
def test_trainer_runs_on_gpu(tmp_path, index):
    from zengrad.models.run import RunOptions
    name, train, epochs = _trainers()[index]
    metrics = train(RunOptions(out=str(tmp_path), epochs=epochs, device=GPU, progress=False))
    assert _finite_numbers(metrics), f"{name}: non-finite metrics {metrics}"
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved, f"{name}: empty metrics.json"
    assert (tmp_path / "checkpoint.zg").stat().st_size > 0
    assert list(tmp_path.glob("*.png")), f"{name}: no figure written"
