"""Utilities under PyTorch's names: ``zengrad.utils.data`` (datasets, samplers, collation, DataLoader)."""

from . import data

__all__ = ["data"]
