"""DataLoader and TensorDataset now live in :mod:`zengrad.utils.data` (PyTorch's place); they are
re-exported here for the code that imports them from ``zengrad.data``."""

from ..utils.data import DataLoader, Dataset, Subset, TensorDataset, random_split

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "random_split"]
