"""Utilities under PyTorch's names: ``zengrad.utils.data`` (datasets, DataLoader, random_split)."""

from . import data

__all__ = ["data"]
