"""One training step of each reference model, in zengrad and in PyTorch, for side-by-side timing.

Each pair has the same architecture, batch and optimizer: the zengrad side is the model the
trainer uses (``zengrad.models``); the PyTorch side is its twin written here. PyTorch is only
imported when a PyTorch step is asked for (it is a measuring stick, never a dependency).
The step bodies (``_full_batch_step``, ``_language_step``, ``_gan_step``) are written once and
serve both frameworks: zengrad's API is PyTorch's.
"""

from __future__ import annotations

import numpy as np

MODELS = ("perceptron", "rnn", "lstm", "gan", "dcgan", "transformer", "transformer-forward")

#: batch and sizes of each step (the trainers' defaults)
SHAPES = {
    "perceptron": dict(batch=240, features=2),
    "rnn": dict(batch=32, seq_len=64, vocab=100, embed=32, hidden=192),
    "lstm": dict(batch=32, seq_len=64, vocab=100, embed=32, hidden=192),
    "gan": dict(batch=64, latent=32, pixels=64),
    "dcgan": dict(batch=64, latent=32, side=8, width=32),  # the digits: 8 × 8, one channel
    "transformer": dict(batch=32, seq_len=64, vocab=100, dim=64, heads=4, layers=2),
    "transformer-forward": dict(batch=32, seq_len=64, vocab=100, dim=64, heads=4, layers=2),
}

#: the character models, whose batches are windows of codes
_LANGUAGE = ("rnn", "lstm", "transformer", "transformer-forward")


