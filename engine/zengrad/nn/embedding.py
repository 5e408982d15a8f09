"""Embedding and EmbeddingBag: a learnable lookup table from integer ids to vectors (and their sums,
means or maxima over bags of ids)."""

from __future__ import annotations

from . import functional as F
from .functional.embedding import _padding_index
from . import init
from ._factory import empty_parameter
from .module import Module
from .parameter import Parameter


class Embedding(Module):
    """out[..., :] = weight[input[...], :] with weight of shape (num_embeddings, embedding_dim),
    initialised N(0, 1). Indices may repeat; their gradients add up in the shared row.

    ``padding_idx`` names a row that starts at zero and receives no gradient (a padding token);
    ``max_norm`` rescales the rows looked up to at most that ``norm_type``-norm (in place, see
    :func:`~zengrad.nn.functional.embedding`); ``_weight`` gives the initial table.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                 sparse: bool = False, _weight=None, _freeze: bool = False, device=None, dtype=None):
        super().__init__()
        if sparse:
            raise ValueError("Embedding: sparse gradients are not supported")
        self.num_embeddings = num_embeddings
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        self.embedding_dim = embedding_dim
        self.padding_idx = None if padding_idx is None else _padding_index(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        if _weight is None:
            self.weight = empty_parameter(num_embeddings, embedding_dim, device=device, dtype=dtype)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {tuple(_weight.shape)}, expected "
                                 f"{(num_embeddings, embedding_dim)}")
            self.weight = Parameter(_weight.detach(), requires_grad=not _freeze)  # shares the table, as PyTorch

    @classmethod
    def from_pretrained(cls, embeddings, freeze: bool = True, padding_idx: int | None = None,
                        max_norm: float | None = None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> "Embedding":
        """An Embedding whose table is a copy of the 2-D ``embeddings``, frozen (no gradient) unless
        ``freeze=False``; it shares the tensor's data, as in PyTorch."""
        if embeddings.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape {embeddings.shape}")
        rows, dim = embeddings.shape
        return cls(rows, dim, padding_idx=padding_idx, max_norm=max_norm, norm_type=norm_type,
                   scale_grad_by_freq=scale_grad_by_freq, sparse=sparse, _weight=embeddings, _freeze=freeze)

    def reset_parameters(self) -> None:
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type, self.scale_grad_by_freq)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2.0:
            text += f", norm_type={self.norm_type}"
        return f"{text}, scale_grad_by_freq=True" if self.scale_grad_by_freq else text


class EmbeddingBag(Module):
    """One vector per bag of ids: the sum, mean or max of their embedding rows (see
    :func:`~zengrad.nn.functional.embedding_bag`); weight (num_embeddings, embedding_dim), N(0, 1)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, max_norm=None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                 include_last_offset: bool = False, padding_idx: int | None = None, device=None, dtype=None):
        super().__init__()
        if mode not in ("sum", "mean", "max"):
            raise ValueError(f"EmbeddingBag: mode must be 'sum', 'mean' or 'max', got {mode!r}")
        self.num_embeddings, self.embedding_dim, self.mode = num_embeddings, embedding_dim, mode
        self.max_norm, self.norm_type, self.scale_grad_by_freq = max_norm, norm_type, scale_grad_by_freq
        self.sparse, self.include_last_offset = sparse, include_last_offset
        self.padding_idx = None if padding_idx is None else _padding_index(padding_idx, num_embeddings)
        self.weight = empty_parameter(num_embeddings, embedding_dim, device=device, dtype=dtype)
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._data[self.padding_idx] = 0

    def forward(self, input, offsets=None, per_sample_weights=None):
        return F.embedding_bag(input, self.weight, offsets, self.max_norm, self.norm_type, self.scale_grad_by_freq,
                               self.mode, self.sparse, per_sample_weights, self.include_last_offset, self.padding_idx)

    def extra_repr(self) -> str:
        """PyTorch's: the sizes, the settings that differ from their defaults, the quoted mode, then padding_idx."""
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm!r}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type!r}"
        if self.scale_grad_by_freq:
            text += f", scale_grad_by_freq={self.scale_grad_by_freq!r}"
        text += f", mode={self.mode!r}"
        return text if self.padding_idx is None else f"{text}, padding_idx={self.padding_idx!r}"
