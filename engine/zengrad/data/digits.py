"""The embedded 8×8 handwritten digits (UCI optical digits, CC BY 4.0; see SOURCES.md)."""

from __future__ import annotations

import dataclasses
import importlib.resources

import numpy as np


@dataclasses.dataclass
class ImageDataset:
    """Images with integer labels, indexable as ``(image, label)`` pairs for a DataLoader.

    It also unpacks into its two arrays as Tensors — ``X, y = digits()`` gives the (N, H, W)
    float32 images and the (N,) int64 labels — so iterating over it yields those two, not the
    items (use indexing or a DataLoader for items).

    Attributes:
        images: float32 array (N, H, W), or (N, C, H, W) for colour, with values in [0, 1].
        labels: int64 array (N,), or None for unlabelled images (an image folder); indexing
            then gives the image alone.
    """

    images: np.ndarray
    labels: np.ndarray | None
    name: str = "images"

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index):
        return self.images[index] if self.labels is None else (self.images[index], self.labels[index])

    def __iter__(self):
        from ..tensor import Tensor
        return iter((Tensor(self.images), Tensor(self.labels)))

    def split(self, fraction: float, seed: int = 0):
        """Two datasets: a random ``fraction`` of the items, and the rest."""
        order = np.random.default_rng(seed).permutation(len(self))
        cut = int(round(fraction * len(self)))
        first, second = order[:cut], order[cut:]
        labels = (None, None) if self.labels is None else (self.labels[first], self.labels[second])
        return (ImageDataset(self.images[first], labels[0], self.name),
                ImageDataset(self.images[second], labels[1], self.name))


def digits() -> ImageDataset:
    """The 1,797 UCI digits as 8×8 float32 images in [0, 1] (pixel counts 0–16 divided by 16)."""
    with importlib.resources.files(__package__).joinpath("digits.npz").open("rb") as handle:
        archive = np.load(handle)
        pixels, labels = archive["pixels"], archive["labels"]
    return ImageDataset(pixels.astype(np.float32) / 16.0, labels.astype(np.int64), "digits")
