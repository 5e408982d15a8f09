"""IDX files, the format of MNIST and Fashion-MNIST: a magic number, dimension sizes, raw data.

Header: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
0x0E float64), the number of dimensions, then one big-endian uint32 per dimension.
Files may be gzip-compressed (``.gz``).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np

from .digits import ImageDataset

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def idx(path) -> np.ndarray:
    """Read one IDX file (optionally .gz) into a NumPy array; malformed files raise ValueError."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ValueError(f"idx: cannot read {path}: {error}") from error
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise ValueError(f"idx: {path} is not an IDX file (bad magic number)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"idx: {path} is truncated inside its header")
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_TYPES[data[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise ValueError(f"idx: {path} holds {len(data) - header} bytes of data, its header "
                         f"promises {expected} for shape {shape}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


def _candidate_folders(root) -> list[Path]:
    folders = []
    if root is not None:
        folders.append(Path(root))
    if os.environ.get("ZENGRAD_DATA"):
        base = Path(os.environ["ZENGRAD_DATA"])
        folders += [base, base / "fashion-mnist", base / "mnist"]
    folders.append(Path(DEBIAN_FASHION_MNIST))
    return folders


def _find(folder: Path, stem: str):
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def mnist(root=None, split: str = "train") -> ImageDataset:
    """MNIST-format images and labels from IDX files (MNIST, Fashion-MNIST).

    Looks in ``root``, then ``$ZENGRAD_DATA`` (and its ``fashion-mnist``/``mnist`` subfolders),
    then Debian's ``/usr/share/datasets/fashion-mnist`` (package ``dataset-fashion-mnist``).
    Images come back as float32 in [0, 1].
    """
    if split not in _FILES:
        raise ValueError(f"mnist: split must be 'train' or 'test', got {split!r}")
    image_stem, label_stem = _FILES[split]
    looked = []
    for folder in _candidate_folders(root):
        images_path, labels_path = _find(folder, image_stem), _find(folder, label_stem)
        looked.append(str(folder))
        if images_path and labels_path:
            images, labels = idx(images_path), idx(labels_path)
            if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
                raise ValueError(f"mnist: {images_path} {images.shape} and {labels_path} "
                                 f"{labels.shape} do not form an image set")
            return ImageDataset(images.astype(np.float32) / 255.0, labels.astype(np.int64), folder.name)
    raise FileNotFoundError(
        f"mnist: no {image_stem}[.gz] with {label_stem}[.gz] found; looked in: {', '.join(looked)}. "
        f"Pass a folder, set ZENGRAD_DATA, or install Debian's dataset-fashion-mnist.")
