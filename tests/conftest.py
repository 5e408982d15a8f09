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
def rng():
    return np.random.default_rng(1234)


def to_numpy(x):
    """Array of a zengrad Tensor (any device) or NumPy/CuPy array, on the host."""
    if isinstance(x, zg.Tensor):
        x = x.data
    return x.get() if hasattr(x, "get") else np.asarray(x)
