"""``zg.backends``: the switches PyTorch scripts set at the top (``torch.backends.cudnn.benchmark =
True``), under PyTorch's names, so such scripts run unchanged.

zengrad has no cuDNN, MPS, MKL-DNN or TF32 paths: its CUDA kernels are its own and compute in full
float32. The flags are kept as set (a script may read them back) and change nothing;
``is_available()`` says honestly that those libraries are not used. ``use_deterministic_algorithms``
records its mode the same way: zengrad's kernels split their work the same way on every run with a
given thread count (static OpenMP schedules; the CUDA kernels use no atomic additions), so repeated
runs give the same bits already."""

from __future__ import annotations

from types import SimpleNamespace

cudnn = SimpleNamespace(enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                        is_available=lambda: False, version=lambda: None)
cuda = SimpleNamespace(matmul=SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True))
mps = SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = SimpleNamespace(enabled=True, is_available=lambda: False)
openmp = SimpleNamespace(is_available=lambda: True)

_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record PyTorch's determinism switch (zengrad's kernels are deterministic either way)."""
    _deterministic.update(mode=bool(mode), warn_only=bool(warn_only))


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _deterministic["warn_only"]
