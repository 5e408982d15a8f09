"""Whole-object files: ``zengrad.save(model, f)`` for a module, optimizer or scheduler itself.

A state_dict is data (``io.py`` writes it without pickle). A module itself is also its class,
which only Python's pickle can name, so ``save(model)`` writes:

    ZENGRAD-PICKLE 1 <length> <sha256 of the pickle>\\n
    <the pickle of the object>

Unpickling imports and calls whatever the file names: a file from someone else can run any code.
So, as PyTorch since 2.6, ``zengrad.load`` reads such a file only when the caller says
``weights_only=False``, and otherwise raises ``pickle.UnpicklingError`` explaining why; the
checksum and length are checked before anything is unpickled.
"""

from __future__ import annotations

import hashlib
import pickle

MAGIC = b"ZENGRAD-PICKLE"
VERSION = 1


def is_whole(blob: bytes) -> bool:
    return blob.startswith(MAGIC + b" ")


def serialized(obj) -> list[bytes]:
    """The file's bytes, as the chunks to write: the first line, then the pickle."""
    try:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as error:
        raise TypeError(f"zengrad.save: cannot save {type(obj).__name__}: {error}") from None
    return [b"%s %d %d %s\n" % (MAGIC, VERSION, len(data), hashlib.sha256(data).hexdigest().encode()), data]


def loaded(path: str, blob: bytes, weights_only, device: str):
    """The object in ``blob`` (moved to ``device`` if it can be), if ``weights_only`` is False."""
    if weights_only is not False:
        raise pickle.UnpicklingError(
            f"{path}: Weights only load failed: the file holds whole objects (zengrad.save of a module or "
            "optimizer), which loading rebuilds by running code named in the file. Re-running `zengrad.load` "
            "with `weights_only` set to `False` will likely succeed, but it can result in arbitrary code "
            "execution. Do it only if you got the file from a trusted source.")
    end = blob.find(b"\n", 0, 256)
    parts = blob[:end].split(b" ") if end > 0 else []
    if len(parts) != 4 or not parts[2].isdigit() or len(blob) - end - 1 != int(parts[2]):
        raise ValueError(f"{path}: whole-object file is truncated or has a malformed first line")
    data = blob[end + 1:]
    if hashlib.sha256(data).hexdigest().encode() != parts[3]:
        raise ValueError(f"{path}: whole-object file checksum mismatch: the file is corrupted")
    obj = pickle.loads(data)
    return obj.to(device) if device != "cpu" and hasattr(obj, "to") else obj
