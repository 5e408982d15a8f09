"""Shared fixtures: the device list (GPU cases carry the `gpu` marker and skip without a device)."""

import numpy as np
import pytest

import zengrad as zg

DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)]


@pytest.fixture(params=DEVICES)
def device(request):
    if request.param == "cuda" and not zg.cuda.is_available():
        pytest.skip(f"CUDA unavailable: {zg.cuda.unavailable_reason()}")
    return request.param


@pytest.fixture
def kernel_threads():
    """use(threads, threshold=None): the native kernels' thread count and, when given, their
    parallel threshold (0: every call on threads) for this test; both restored after it."""
    from zengrad._native import native
    before = (zg.get_num_threads(), native().cpu.parallel_threshold()) if native() is not None else None

    def use(threads, threshold=None):
        zg.set_num_threads(threads)
        if threshold is not None:
            native().cpu.set_parallel_threshold(threshold)
    yield use
    if before is not None:
        zg.set_num_threads(before[0])
        native().cpu.set_parallel_threshold(before[1])


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def to_numpy(x):
    """Array of a zengrad Tensor (any device) or NumPy/CuPy array, on the host."""
    if isinstance(x, zg.Tensor):
        x = x._data
    return x.get() if hasattr(x, "get") else np.asarray(x)
