"""``zengrad.accelerator``: the accelerator a script may move its work to, as ``torch.accelerator``
names it — for zengrad a CUDA GPU through CuPy, or none (the CPU is not an accelerator), so the
tutorials' ``device = torch.accelerator.current_accelerator().type if
torch.accelerator.is_available() else "cpu"`` picks "cuda" or "cpu"."""

from . import backend, cuda


def is_available() -> bool:
    """Whether a GPU is usable."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False):
    """``device("cuda")`` when a GPU is usable, else None."""
    return backend.device("cuda") if cuda.is_available() else None


def device_count() -> int:
    """How many GPUs are visible (0 without CUDA)."""
    return cuda.device_count()


def synchronize(device=None) -> None:
    """Wait for the GPU's queued work to finish (nothing without CUDA)."""
    cuda.synchronize()
