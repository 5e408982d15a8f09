"""zengrad.data: embedded digits, IDX files, text corpora, series, DataLoader."""

import gzip

import numpy as np
import pytest

import zengrad as zg
from zengrad.data import DataLoader, TensorDataset


def test_embedded_digits():
    d = zg.data.digits()
    assert d.images.shape == (1797, 8, 8) and d.images.dtype == np.float32
    assert d.images.min() == 0 and d.images.max() == 1
    assert sorted(set(d.labels.tolist())) == list(range(10))
    train, val = d.split(0.8, seed=1)
    assert len(train) + len(val) == len(d) and abs(len(train) - 0.8 * len(d)) <= 1


def _write_idx(path, array, type_code, compress=False):
    header = bytes([0, 0, type_code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    (gzip.open if compress else open)(path, "wb").write(payload)


@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, compress, rng):
    images = rng.integers(0, 256, (5, 3, 4)).astype(np.uint8)
    floats = rng.standard_normal((2, 7)).astype(np.float32)
    suffix = ".gz" if compress else ""
    _write_idx(tmp_path / f"a{suffix}", images, 0x08, compress)
    _write_idx(tmp_path / f"b{suffix}", floats, 0x0D, compress)
    np.testing.assert_array_equal(zg.data.idx(tmp_path / f"a{suffix}"), images)
    np.testing.assert_array_equal(zg.data.idx(tmp_path / f"b{suffix}"), floats)


def test_idx_rejects_malformed_files(tmp_path):
    (tmp_path / "junk").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="not an IDX file"):
        zg.data.idx(tmp_path / "junk")
    _write_idx(tmp_path / "short", np.zeros((4, 4), np.uint8), 0x08)
    data = (tmp_path / "short").read_bytes()
    (tmp_path / "short").write_bytes(data[:-3])
    with pytest.raises(ValueError, match="header promises 16"):
        zg.data.idx(tmp_path / "short")


def test_mnist_folder_and_missing_message(tmp_path, monkeypatch, rng):
    images = rng.integers(0, 256, (6, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 10, 6).astype(np.uint8)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images, 0x08, True)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels, 0x08, True)
    monkeypatch.setenv("ZENGRAD_DATA", str(tmp_path))
    ds = zg.data.mnist(split="test")
    np.testing.assert_allclose(ds.images, images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.labels, labels)
    with pytest.raises(FileNotFoundError, match=f"looked in: .*{tmp_path}"):
        zg.data.mnist(split="train")


def test_text_corpus(tmp_path):
    corpus = zg.data.text(max_chars=5000)
    assert len(corpus.text) == 5000 and "standard library" in corpus.source
    codes = corpus.codes()
    assert corpus.decode(codes) == corpus.text
    train, val = corpus.split(0.1)
    assert len(train) + len(val) == len(codes)
    (tmp_path / "t.txt").write_text("abcabc")
    assert zg.data.text(tmp_path / "t.txt").chars == "abc"
    with pytest.raises(FileNotFoundError, match="cannot read"):
        zg.data.text(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="not in the vocabulary"):
        corpus.encode("\x00")


def test_series_and_windows():
    sun = zg.data.series("sunspots")
    assert sun.shape == (309,) and sun.min() >= 0
    count = zg.data.series("counting", length=10)
    x, y = zg.data.windows(count, 5)
    np.testing.assert_array_equal(y, x + 1)
    assert zg.data.series("sines", seed=3).std() > 0.5
    with pytest.raises(ValueError, match="unknown series"):
        zg.data.series("stocks")
    with pytest.raises(ValueError, match="too short"):
        zg.data.windows(count, 10)


@pytest.mark.parametrize("n,batch,drop_last", [(1, 4, False), (10, 3, False), (10, 3, True), (12, 4, True)])
def test_dataloader_batches(n, batch, drop_last):
    xs = np.arange(n * 2, dtype=np.float32).reshape(n, 2)
    ys = np.arange(n)
    loader = DataLoader(TensorDataset(xs, ys), batch_size=batch, shuffle=True, drop_last=drop_last, seed=5)
    seen = []
    for x, y in loader:
        assert x.shape[1:] == (2,) and len(x) == len(y)
        assert len(y) == batch or not drop_last
        np.testing.assert_array_equal(x.numpy()[:, 0], 2 * y.numpy())
        seen.extend(y.numpy().tolist())
    assert len(seen) == len(loader) * batch if drop_last else sorted(seen) == list(range(n))


def test_dataloader_shuffle_is_seeded_and_changes_each_epoch():
    ds = TensorDataset(np.arange(20))
    first = [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=20, shuffle=True, seed=1)]
    again = [b[0].numpy().tolist() for b in DataLoader(ds, batch_size=20, shuffle=True, seed=1)]
    assert first == again
    loader = DataLoader(ds, batch_size=20, shuffle=True, seed=1)
    epoch1, epoch2 = [next(iter(loader))[0].numpy().tolist() for _ in range(2)]
    assert epoch1 != epoch2 and sorted(epoch1) == list(range(20))


def test_dataloader_over_a_plain_dataset():
    d = zg.data.digits()
    x, y = next(iter(DataLoader(d, batch_size=7)))
    assert x.shape == (7, 8, 8) and y.dtype == zg.int64
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(d, batch_size=0)
