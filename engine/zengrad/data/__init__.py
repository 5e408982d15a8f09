"""Data: the embedded digits, IDX (MNIST-format) files, image folders, text corpora, time series, DataLoader."""

from .digits import ImageDataset, digits
from .idx import idx, mnist
from .images import image_folder
from .loader import DataLoader, Dataset, Subset, TensorDataset, random_split
from .series import series, windows
from .text import CharCorpus, text

__all__ = ["CharCorpus", "DataLoader", "Dataset", "ImageDataset", "Subset", "TensorDataset", "digits", "idx",
           "image_folder", "mnist", "random_split", "series", "text", "windows"]
