"""``zengrad.cuda.is_available()`` and friends, as in ``torch.cuda``."""

from . import backend
from ._native import native


def is_available() -> bool:
    """True when CuPy is installed and sees a CUDA device."""
    return backend.cuda_is_available()


def unavailable_reason() -> str:
    """Why CUDA cannot be used ("" when it can). zengrad addition."""
    return backend.cuda_unavailable_reason()


def kernels_status() -> str:
    """Whether zengrad's own CUDA kernels can run: "" when they can, else why not. zengrad addition."""
    if native() is None or not native().cuda.built:
        return "zengrad._C was built without CUDA kernels" if native() else "zengrad._C is not built"
    return native().cuda.device_status()
