"""One training step of each reference model, in zengrad and in PyTorch, for side-by-side timing.

Each pair has the same architecture, batch and optimizer: the zengrad side is the model the
trainer uses (``zengrad.models``); the PyTorch side is its twin written here. PyTorch is only
imported when a PyTorch step is asked for (it is a measuring stick, never a dependency).
"""

from __future__ import annotations

import numpy as np

MODELS = ("perceptron", "rnn", "lstm", "gan")

#: batch and sizes of each step (the trainers' defaults)
SHAPES = {
    "perceptron": dict(batch=240, features=2),
    "rnn": dict(batch=32, seq_len=64, vocab=100, embed=32, hidden=192),
    "lstm": dict(batch=32, seq_len=64, vocab=100, embed=32, hidden=192),
    "gan": dict(batch=64, latent=32, pixels=64),
}


def _batches(model: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    s = SHAPES[model]
    if model == "perceptron":
        x = rng.uniform(-1, 1, (s["batch"], s["features"])).astype(np.float32)
        return x, (x[:, :1] > 0).astype(np.float32)
    if model in ("rnn", "lstm"):
        return rng.integers(0, s["vocab"], (s["batch"], s["seq_len"] + 1)), None
    return rng.random((s["batch"], s["pixels"]), dtype=np.float32), rng.standard_normal((s["batch"], s["latent"])).astype(np.float32)


def zengrad_step(model: str, device: str = "cpu"):
    """A function running one training step of the zengrad model (random batch, fixed shapes)."""
    import zengrad as zg
    from zengrad import nn, optim
    from zengrad.models.gan import Discriminator, Generator
    from zengrad.models.language import CharModel

    s = SHAPES[model]
    a, b = _batches(model)
    if model == "perceptron":
        neuron = nn.Linear(s["features"], 1).to(device)
        opt = optim.SGD(neuron.parameters(), lr=0.5)
        loss_fn = nn.BCEWithLogitsLoss()
        x, y = zg.tensor(a, device=device), zg.tensor(b, device=device)

        def step():
            opt.zero_grad()
            loss_fn(neuron(x), y).backward()
            opt.step()
        return step
    if model in ("rnn", "lstm"):
        net = CharModel(s["vocab"], s["embed"], s["hidden"], cell=model).to(device)
        opt = optim.Adam(net.parameters(), lr=3e-3)
        loss_fn = nn.CrossEntropyLoss()
        inputs, targets = zg.tensor(a[:, :-1], device=device), zg.tensor(a[:, 1:], device=device).reshape(-1)

        def step():
            logits, _ = net(inputs)
            loss = loss_fn(logits.reshape(-1, s["vocab"]), targets)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
        return step
    generator, discriminator = Generator(s["latent"], s["pixels"]).to(device), Discriminator(s["pixels"]).to(device)
    opt_g = optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real, z = zg.tensor(a, device=device), zg.tensor(b, device=device)
    ones, zeros = zg.ones(s["batch"], 1, device=device), zg.zeros(s["batch"], 1, device=device)

    def step():
        fake = generator(z)
        loss_d = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(discriminator(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step


def torch_step(model: str, device: str = "cpu"):
    """The PyTorch twin of :func:`zengrad_step`."""
    import torch
    from torch import nn

    s = SHAPES[model]
    a, b = _batches(model)
    dev = torch.device("cuda" if device == "cuda" else "cpu")
    if model == "perceptron":
        neuron = nn.Linear(s["features"], 1).to(dev)
        opt = torch.optim.SGD(neuron.parameters(), lr=0.5)
        loss_fn = nn.BCEWithLogitsLoss()
        x, y = torch.tensor(a, device=dev), torch.tensor(b, device=dev)

        def step():
            opt.zero_grad()
            loss_fn(neuron(x), y).backward()
            opt.step()
        return step
    if model in ("rnn", "lstm"):
        recurrent = (nn.LSTM if model == "lstm" else nn.RNN)(s["embed"], s["hidden"], batch_first=True)
        embed, head = nn.Embedding(s["vocab"], s["embed"]), nn.Linear(s["hidden"], s["vocab"])
        modules = nn.ModuleList([embed, recurrent, head]).to(dev)
        opt = torch.optim.Adam(modules.parameters(), lr=3e-3)
        loss_fn = nn.CrossEntropyLoss()
        inputs, targets = torch.tensor(a[:, :-1], device=dev), torch.tensor(a[:, 1:], device=dev).reshape(-1)

        def step():
            hidden, _ = recurrent(embed(inputs))
            loss = loss_fn(head(hidden).reshape(-1, s["vocab"]), targets)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(modules.parameters(), 1.0)
            opt.step()
        return step
    generator = nn.Sequential(
        nn.Linear(s["latent"], 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2),
        nn.Linear(128, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2),
        nn.Linear(256, s["pixels"]), nn.Sigmoid()).to(dev)
    discriminator = nn.Sequential(nn.Linear(s["pixels"], 256), nn.LeakyReLU(0.2),
                                  nn.Linear(256, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1)).to(dev)
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real, z = torch.tensor(a, device=dev), torch.tensor(b, device=dev)
    ones, zeros = torch.ones(s["batch"], 1, device=dev), torch.zeros(s["batch"], 1, device=dev)

    def step():
        fake = generator(z)
        loss_d = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        loss_g = bce(discriminator(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    return step