def _batches(model: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    s = SHAPES[model]
    if model == "perceptron":
        x = rng.uniform(-1, 1, (s["batch"], s["features"])).astype(np.float32)
        return x, (x[:, :1] > 0).astype(np.float32)
    if model in _LANGUAGE:
        return rng.integers(0, s["vocab"], (s["batch"], s["seq_len"] + 1)), None
    if model == "dcgan":
        return (rng.random((s["batch"], 1, s["side"], s["side"]), dtype=np.float32),
                rng.standard_normal((s["batch"], s["latent"])).astype(np.float32))
    return rng.random((s["batch"], s["pixels"]), dtype=np.float32), rng.standard_normal((s["batch"], s["latent"])).astype(np.float32)


def _full_batch_step(model, optimizer, loss_fn, x, y):
    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()
    return step


def _language_step(logits_of, parameters, optimizer, loss_fn, clip_grad_norm_, inputs, targets, vocab):
    def step():
        loss = loss_fn(logits_of(inputs).reshape(-1, vocab), targets)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(parameters, 1.0)
        optimizer.step()
    return step


def _forward_step(logits_of, loss_fn, inputs, targets, vocab):
    """The forward half of a language-model training step: logits and loss, graph recorded."""
    def step():
        return loss_fn(logits_of(inputs).reshape(-1, vocab), targets)
    return step


def _gan_step(generator, discriminator, opt_g, opt_d, bce, real, z, ones, zeros):
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
        return _full_batch_step(neuron, optim.SGD(neuron.parameters(), lr=0.5), nn.BCEWithLogitsLoss(),
                                zg.tensor(a, device=device), zg.tensor(b, device=device))
    if model.startswith("transformer"):
        from zengrad.models.transformer import CharTransformer
        net = CharTransformer(s["vocab"], s["seq_len"], s["dim"], s["heads"], s["layers"]).to(device)
        inputs, targets = zg.tensor(a[:, :-1], device=device), zg.tensor(a[:, 1:], device=device).reshape(-1)
        if model == "transformer-forward":
            return _forward_step(lambda x: net(x)[0], nn.CrossEntropyLoss(), inputs, targets, s["vocab"])
        return _language_step(lambda x: net(x)[0], list(net.parameters()), optim.Adam(net.parameters(), lr=3e-3),
                              nn.CrossEntropyLoss(), nn.utils.clip_grad_norm_, inputs, targets, s["vocab"])
    if model in ("rnn", "lstm"):
        net = CharModel(s["vocab"], s["embed"], s["hidden"], cell=model).to(device)
        return _language_step(lambda x: net(x)[0], list(net.parameters()), optim.Adam(net.parameters(), lr=3e-3),
                              nn.CrossEntropyLoss(), nn.utils.clip_grad_norm_, zg.tensor(a[:, :-1], device=device),
                              zg.tensor(a[:, 1:], device=device).reshape(-1), s["vocab"])
    if model == "dcgan":
        from zengrad.models import dcgan
        generator = dcgan.Generator(s["latent"], s["side"], s["width"]).to(device)
        discriminator = dcgan.Discriminator(s["side"], s["width"]).to(device)
    else:
        generator, discriminator = Generator(s["latent"], s["pixels"]).to(device), Discriminator(s["pixels"]).to(device)
    return _gan_step(generator, discriminator,
                     optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                     optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                     nn.BCEWithLogitsLoss(), zg.tensor(a, device=device), zg.tensor(b, device=device),
                     zg.ones(s["batch"], 1, device=device), zg.zeros(s["batch"], 1, device=device))


def torch_step(model: str, device: str = "cpu"):
    """The PyTorch twin of :func:`zengrad_step`."""
    import torch
    from torch import nn

    s = SHAPES[model]
    a, b = _batches(model)
    dev = torch.device("cuda" if device == "cuda" else "cpu")
    if model == "perceptron":
        neuron = nn.Linear(s["features"], 1).to(dev)
        return _full_batch_step(neuron, torch.optim.SGD(neuron.parameters(), lr=0.5), nn.BCEWithLogitsLoss(),
                                torch.tensor(a, device=dev), torch.tensor(b, device=dev))
    if model.startswith("transformer"):
        net = _torch_char_transformer(torch, s).to(dev)
        inputs, targets = torch.tensor(a[:, :-1], device=dev), torch.tensor(a[:, 1:], device=dev).reshape(-1)
        if model == "transformer-forward":
            return _forward_step(net, nn.CrossEntropyLoss(), inputs, targets, s["vocab"])
        return _language_step(net, list(net.parameters()), torch.optim.Adam(net.parameters(), lr=3e-3),
                              nn.CrossEntropyLoss(), nn.utils.clip_grad_norm_, inputs, targets, s["vocab"])
    if model in ("rnn", "lstm"):
        recurrent = (nn.LSTM if model == "lstm" else nn.RNN)(s["embed"], s["hidden"], batch_first=True)
        embed, head = nn.Embedding(s["vocab"], s["embed"]), nn.Linear(s["hidden"], s["vocab"])
        modules = nn.ModuleList([embed, recurrent, head]).to(dev)
        return _language_step(lambda x: head(recurrent(embed(x))[0]), list(modules.parameters()),
                              torch.optim.Adam(modules.parameters(), lr=3e-3), nn.CrossEntropyLoss(),
                              nn.utils.clip_grad_norm_, torch.tensor(a[:, :-1], device=dev),
                              torch.tensor(a[:, 1:], device=dev).reshape(-1), s["vocab"])
    generator, discriminator = (net.to(dev) for net in (_torch_dcgan if model == "dcgan" else _torch_gan)(torch, s))
    return _gan_step(generator, discriminator,
                     torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                     torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                     nn.BCEWithLogitsLoss(), torch.tensor(a, device=dev), torch.tensor(b, device=dev),
                     torch.ones(s["batch"], 1, device=dev), torch.zeros(s["batch"], 1, device=dev))


def _torch_gan(torch, s):
    """PyTorch's twins of ``zengrad.models.gan.Generator`` and ``Discriminator``."""
    from torch import nn

    generator = nn.Sequential(
        nn.Linear(s["latent"], 128), nn.BatchNorm1d(128), nn.LeakyReLU(0.2),
        nn.Linear(128, 256), nn.BatchNorm1d(256), nn.LeakyReLU(0.2),
        nn.Linear(256, s["pixels"]), nn.Sigmoid())
    discriminator = nn.Sequential(nn.Linear(s["pixels"], 256), nn.LeakyReLU(0.2),
                                  nn.Linear(256, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))
    return generator, discriminator


def _torch_dcgan(torch, s):
    """PyTorch's twins of ``zengrad.models.dcgan.Generator`` and ``Discriminator`` (BCE form, with
    BatchNorm in D) for one-channel images of side S: two stride-2 (transposed) convolutions each."""
    from torch import nn

    w, base = s["width"], s["side"] // 4
    generator = nn.Sequential(
        nn.Linear(s["latent"], 2 * w * base * base), nn.Unflatten(1, (2 * w, base, base)), nn.BatchNorm2d(2 * w),
        nn.ReLU(), nn.ConvTranspose2d(2 * w, w, 4, stride=2, padding=1), nn.BatchNorm2d(w), nn.ReLU(),
        nn.ConvTranspose2d(w, 1, 4, stride=2, padding=1), nn.Sigmoid())
    discriminator = nn.Sequential(
        nn.Conv2d(1, w, 4, stride=2, padding=1), nn.LeakyReLU(0.2), nn.Conv2d(w, 2 * w, 4, stride=2, padding=1),
        nn.BatchNorm2d(2 * w), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(2 * w * base * base, 1))
    return generator, discriminator


def _torch_char_transformer(torch, s):
    """PyTorch's twin of ``zengrad.models.transformer.CharTransformer``: the same embedding, learned
    positions, pre-norm causal ``TransformerEncoderLayer`` blocks, final LayerNorm and tied output."""
    from torch import nn

    class CharTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(s["vocab"], s["dim"])
            self.positions = nn.Parameter(torch.zeros(s["seq_len"], s["dim"]))
            self.blocks = nn.ModuleList([
                nn.TransformerEncoderLayer(s["dim"], s["heads"], 4 * s["dim"], 0.0, batch_first=True, norm_first=True)
                for _ in range(s["layers"])])
            self.norm = nn.LayerNorm(s["dim"])
            self.register_buffer("causal", nn.Transformer.generate_square_subsequent_mask(s["seq_len"]))

        def forward(self, codes):
            length = codes.shape[1]
            x = self.embed(codes) + self.positions[:length]
            for block in self.blocks:
                x = block(x, src_mask=self.causal[:length, :length], is_causal=True)
            return nn.functional.linear(self.norm(x), self.embed.weight)

    return CharTransformer()
