"""``zengrad.cuda.is_available()`` and friends, as in ``torch.cuda``."""

from . import backend
from ._native import native
from .creation import seed_cuda


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


def device_count() -> int:
    """How many CUDA devices CuPy sees (0 without CUDA)."""
    return backend.cupy().cuda.runtime.getDeviceCount() if is_available() else 0


def manual_seed(seed: int) -> None:
    """Seed the CUDA generator; without CUDA nothing happens, as in PyTorch."""
    seed_cuda(seed)


def manual_seed_all(seed: int) -> None:
    """The same as :func:`manual_seed`: zengrad draws on one GPU."""
    seed_cuda(seed)


def synchronize() -> None:
    """Wait for the GPU's queued work to finish (nothing without CUDA)."""
    if is_available():
        backend.cupy().cuda.Device().synchronize()
