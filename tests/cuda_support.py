"""Shared setup of the CUDA test modules: skip the whole module unless CuPy sees a device and
zengrad._C was built with the CUDA kernels; return CuPy, with its memory pool off under
compute-sanitizer (ZENGRAD_CUDA_NO_POOL) so every array is its own cudaMalloc."""

import os

import pytest

from zengrad import backend


def require_cuda_kernels():
    if not backend.cuda_is_available():
        pytest.skip(f"CUDA unavailable: {backend.cuda_unavailable_reason()}", allow_module_level=True)
    from zengrad import kernels_cuda
    if not kernels_cuda.built():
        pytest.skip("zengrad._C was built without the CUDA kernels", allow_module_level=True)
    cp = backend.cupy()
    if os.environ.get("ZENGRAD_CUDA_NO_POOL"):
        cp.cuda.set_allocator(None)
    return cp
