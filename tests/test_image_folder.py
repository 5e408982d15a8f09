"""zengrad.data.image_folder: PNG/JPEG files read with Pillow, centre-cropped, resized, converted
to gray or RGB, cached as one array; unreadable files refused by name; bad arguments refused."""

import numpy as np
import pytest

from zengrad.data import image_folder
from zengrad.data import images as images_module

Image = pytest.importorskip("PIL.Image")


def _save(path, array):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)


@pytest.fixture
def folder(tmp_path, rng):
    root = tmp_path / "pictures"
    _save(root / "a.png", rng.integers(0, 256, (6, 10, 3)))           # RGB, wide
    _save(root / "b.png", rng.integers(0, 256, (9, 5)))               # gray, tall
    _save(root / "nested" / "c.jpg", rng.integers(0, 256, (7, 7, 3)))  # JPEG in a sub-folder
    (root / "notes.txt").write_text("not an image")
    return root


def test_shapes_ranges_and_order(folder, tmp_path):
    data = image_folder(folder, size=4, channels=3, cache_dir=tmp_path / "cache")
    assert data.images.shape == (3, 3, 4, 4) and data.images.dtype == np.float32
    assert data.labels is None and len(data) == 3
    assert 0 <= data.images.min() and data.images.max() <= 1
    gray = image_folder(folder, size=5, channels=1, cache_dir=tmp_path / "cache")
    assert gray.images.shape == (3, 1, 5, 5)


def test_centre_crop_keeps_the_middle_square(tmp_path):
    wide = np.zeros((4, 12, 3), np.uint8)
    wide[:, 4:8] = 255                       # the middle 4 × 4 square is white, the sides black
    _save(tmp_path / "in" / "wide.png", wide)
    tall = np.zeros((12, 4, 3), np.uint8)
    tall[4:8] = 255
    _save(tmp_path / "in" / "tall.png", tall)
    data = image_folder(tmp_path / "in", size=4, channels=3, cache_dir=tmp_path / "cache")
    np.testing.assert_allclose(data.images, 1.0)
    assert image_folder(tmp_path / "in", size=2, channels=3, cache_dir=tmp_path / "cache").images.min() > 0.99


def test_gray_conversion_is_itu_601_luma(tmp_path):
    colour = (200, 30, 90)
    _save(tmp_path / "in" / "solid.png", np.tile(np.array(colour, np.uint8), (6, 6, 1)))
    data = image_folder(tmp_path / "in", size=3, channels=1, cache_dir=tmp_path / "cache")
    expected = (0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]) / 255
    np.testing.assert_allclose(data.images, expected, atol=1 / 255)


def test_cache_is_used_and_invalidated(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = image_folder(folder, size=4, channels=3, cache_dir=cache)
    assert len(list(cache.glob("*.npy"))) == 1

    def refuse(*args):
        raise AssertionError("read a file although the cache was valid")
    monkeypatch.setattr(images_module, "load_image", refuse)
    np.testing.assert_array_equal(image_folder(folder, size=4, channels=3, cache_dir=cache).images, first.images)
    monkeypatch.undo()
    _save(folder / "a.png", np.zeros((8, 8, 3)))            # a changed file is read again
    changed = image_folder(folder, size=4, channels=3, cache_dir=cache)
    np.testing.assert_array_equal(changed.images[0], 0.0)


def test_unreadable_files_are_refused_by_name(folder, tmp_path):
    (folder / "broken.png").write_bytes(b"\x89PNG not really")
    (folder / "empty.jpg").write_bytes(b"")
    with pytest.raises(ValueError, match=r"2 of 5 files cannot be read") as error:
        image_folder(folder, size=4, channels=3, cache_dir=tmp_path / "cache")
    assert "broken.png" in str(error.value) and "empty.jpg" in str(error.value)
    assert not list((tmp_path / "cache").glob("*.npy"))       # nothing half-read was cached


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(channels=2), ValueError, "channels must be 1 or 3"),
    (dict(size=0), ValueError, "size must be a positive integer"),
    (dict(size=3.5), ValueError, "size must be a positive integer"),
])
def test_bad_arguments(folder, tmp_path, kwargs, error, match):
    with pytest.raises(error, match=match):
        image_folder(folder, **{"size": 4, "channels": 3, "cache_dir": tmp_path, **kwargs})


def test_missing_or_empty_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        image_folder(tmp_path / "nowhere", 4, 3)
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    with pytest.raises(ValueError, match="no PNG or JPEG files"):
        image_folder(tmp_path / "empty", 4, 3)


def test_progress_bar_for_large_folders(folder, tmp_path, capsys):
    image_folder(folder, size=4, channels=3, cache_dir=tmp_path / "quiet")
    assert "reading images" not in capsys.readouterr().err
    image_folder(folder, size=4, channels=3, cache_dir=tmp_path / "loud", progress_from=2)
    assert "reading images" in capsys.readouterr().err
