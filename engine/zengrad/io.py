"""Checkpoints without pickle: ``zengrad.save(obj, f)`` and ``zengrad.load(f)``, ``f`` a path or a
binary file object.

Loading a file never runs code from it: the file holds only a JSON description and raw array
bytes, and only plain data types are rebuilt. The layout, in order:

1. one ASCII line: ``ZENGRAD-CHECKPOINT 1 <header length> <sha256 of header>\\n``;
2. the header, UTF-8 JSON: ``{"root": <node>, "tensors": [...], "payload_size": n}``;
3. the payload: every tensor's bytes, back to back (little-endian, C order).

A node is a JSON scalar (None, bool, int, float, str) or a tagged object:
``{"type": "dict" | "ordereddict", "keys": [...], "values": [...]}`` (keys may be str, int, float,
bool or None), ``{"type": "list" | "tuple", "items": [...]}``, or
``{"type": "tensor" | "ndarray", "index": i, "requires_grad": b}`` pointing into ``tensors``,
whose entries give dtype, shape, byte offset, byte length and the sha256 of those bytes. Every
byte of the file is covered by a length or a checksum, so truncation and corruption are found.

``save(model)`` — a module, optimizer or scheduler itself rather than its state_dict — needs the
objects' classes, so it is written as a second kind of file (``whole_objects.py``), which ``load``
reads only when called with ``weights_only=False``, PyTorch's rule since 2.6.

Saving writes a temporary file in the destination's directory, fsyncs it and renames it over
the destination (``os.replace``), so an interrupted or failed save leaves any previous file intact
and no temporary file behind (:func:`atomic_write`, also used for metrics.json). A new file gets
the permissions the umask allows (as ``open`` gives); a replaced file keeps its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import secrets
import stat
from collections import OrderedDict

import numpy as np

from . import backend, whole_objects
from .tensor import Tensor

MAGIC = b"ZENGRAD-CHECKPOINT"
VERSION = 1
_DTYPES = {np.dtype(name).str: np.dtype(name) for name in
           ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "float32", "float64")}
_KEY_TYPES = (str, int, float, bool, type(None))


# ---- saving ----------------------------------------------------------------------------------

class _Encoder:
    """Turns an object tree into a JSON-ready node tree plus the list of arrays it refers to."""

    def __init__(self):
        self.arrays: list[np.ndarray] = []

    def encode(self, obj, where: str):
        if isinstance(obj, np.generic) and np.dtype(obj.dtype).str in _DTYPES:
            return self.encode(obj.item(), where)  # NumPy scalars (np.float64 is also a float) as Python's
        if obj is None or isinstance(obj, (bool, int, str)):
            return obj
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"type": "float", "value": repr(float(obj))}
        if isinstance(obj, Tensor):
            return {"type": "tensor", "index": self._add(obj._data, where), "requires_grad": obj.requires_grad}
        if isinstance(obj, np.ndarray):
            return {"type": "ndarray", "index": self._add(obj, where)}
        if isinstance(obj, dict):
            for key in obj:
                if not isinstance(key, _KEY_TYPES):
                    raise TypeError(f"zengrad.save: dict key {key!r} at {where} has type "
                                    f"{type(key).__name__}; keys must be str, int, float, bool or None")
            kind = "ordereddict" if isinstance(obj, OrderedDict) else "dict"
            return {"type": kind, "keys": [self.encode(k, where) for k in obj],
                    "values": [self.encode(v, f"{where}[{k!r}]") for k, v in obj.items()]}
        if isinstance(obj, (list, tuple)):
            return {"type": "tuple" if isinstance(obj, tuple) else "list",
                    "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if hasattr(obj, "state_dict") and hasattr(obj, "load_state_dict"):
            raise _WholeObject(where)
        raise TypeError(f"zengrad.save: cannot save an object of type {type(obj).__name__} at {where}; "
                        "supported: Tensor, numpy array, dict, list, tuple, str, int, float, bool, None, "
                        "and modules, optimizers and schedulers themselves (loaded with weights_only=False)")

    def _add(self, array, where: str) -> int:
        array = backend.to_device(array, "cpu")
        if array.dtype.str not in _DTYPES and array.dtype.newbyteorder("<").str not in _DTYPES:
            raise TypeError(f"zengrad.save: unsupported dtype {array.dtype} at {where}")
        self.arrays.append(array.astype(array.dtype.newbyteorder("<"), order="C", copy=False))
        return len(self.arrays) - 1


class _WholeObject(Exception):
    """A module, optimizer or scheduler itself (not its state_dict) is part of what is saved."""


def save(obj, f, *, durable: bool = True) -> None:
    """Write ``obj`` (nested dicts/lists/tuples of tensors, arrays, numbers, strings, bools and
    None — e.g. ``{"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}``)
    to the file ``f`` names, atomically, or into a binary file object (``io.BytesIO``, an open
    file). Unsupported objects raise TypeError before anything is written. If ``obj`` holds a
    module, optimizer or scheduler itself (``save(model)``), the whole of it is written as a
    whole-object file instead (``whole_objects.py``), which ``load`` reads back only with
    ``weights_only=False``.

    ``durable=False`` (zengrad addition) skips the fsyncs: the file still replaces the old one
    atomically for other processes, but may not survive a power cut (for frequent checkpoints)."""
    try:
        chunks = _serialized(obj)
    except _WholeObject:
        chunks = whole_objects.serialized(obj)
    if hasattr(f, "write"):
        for chunk in chunks:
            f.write(chunk)
        return
    with atomic_write(os.fspath(f), durable=durable) as file:
        for chunk in chunks:
            file.write(chunk)


def _serialized(obj) -> list[bytes]:
    """The checkpoint of ``obj`` as the byte strings to write in order: preamble, header, tensors."""
    encoder = _Encoder()
    root = encoder.encode(obj, "root")
    entries, blobs, offset = [], [], 0
    for array in encoder.arrays:
        data = array.tobytes()
        blobs.append(data)
        entries.append({"dtype": array.dtype.str, "shape": list(array.shape), "offset": offset,
                        "nbytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        offset += len(data)
    header = json.dumps({"root": root, "tensors": entries, "payload_size": offset},
                        separators=(",", ":")).encode("utf-8")
    preamble = b"%s %d %d %s\n" % (MAGIC, VERSION, len(header), hashlib.sha256(header).hexdigest().encode())
    return [preamble, header, *blobs]


@contextlib.contextmanager
def atomic_write(path, mode: str = "wb", durable: bool = True):
    """A file to write ``path``'s new contents into; it replaces ``path`` only when the block ends
    normally. On any exception — KeyboardInterrupt, a full disk — the temporary file is removed,
    the old ``path`` is left as it was, and an OSError names ``path``.

    The temporary file is created next to ``path`` (so the rename stays on one file system) with
    mode 0o666 filtered by the umask, like ``open``; if ``path`` exists its permissions are kept.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    temporary = None
    try:
        temporary, handle = _new_temporary(path, directory)
        with os.fdopen(handle, mode) as file:
            yield file
            file.flush()
            if durable:
                os.fsync(file.fileno())
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        if error.errno is None or error.filename == path:
            raise
        raise OSError(error.errno, error.strerror, path) from error  # name the file, not the temporary
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    if durable:
        _fsync_directory(directory)


def _new_temporary(path: str, directory: str) -> tuple[str, int]:
    """(name, descriptor) of a new hidden file ``.<name>.<random>.tmp`` beside ``path``."""
    for _ in range(100):
        temporary = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except FileExistsError:
            continue
        try:
            if hasattr(os, "fchmod") and os.path.isfile(path):
                os.fchmod(handle, stat.S_IMODE(os.stat(path).st_mode))
        except BaseException:
            os.close(handle)
            os.unlink(temporary)
            raise
        return temporary, handle
    raise FileExistsError(f"could not create a temporary file beside {path}")


def _fsync_directory(directory: str) -> None:
    """Make the rename durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        return
    finally:
        os.close(fd)


# ---- loading ---------------------------------------------------------------------------------

class _Decoder:
    def __init__(self, path: str, arrays: list, device: str):
        self.path, self.arrays, self.device = path, arrays, device

    def fail(self, message: str):
        raise ValueError(f"{self.path}: bad checkpoint header: {message}")

    def decode(self, node):
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            self.fail(f"unexpected node {str(node)[:80]}")
        kind = node["type"]
        if kind in ("dict", "ordereddict"):
            keys, values = node.get("keys"), node.get("values")
            if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
                self.fail("a dict node needs keys and values of equal length")
            decoded_keys = [self.decode(k) for k in keys]
            if not all(isinstance(k, _KEY_TYPES) for k in decoded_keys):
                self.fail("dict keys must be scalars")
            pairs = zip(decoded_keys, (self.decode(v) for v in values))
            return OrderedDict(pairs) if kind == "ordereddict" else dict(pairs)
        if kind in ("list", "tuple"):
            items = node.get("items")
            if not isinstance(items, list):
                self.fail(f"a {kind} node needs items")
            decoded = [self.decode(v) for v in items]
            return tuple(decoded) if kind == "tuple" else decoded
        if kind == "float":
            if node.get("value") not in ("inf", "-inf", "nan"):
                self.fail(f"bad float value {node.get('value')!r}")
            return float(node["value"])
        if kind in ("tensor", "ndarray"):
            index = node.get("index")
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.arrays):
                self.fail(f"tensor index {index!r} out of range")
            array = self.arrays[index]
            if kind == "ndarray":
                return array
            tensor = Tensor(backend.to_device(array, self.device))
            if node.get("requires_grad") is True and array.dtype.kind == "f":
                tensor.requires_grad_(True)
            return tensor
        self.fail(f"unknown node type {kind!r}")


def _parse_preamble(path: str, blob: bytes) -> tuple[int, str, int]:
    """(header length, header sha256, where the header starts) from the first line."""
    if not blob.startswith(MAGIC + b" "):
        raise ValueError(f"{path}: not a zengrad checkpoint (the file does not start with {MAGIC.decode()!r})")
    end = blob.find(b"\n", 0, 256)
    parts = blob[:end].split(b" ") if end > 0 else []
    if len(parts) != 4 or not parts[1].isdigit() or not parts[2].isdigit() or len(parts[3]) != 64:
        raise ValueError(f"{path}: bad checkpoint header: malformed first line {blob[:80]!r}")
    if int(parts[1]) != VERSION:
        raise ValueError(f"{path}: checkpoint format version {int(parts[1])} is not supported (expected {VERSION})")
    return int(parts[2]), parts[3].decode("ascii", "replace"), end + 1


def _check_entry(path: str, i: int, entry, payload_size: int) -> np.dtype:
    if not isinstance(entry, dict):
        raise ValueError(f"{path}: bad checkpoint header: tensor entry {i} is not an object")
    dtype = _DTYPES.get(entry.get("dtype"))
    shape, offset, nbytes = entry.get("shape"), entry.get("offset"), entry.get("nbytes")
    if dtype is None:
        raise ValueError(f"{path}: bad checkpoint header: tensor {i} has unsupported dtype {entry.get('dtype')!r}")
    if not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ValueError(f"{path}: bad checkpoint header: tensor {i} has invalid shape {shape!r}")
    if not all(isinstance(v, int) and v >= 0 for v in (offset, nbytes)) or \
            nbytes != math.prod(shape) * dtype.itemsize or offset + nbytes > payload_size:
        raise ValueError(f"{path}: bad checkpoint header: tensor {i} (shape {shape}, {dtype}) has an "
                         f"inconsistent byte range (offset {offset!r}, length {nbytes!r})")
    return dtype


def load(f, map_location=None, *, weights_only: bool | None = None, mmap: bool | None = None):
    """Read what :func:`save` wrote, from a path or a binary file object. Tensors are placed on
    ``map_location`` ("cpu" by default, or "cuda"). A file that is not a zengrad checkpoint, is
    truncated, fails a checksum or has a malformed header raises ValueError naming the file.
    ``weights_only`` matters only for a whole-object file (``save(model)``): it is read only with
    ``weights_only=False`` (PyTorch's rule: rebuilding objects runs code named in the file); a data
    checkpoint holds data only, nothing to trust. ``mmap`` is accepted and the file is read whole."""
    device = backend.normalize_device(map_location)
    if hasattr(f, "read"):
        path, blob = str(getattr(f, "name", "<file object>")), f.read()
        if not isinstance(blob, bytes):
            raise TypeError(f"zengrad.load: the file object must be opened in binary mode, it gave "
                            f"{type(blob).__name__}")
    else:
        path = os.fspath(f)
        with open(path, "rb") as file:
            blob = file.read()
    if whole_objects.is_whole(blob):
        return whole_objects.loaded(path, blob, weights_only, device)
    header_length, header_digest, start = _parse_preamble(path, blob)
    header = blob[start:start + header_length]
    if len(header) < header_length:
        raise ValueError(f"{path}: checkpoint is truncated: the header needs {header_length} bytes, "
                         f"only {len(header)} are present")
    if hashlib.sha256(header).hexdigest() != header_digest:
        raise ValueError(f"{path}: checkpoint header checksum mismatch: the file is corrupted")
    try:
        meta = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: bad checkpoint header: {error}") from error
    if not isinstance(meta, dict) or not isinstance(meta.get("tensors"), list) or \
            not isinstance(meta.get("payload_size"), int) or "root" not in meta:
        raise ValueError(f"{path}: bad checkpoint header: missing root, tensors or payload_size")
    payload = memoryview(blob)[start + header_length:]
    if len(payload) != meta["payload_size"]:
        state = "truncated" if len(payload) < meta["payload_size"] else "longer than its header says"
        raise ValueError(f"{path}: checkpoint is {state}: expected {meta['payload_size']} bytes of tensor "
                         f"data, found {len(payload)}")
    arrays = []
    for i, entry in enumerate(meta["tensors"]):
        dtype = _check_entry(path, i, entry, meta["payload_size"])
        data = payload[entry["offset"]:entry["offset"] + entry["nbytes"]]
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            raise ValueError(f"{path}: checksum mismatch for tensor {i} (shape {tuple(entry['shape'])}, "
                             f"{dtype}): the file is corrupted")
        arrays.append(np.frombuffer(data, dtype=dtype).reshape(entry["shape"]).astype(dtype.newbyteorder("="), copy=True))
    return _Decoder(path, arrays, device).decode(meta["root"])
