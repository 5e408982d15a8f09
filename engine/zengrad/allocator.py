"""How the C allocator keeps memory that NumPy frees: kept for the next array, not handed back.

Every op allocates its result, and a training step frees and allocates the same large arrays
again and again. glibc's malloc serves a large block with a fresh ``mmap`` and returns it to the
system on ``free``, and gives back the free top of its heap once it exceeds a trim threshold;
both make the next array of that size start from pages the kernel must fault in and zero, which
on a virtual machine can cost more than the arithmetic done on them. So, when zengrad is
imported, it raises glibc's mmap threshold (blocks below it come from the heap) and its trim
threshold (how much free memory the heap keeps) to :data:`KEEP_BYTES`, with ``mallopt``.

The cost is memory: up to ``KEEP_BYTES`` of freed memory stays with the process. Set
``ZENGRAD_MALLOC=system`` before importing zengrad to leave the allocator as it is; on a C library
without ``mallopt`` (macOS, musl) nothing changes. ``zengrad info`` shows which applies; the effect
is measured in ``benchmarks/results/transformer_step_2026-12-02.md``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

#: glibc's largest accepted mmap threshold on 64-bit systems (32 MiB), used for both thresholds
KEEP_BYTES = 32 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers

_STATE = {"setting": "not applied"}


def keep_freed_memory() -> str:
    """Raise glibc's mmap and trim thresholds to KEEP_BYTES unless ZENGRAD_MALLOC=system; returns
    what was done (also shown by :func:`describe`)."""
    if os.environ.get("ZENGRAD_MALLOC") == "system":
        _STATE["setting"] = "the C library's default (ZENGRAD_MALLOC=system)"
        return _STATE["setting"]
    name = ctypes.util.find_library("c")
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None) if name else None
    if mallopt is None:
        _STATE["setting"] = "the C library's default (no mallopt)"
    elif mallopt(_M_MMAP_THRESHOLD, KEEP_BYTES) and mallopt(_M_TRIM_THRESHOLD, KEEP_BYTES):
        _STATE["setting"] = f"freed blocks kept up to {KEEP_BYTES >> 20} MiB (mallopt; ZENGRAD_MALLOC=system undoes)"
    else:
        _STATE["setting"] = "the C library's default (mallopt refused)"
    return _STATE["setting"]


def describe() -> list[str]:
    """The allocator setting, as a line for ``zengrad info``."""
    return [f"allocator: {_STATE['setting']}"]
