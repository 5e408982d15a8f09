"""TransformerDecoderLayer, TransformerDecoder and Transformer against PyTorch's with the same
weights: outputs and gradients for post- and pre-norm, batch_first, causal and padding masks,
unbatched inputs; the parameter names; the causal mask; shape errors."""

import numpy as np
import pytest

import zengrad as zg
import zengrad.nn as nn
from torch_bridge import assert_close, assert_grads_match, load_from_torch

torch = pytest.importorskip("torch")


def _pair(rng, shape):
    x = rng.standard_normal(shape)
    return zg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _same_step(rng, ours, theirs, inputs, call, tcall, rtol=1e-6, atol=1e-8):
    out, expected = call(ours, *inputs[0]), tcall(theirs, *inputs[1])
    assert_close(out, expected, rtol, atol, what="output")
    seed = rng.standard_normal(tuple(expected.shape))
    (out * zg.tensor(seed)).sum().backward()
    (expected * torch.tensor(seed)).sum().backward()
    for mine, reference in zip(inputs[0], inputs[1]):
        if isinstance(mine, zg.Tensor) and mine.requires_grad:
            assert_close(mine.grad, reference.grad, rtol, atol, what="input gradient")
    assert_grads_match(ours, theirs, rtol, atol)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_decoder_layer_matches_torch(rng, norm_first, batch_first, activation):
    options = dict(dim_feedforward=12, dropout=0.0, activation=activation, batch_first=batch_first,
                   norm_first=norm_first)
    theirs = torch.nn.TransformerDecoderLayer(8, 2, dtype=torch.float64, **options)
    ours = nn.TransformerDecoderLayer(8, 2, dtype=np.float64, **options)
    load_from_torch(ours, theirs)
    tgt_shape, memory_shape = ((3, 5, 8), (3, 7, 8)) if batch_first else ((5, 3, 8), (7, 3, 8))
    (tgt, ttgt), (memory, tmemory) = _pair(rng, tgt_shape), _pair(rng, memory_shape)
    causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=np.float64)
    padding = rng.random((3, 7)) < 0.3
    padding[:, 0] = False

    def call(layer, t, m, *masks):
        return layer(t, m, tgt_mask=masks[0], memory_key_padding_mask=masks[1])

    _same_step(rng, ours, theirs, ([tgt, memory, causal, zg.tensor(padding)],
                                   [ttgt, tmemory, torch.tensor(causal.numpy()), torch.tensor(padding)]), call, call)


def test_unbatched_decoder_layer_matches_torch(rng):
    theirs = torch.nn.TransformerDecoderLayer(6, 3, dim_feedforward=10, dropout=0.0, dtype=torch.float64)
    ours = nn.TransformerDecoderLayer(6, 3, dim_feedforward=10, dropout=0.0, dtype=np.float64)
    load_from_torch(ours, theirs)
    (tgt, ttgt), (memory, tmemory) = _pair(rng, (4, 6)), _pair(rng, (2, 6))
    _same_step(rng, ours, theirs, ([tgt, memory], [ttgt, tmemory]), lambda layer, t, m: layer(t, m),
               lambda layer, t, m: layer(t, m))


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_matches_torch(rng, norm_first):
    options = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16, dropout=0.0,
                   batch_first=True, norm_first=norm_first)
    theirs = torch.nn.Transformer(dtype=torch.float64, **options)
    ours = nn.Transformer(dtype=np.float64, **options)
    assert sorted(name for name, _ in ours.named_parameters()) == sorted(name for name, _ in theirs.named_parameters())
    load_from_torch(ours, theirs)
    (src, tsrc), (tgt, ttgt) = _pair(rng, (2, 6, 8)), _pair(rng, (2, 4, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=np.float64)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    assert_close(mask, tmask, what="causal mask")

    def call(model, s, t, m):
        return model(s, t, tgt_mask=m, tgt_is_causal=True)

    _same_step(rng, ours, theirs, ([src, tgt, mask], [tsrc, ttgt, tmask]), call, call)


def test_transformer_starts_xavier_uniform_and_refuses_mismatched_shapes():
    model = nn.Transformer(d_model=16, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32)
    weight = model.encoder.layers[0].linear1.weight.detach().numpy()
    bound = np.sqrt(6 / (16 + 32))
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.8 * bound
    with pytest.raises(RuntimeError, match="batch number"):
        model(zg.randn(5, 2, 16), zg.randn(4, 3, 16))
    with pytest.raises(RuntimeError, match="d_model=16"):
        model(zg.randn(5, 2, 16), zg.randn(4, 2, 8))
    with pytest.raises(ValueError, match="num_layers"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 4), 0)


def test_a_tiny_transformer_learns_to_copy():
    """Trained for a few hundred steps, the encoder–decoder copies a short sequence (loss falls far)."""
    zg.manual_seed(0)
    vocab, length, dim = 6, 5, 16
    embed = nn.Embedding(vocab, dim)
    model = nn.Transformer(d_model=dim, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=32,
                           dropout=0.0, batch_first=True)
    head = nn.Linear(dim, vocab)
    params = list(embed.parameters()) + list(model.parameters()) + list(head.parameters())
    opt = zg.optim.Adam(params, lr=1e-2)
    mask = nn.Transformer.generate_square_subsequent_mask(length)
    positions = nn.functional.sinusoidal_positions(length, dim)
    rng = np.random.default_rng(0)
    losses = []
    for _ in range(150):
        seq = rng.integers(1, vocab, (16, length))
        start = np.zeros((16, 1), dtype=np.int64)
        decoder_in = np.concatenate([start, seq[:, :-1]], axis=1)
        out = model(embed(zg.tensor(seq)) + positions, embed(zg.tensor(decoder_in)) + positions, tgt_mask=mask)
        loss = nn.functional.cross_entropy(head(out).reshape(-1, vocab), zg.tensor(seq.reshape(-1)))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert np.mean(losses[-10:]) < 0.3 * np.mean(losses[:10])
