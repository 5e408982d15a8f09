"""``zengrad info``: what this installation has — versions, kernels, CPU features, GPU status."""

from __future__ import annotations

import platform

import numpy as np

from . import allocator, backend, kernels, threads
from ._native import native, native_unavailable_reason


def info_lines() -> list[str]:
    from . import cuda
    from ._version import __version__

    lines = [f"zengrad {__version__}  (Python {platform.python_version()}, NumPy {np.__version__})"]
    if native() is None:
        lines.append(f"native extension: not available — {native_unavailable_reason()}")
    else:
        lines.append(f"native extension: zengrad._C {native().__version__}")
        lines.append(f"CPU: {platform.processor() or platform.machine()}; vector extensions: "
                     f"{native().cpu.features() or 'none detected'}")
        lines.extend(threads.describe())
        lines.extend(allocator.describe())
        if native().cuda.built:
            lines.append(f"CUDA kernels: built for {native().cuda.architectures}")
        else:
            lines.append(f"CUDA kernels: not built — {native().cuda.device_status()}")
    if backend.cuda_is_available():
        cupy = backend.cupy()
        props = cupy.cuda.runtime.getDeviceProperties(0)
        lines.append(f"GPU: usable — {props['name'].decode()} (CuPy {cupy.__version__})")
        status = cuda.kernels_status()
        if status:
            lines.append(f"  zengrad's CUDA kernels cannot run: {status}")
    else:
        lines.append(f"GPU: not usable — {backend.cuda_unavailable_reason()}")
        if native() is not None and native().cuda.built:
            lines.append(f"  CUDA runtime says: {native().cuda.device_status() or 'a device is visible'}")
    lines.append("kernels (default first):")
    for kernel, devices in kernels.available().items():
        for device, names in devices.items():
            lines.append(f"  {kernel:<14} {device:<5} {', '.join(names)}")
    return lines


def info() -> str:
    """Versions, built kernels, CPU vector extensions and GPU status, as printable text."""
    return "\n".join(info_lines())
