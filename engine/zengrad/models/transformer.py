"""`zengrad train transformer`: a small decoder-only, character-level transformer (a tiny GPT).

On the same text, split and measure as `zengrad train rnn` (bits per character on the held-out
10 %), the model reads characters c₁..c_T (T ≤ block_size) and predicts each next one:

    x⁰_t = E[c_t] + P[t]                                    (token embedding + learned position)
    xˡ   = xˡ⁻¹ + MHA(LN(xˡ⁻¹)) with causal attention       (position t sees positions ≤ t only)
    xˡ   = xˡ + FF(LN(xˡ))                                  (pre-norm blocks, l = 1..L)
    p(c_{t+1} | c_{≤t}) = softmax(LN(x^L_t) Eᵀ)               (weight tying: the output layer is E)

Each block is ``nn.TransformerEncoderLayer(norm_first=True)`` given a causal mask; the training
loop, evaluation, sampling and outputs are the character RNN's (``models.language``).
"""

from __future__ import annotations


from .. import nn
from ..tensor import Tensor
from . import language
from .run import RunOptions


class CharTransformer(nn.Module):
    """Embedding + learned positions → ``layers`` pre-norm causal blocks → LayerNorm → tied output.

    ``forward(codes, state=None)`` takes (B, T) character codes and returns (logits (B, T, vocab),
    state): the state is the last block_size − 1 codes of context, so a caller that feeds one
    character at a time (sampling) gets the same predictions as for the whole window, as with
    the recurrent models' hidden state.
    """

    def __init__(self, vocab_size: int, block_size: int = 64, dim: int = 64, heads: int = 4, layers: int = 2,
                 feedforward: int | None = None, dropout: float = 0.0):
        super().__init__()
        self.block_size = block_size
        self.embed = nn.Embedding(vocab_size, dim)
        nn.init.normal_(self.embed.weight, std=0.02)
        self.positions = nn.LearnedPositionalEmbedding(block_size, dim)
        self.blocks = nn.ModuleList([
            nn.TransformerEncoderLayer(dim, heads, feedforward or 4 * dim, dropout, batch_first=True,
                                       norm_first=True) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)

    def forward(self, codes: Tensor, state: Tensor | None = None):
        new = codes.shape[1]
        if new > self.block_size:
            raise ValueError(f"CharTransformer: {new} characters exceed the block size {self.block_size}")
        context = codes if state is None else Tensor(codes.xp.concatenate([state._data, codes._data], axis=1))
        context = context[:, -self.block_size:]
        x = self.positions(self.embed(context))
        for block in self.blocks:
            x = block(x, is_causal=True)
        logits = nn.functional.linear(self.norm(x[:, -new:]), self.embed.weight)
        return logits, context[:, 1:] if context.shape[1] == self.block_size else context


def train(options: RunOptions, batch_size: int = 32, block_size: int = 64, dim: int = 64, heads: int = 4,
          layers: int = 2, steps_per_epoch: int = 50, lr: float = 3e-3, max_chars: int = 200_000,
          sample_chars: int = 400, cpu_seconds: float | None = None) -> dict:
    """Train :class:`CharTransformer` on windows of ``block_size`` characters (the RNN's seq_len)."""
    return language.fit_char_model(
        options, "transformer", "char-transformer", lambda vocab: CharTransformer(vocab, block_size, dim, heads, layers),
        batch_size=batch_size, seq_len=block_size, steps_per_epoch=steps_per_epoch, lr=lr, max_chars=max_chars,
        sample_chars=sample_chars, cpu_seconds=cpu_seconds, details={"dim": dim, "heads": heads, "layers": layers})


__all__ = ["CharTransformer", "train"]
