"""Embedding: a learnable lookup table from integer ids to vectors."""

from __future__ import annotations

from . import functional as F
from . import init
from ._factory import empty_parameter
from .module import Module


class Embedding(Module):
    """out[..., :] = weight[input[...], :] with weight of shape (num_embeddings, embedding_dim),
    initialised N(0, 1). Indices may repeat; their gradients add up in the shared row."""

    def __init__(self, num_embeddings: int, embedding_dim: int, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.weight = empty_parameter(num_embeddings, embedding_dim, device=device, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.normal_(self.weight)

    def forward(self, input):
        return F.embedding(input, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
