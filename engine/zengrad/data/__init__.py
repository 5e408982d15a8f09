"""Data: the embedded digits, IDX (MNIST-format) files, image folders, text corpora, time series, DataLoader."""

from .digits import ImageDataset, digits
from .idx import idx, mnist
from .images import image_folder
from .loader import DataLoader, TensorDataset
from .series import series, windows
from .text import CharCorpus, text

__all__ = ["CharCorpus", "DataLoader", "ImageDataset", "TensorDataset", "digits", "idx", "image_folder", "mnist",
           "series", "text", "windows"]
