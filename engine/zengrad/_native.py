"""Loads the compiled extension ``zengrad._C``; zengrad still works (NumPy/CuPy only) without it."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=None)
def _load():
    from . import threads
    threads.prepare_openmp_environment()
    try:
        from . import _C
    except ImportError as error:
        return None, f"the native extension zengrad._C did not import: {error}"
    threads.apply_default(_C)
    return _C, ""


def native():
    """The ``zengrad._C`` module, or None when it is not built."""
    return _load()[0]


def native_unavailable_reason() -> str:
    """Why ``zengrad._C`` is missing ("" when it loaded)."""
    return _load()[1]
