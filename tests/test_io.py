"""zengrad.save / zengrad.load: round trips, corruption detection, atomic saves, no pickle."""

import io
import os
import pickle
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import zengrad as zg
import zengrad.io
import zengrad.nn as nn
from conftest import to_numpy


def _assert_same(loaded, original):
    assert type(loaded) is type(original) or (isinstance(original, zg.Tensor) and isinstance(loaded, zg.Tensor))
    if isinstance(original, zg.Tensor):
        assert loaded.shape == original.shape and loaded.dtype == original.dtype
        assert loaded.device == "cpu"
        np.testing.assert_array_equal(to_numpy(loaded), to_numpy(original.detach()))
    elif isinstance(original, np.ndarray):
        assert loaded.shape == original.shape and loaded.dtype == original.dtype
        np.testing.assert_array_equal(loaded, original)
    elif isinstance(original, dict):
        assert list(loaded) == list(original)
        for key in original:
            _assert_same(loaded[key], original[key])
    elif isinstance(original, (list, tuple)):
        assert len(loaded) == len(original)
        for a, b in zip(loaded, original):
            _assert_same(a, b)
    elif isinstance(original, float) and np.isnan(original):
        assert np.isnan(loaded)
    else:
        assert loaded == original


@pytest.fixture
def nested(rng):
    return {
        "weights": OrderedDict([("w32", zg.tensor(rng.standard_normal((3, 4)).astype(np.float32))),
                                ("w64", zg.tensor(rng.standard_normal((2, 2, 2)), dtype=zg.float64)),
                                ("ids", zg.tensor(rng.integers(-5, 5, 7))),
                                ("scalar", zg.tensor(2.5)),
                                ("empty", zg.zeros(0, 3)),
                                ("mask", zg.tensor(np.array([True, False])))]),
        "history": [1, 2.5, None, True, "text", (3, "x"), [], {}],
        7: {"epoch": 12, "loss": float("nan"), "best": float("inf")},
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "strided": zg.tensor(rng.standard_normal((4, 5)).astype(np.float32)).T,
    }


def test_round_trip_of_nested_structures(tmp_path, nested):
    path = tmp_path / "ckpt.zg"
    zg.save(nested, path)
    _assert_same(zg.load(path), nested)


def test_requires_grad_survives_and_loaded_tensors_are_writable(tmp_path):
    param = nn.Parameter(zg.ones(2))
    zg.save({"p": param, "t": zg.ones(2)}, tmp_path / "c")
    loaded = zg.load(str(tmp_path / "c"))
    assert loaded["p"].requires_grad and not loaded["t"].requires_grad
    loaded["t"]._data[0] = 5


def test_model_and_optimizer_round_trip_gives_identical_outputs(tmp_path, rng):
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.LSTMCell(5, 4))
    opt = zg.optim.Adam(model.parameters(), lr=0.01)
    x = zg.tensor(rng.standard_normal((6, 3)).astype(np.float32))
    for _ in range(2):
        opt.zero_grad()
        h, c = model(x)
        (h.sum() + c.sum()).backward()
        opt.step()
    zg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2}, tmp_path / "m.zg")

    fresh = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.LSTMCell(5, 4))
    fresh_opt = zg.optim.Adam(fresh.parameters(), lr=0.5)
    checkpoint = zg.load(tmp_path / "m.zg")
    fresh.load_state_dict(checkpoint["model"])
    fresh_opt.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 2
    model.eval()
    fresh.eval()
    for mine, reference in zip(fresh(x), model(x)):
        np.testing.assert_array_equal(to_numpy(mine), to_numpy(reference))
    model.train()
    fresh.train()
    for net, optimizer in ((model, opt), (fresh, fresh_opt)):
        optimizer.zero_grad()
        h, c = net(x)
        (h.sum() + c.sum()).backward()
        optimizer.step()
    for (name, a), (_, b) in zip(model.state_dict().items(), fresh.state_dict().items()):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b), err_msg=name)


def _saved(tmp_path, obj=None):
    path = tmp_path / "good.zg"
    zg.save({"w": zg.randn(16, 8), "step": 3} if obj is None else obj, path)
    return path


