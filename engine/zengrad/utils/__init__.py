"""Utilities under PyTorch's names: ``zengrad.utils.data`` (datasets, samplers, collation, DataLoader)
and ``zengrad.utils.checkpoint`` (gradient checkpointing)."""

from . import checkpoint, data

__all__ = ["checkpoint", "data"]
