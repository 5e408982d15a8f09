"""A folder of PNG/JPEG images as one array: ``image_folder(path, size, channels)``.

Each file is opened with Pillow, converted to gray (``channels=1``, Pillow's "L":
0.299 R + 0.587 G + 0.114 B) or RGB (``channels=3``), centre-cropped to a square on its shorter
side, resized to ``size × size`` (Lanczos), and scaled to [0, 1]. The result is cached next to
nothing the user owns: in ``cache_dir`` (default ``~/.cache/zengrad/image_folder``) under a key
made of the folder's file names, sizes and modification times and the settings, so a changed
folder is read again.

Unreadable files (not an image, truncated) are **refused**: the error names every one of them
(after trying all the files), because silently training on part of a folder is a surprise. Files
whose extension is not an image's (``.txt``, ``.DS_Store``) are not images and are ignored.
A progress bar (tqdm) shows for folders of more than ``progress_from`` images.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from .digits import ImageDataset

EXTENSIONS = (".png", ".jpg", ".jpeg")
_MODES = {1: "L", 3: "RGB"}


def _pillow():
    try:
        from PIL import Image
    except ImportError as error:  # pragma: no cover - Pillow is installed where the tests run
        raise ImportError("image_folder: reading PNG/JPEG files needs Pillow (pip install pillow)") from error
    return Image


def image_files(path) -> list[Path]:
    """The PNG/JPEG files of a folder and its sub-folders, in sorted order."""
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"image_folder: {folder} is not a folder")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
    if not files:
        raise ValueError(f"image_folder: no PNG or JPEG files in {folder}")
    return files


def load_image(file, size: int, channels: int) -> np.ndarray:
    """One image file → float32 (channels, size, size) in [0, 1], centre-cropped and resized."""
    Image = _pillow()
    with Image.open(file) as opened:
        image = opened.convert(_MODES[channels])
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    image = image.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
    array = np.asarray(image, dtype=np.float32) / 255.0
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def _cache_key(files: list[Path], size: int, channels: int) -> str:
    digest = hashlib.sha256(f"{size}:{channels}".encode())
    for file in files:
        stat = file.stat()
        digest.update(f"{file}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def image_folder(path, size: int = 32, channels: int = 3, cache_dir=None, progress_from: int = 200) -> ImageDataset:
    """Every PNG/JPEG under ``path`` as an unlabelled :class:`ImageDataset` of float32 images
    (N, channels, size, size) in [0, 1]; see the module docstring for cropping, caching and errors."""
    if channels not in _MODES:
        raise ValueError(f"image_folder: channels must be 1 or 3, got {channels}")
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"image_folder: size must be a positive integer, got {size!r}")
    files = image_files(path)
    cache = Path(cache_dir or Path.home() / ".cache" / "zengrad" / "image_folder")
    cached = cache / f"{_cache_key(files, size, channels)}.npy"
    name = f"folder:{Path(path).name}"
    if cached.exists():
        return ImageDataset(np.load(cached), None, name)
    from tqdm.auto import tqdm
    images, unreadable = [], []
    for file in tqdm(files, desc="reading images", unit="image", disable=len(files) <= progress_from):
        try:
            images.append(load_image(file, size, channels))
        except (OSError, ValueError, SyntaxError) as error:
            unreadable.append(f"{file} ({error})")
    if unreadable:
        raise ValueError(f"image_folder: {len(unreadable)} of {len(files)} files cannot be read as images: "
                         + "; ".join(unreadable))
    array = np.stack(images)
    cache.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}.tmp.npy")
    np.save(temporary, array)
    os.replace(temporary, cached)
    return ImageDataset(array, None, name)