def test_truncated_file_is_reported(tmp_path):
    path = _saved(tmp_path)
    blob = path.read_bytes()
    for cut in (len(blob) - 1, len(blob) // 2, 120, 30):
        path.write_bytes(blob[:cut])
        with pytest.raises(ValueError, match=f"{path}.*(truncated|corrupted|bad checkpoint header)"):
            zg.load(path)


def test_every_flipped_byte_is_caught(tmp_path):
    path = _saved(tmp_path, {"w": zg.randn(3, 2), "b": zg.tensor([1, 2]), "n": 1})
    blob = path.read_bytes()
    for position in range(0, len(blob), max(1, len(blob) // 60)):
        corrupted = bytearray(blob)
        corrupted[position] ^= 0x01
        path.write_bytes(bytes(corrupted))
        with pytest.raises(ValueError, match=str(path)):
            zg.load(path)


def test_foreign_files_are_rejected(tmp_path, rng):
    candidates = {"pickle.pkl": pickle.dumps({"w": np.ones(3)}),
                  "random.bin": rng.integers(0, 256, 512).astype(np.uint8).tobytes(),
                  "empty.bin": b"",
                  "npy.npy": b"\x93NUMPY\x01\x00" + b" " * 100}
    for name, content in candidates.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"{path}: not a zengrad checkpoint"):
            zg.load(path)


def test_bad_header_with_valid_checksum_is_reported(tmp_path):
    import hashlib
    header = b'{"root":{"type":"evil","index":0},"tensors":[],"payload_size":0}'
    path = tmp_path / "forged.zg"
    path.write_bytes(b"ZENGRAD-CHECKPOINT 1 %d %s\n" % (len(header), hashlib.sha256(header).hexdigest().encode())
                     + header)
    with pytest.raises(ValueError, match="bad checkpoint header: unknown node type 'evil'"):
        zg.load(path)
    header = b'{"root":null,"tensors":[{"dtype":"|O","shape":[1],"offset":0,"nbytes":8,"sha256":""}],"payload_size":8}'
    path.write_bytes(b"ZENGRAD-CHECKPOINT 1 %d %s\n" % (len(header), hashlib.sha256(header).hexdigest().encode())
                     + header + b"\0" * 8)
    with pytest.raises(ValueError, match="unsupported dtype"):
        zg.load(path)


def test_failed_save_leaves_previous_file_intact(tmp_path):
    path = _saved(tmp_path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"cannot save an object of type object at root\['bad'\]"):
        zg.save({"w": zg.ones(2), "bad": object()}, path)
    with pytest.raises(TypeError, match="dict key"):
        zg.save({(1, 2): 3}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.zg"]


def test_save_replaces_atomically(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(zengrad.io.os, "replace", lambda a, b: calls.append((a, b)) or real_replace(a, b))
    zg.save({"new": 1}, path)
    (temporary, destination), = calls
    assert Path(temporary).parent == tmp_path and destination == str(path)
    assert zg.load(path) == {"new": 1}


def test_load_never_unpickles(tmp_path, monkeypatch, nested):
    path = tmp_path / "c.zg"
    zg.save(nested, path)

    def forbidden(*args, **kwargs):
        raise AssertionError("pickle was called")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, forbidden)
    monkeypatch.setattr(np, "load", forbidden)
    zg.load(path)
    source = Path(zengrad.io.__file__).read_text()
    assert "pickle" not in source.replace("without pickle", "").replace("no pickle", "")


def test_map_location_cpu_and_unknown_device(tmp_path):
    path = _saved(tmp_path)
    assert zg.load(path, map_location="cpu")["w"].device == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        zg.load(path, map_location="tpu")


def test_map_location_cuda(tmp_path, device):
    path = _saved(tmp_path)
    loaded = zg.load(path, map_location=device)
    assert loaded["w"].device == device


def test_interrupted_write_leaves_previous_file_and_no_temporary(tmp_path, monkeypatch):
    path = _saved(tmp_path)
    before = path.read_bytes()

    def disk_failure(fd):
        raise OSError("simulated disk failure")

    monkeypatch.setattr(zengrad.io.os, "fsync", disk_failure)
    with pytest.raises(OSError, match="simulated disk failure"):
        zg.save({"w": zg.ones(1000)}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.zg"]


@pytest.mark.parametrize("value", [np.float64("nan"), np.float64("inf"), np.float64("-inf"), np.float64(0.1),
                                   np.float32("nan"), np.float16(-0.0), np.int64(2 ** 40), np.uint8(7),
                                   np.int32(-3), np.bool_(True)])
def test_numpy_scalars_load_back_as_python_scalars(tmp_path, value):
    path = tmp_path / "scalars.zg"
    zg.save({"value": value, "history": [value, 1.0]}, path)
    loaded = zg.load(path)
    expected = value.item()
    assert type(loaded["value"]) is type(expected)
    if isinstance(expected, float) and np.isnan(expected):
        assert np.isnan(loaded["value"]) and np.isnan(loaded["history"][0])
    else:
        assert loaded["value"] == expected and loaded["history"][0] == expected
        assert np.signbit(loaded["value"]) == np.signbit(expected)


def test_new_files_honour_the_umask_and_replaced_files_keep_their_mode(tmp_path):
    old = os.umask(0o022)
    try:
        zg.save({"a": 1}, tmp_path / "new.zg")
        assert (tmp_path / "new.zg").stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        zg.save({"a": 1}, tmp_path / "private.zg")
        assert (tmp_path / "private.zg").stat().st_mode & 0o777 == 0o600
        os.chmod(tmp_path / "new.zg", 0o640)
        zg.save({"a": 2}, tmp_path / "new.zg")
        assert (tmp_path / "new.zg").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, MemoryError])
def test_save_interrupted_mid_write_removes_its_temporary(tmp_path, monkeypatch, interruption):
    path = _saved(tmp_path)
    before = path.read_bytes()
    writes = []

    class Interrupting:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            writes.append(len(data))
            if len(writes) == 2:
                raise interruption()
            return self.file.write(data)

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.file.__exit__(*exc)

    real_fdopen = os.fdopen
    monkeypatch.setattr(zengrad.io.os, "fdopen", lambda *a, **k: Interrupting(real_fdopen(*a, **k)))
    with pytest.raises(interruption):
        zg.save({"w": zg.ones(1000)}, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.zg"]


def test_full_disk_names_the_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    import errno
    path = _saved(tmp_path)
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zengrad.io.os, "fsync", full)
    with pytest.raises(OSError) as raised:
        zg.save({"w": zg.ones(10)}, path)
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.zg"]


def test_a_directory_where_the_file_belongs_is_left_alone(tmp_path):
    (tmp_path / "c.zg").mkdir()
    with pytest.raises(IsADirectoryError) as raised:
        zg.save({"a": 1}, tmp_path / "c.zg")
    assert raised.value.filename == str(tmp_path / "c.zg")
    assert os.listdir(tmp_path) == ["c.zg"] and os.listdir(tmp_path / "c.zg") == []


def test_save_and_load_take_binary_file_objects_and_torchs_load_flags(tmp_path):
    model = zg.nn.Linear(3, 2)
    buffer = io.BytesIO()
    zg.save({"model": model.state_dict(), "step": 5}, buffer)
    buffer.seek(0)
    restored = zg.load(buffer, map_location=zg.device("cpu"), weights_only=True, mmap=False)
    assert restored["step"] == 5
    np.testing.assert_array_equal(restored["model"]["weight"].numpy(), model.weight.detach().numpy())
    with open(tmp_path / "on_disk.pt", "wb") as file:
        zg.save([zg.arange(4)], file)
    with open(tmp_path / "on_disk.pt", "rb") as file:
        np.testing.assert_array_equal(zg.load(file)[0].numpy(), np.arange(4))
    with pytest.raises(ValueError, match="not a zengrad checkpoint"):
        zg.load(io.BytesIO(b"not a checkpoint"))


def test_file_objects_and_weights_only_like_torch(tmp_path):
    state = {"w": zg.tensor([[1.0, 2.0]], requires_grad=True), "step": 3}
    buffer = io.BytesIO()
    buffer.write(b"x")  # saving writes at the current position, loading reads from it
    zg.save(state, buffer)
    buffer.seek(1)
    loaded = zg.load(buffer, weights_only=True)
    assert loaded["step"] == 3 and loaded["w"].requires_grad and loaded["w"].tolist() == [[1.0, 2.0]]
    with open(tmp_path / "c.pt", "wb") as file:
        zg.save(state, file)
    with open(tmp_path / "c.pt", "rb") as file:
        assert zg.load(file, map_location="cpu", weights_only=False)["step"] == 3
    truncated = io.BytesIO(buffer.getvalue()[1:-3])
    with pytest.raises(ValueError, match="truncated"):
        zg.load(truncated)
    with open(tmp_path / "c.pt", "r", encoding="latin-1") as file, pytest.raises(TypeError, match="binary"):
        zg.load(file)


def test_a_whole_module_is_saved_and_loaded_only_with_weights_only_false(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    model = zg.nn.Sequential(zg.nn.Linear(3, 4), zg.nn.ReLU(), zg.nn.Linear(4, 2))
    optimizer = zg.optim.Adam(model.parameters(), lr=0.01)
    path = tmp_path / "whole.pt"
    zg.save({"model": model, "optimizer": optimizer, "epoch": 3}, path)
    calls = []
    real_loads = pickle.loads
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: calls.append(1) or real_loads(*a, **k))
    for refused in (None, True):
        with pytest.raises(pickle.UnpicklingError, match="weights_only"):
            zg.load(path, weights_only=refused)
    assert not calls  # refused before anything was unpickled
    restored = zg.load(path, weights_only=False)
    x = zg.randn(5, 3)
    np.testing.assert_array_equal(restored["model"](x).detach().numpy(), model(x).detach().numpy())
    assert restored["epoch"] == 3 and restored["optimizer"].param_groups[0]["lr"] == 0.01
    their = tmp_path / "torch.pt"  # PyTorch refuses the same way by default
    torch.save(torch.nn.Linear(2, 2), their)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(their)
    corrupted = path.read_bytes()[:-3] + b"xyz"
    path.write_bytes(corrupted)
    with pytest.raises(ValueError, match="checksum"):
        zg.load(path, weights_only=False)
