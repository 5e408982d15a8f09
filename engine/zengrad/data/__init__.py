"""Data: the embedded digits, IDX (MNIST-format) files, text corpora, time series, DataLoader."""

from .digits import ImageDataset, digits
from .idx import idx, mnist
from .loader import DataLoader, TensorDataset
from .series import series, windows
from .text import CharCorpus, text

__all__ = ["CharCorpus", "DataLoader", "ImageDataset", "TensorDataset", "digits", "idx", "mnist",
           "series", "text", "windows"]
