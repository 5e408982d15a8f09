"""The default chooser passes over an implementation on problems below its ``min_work``."""

import numpy as np
import pytest

from zengrad import kernel_registry, kernels


@pytest.fixture
def toy_kernel():
    calls = []
    kernels.register("toy", "toy:reference", "cpu", lambda: calls.append("reference"), priority=10)
    kernels.register("toy", "toy:fast", "cpu", lambda: calls.append("fast"), priority=20, min_work=1000)
    yield
    del kernel_registry._REGISTRY["toy"]
    kernel_registry._THRESHOLDS.pop("toy")
    kernel_registry._DEFAULTS.clear()


def test_small_work_skips_the_kernel_with_a_threshold(toy_kernel):
    assert kernels.choose("toy", "cpu", np.float32, work=999).name == "toy:reference"
    assert kernels.choose("toy", "cpu", np.float32, work=1000).name == "toy:fast"
    assert kernels.choose("toy", "cpu", np.float32).name == "toy:fast"  # unknown work: large


def test_forced_and_preferred_choices_ignore_the_threshold(toy_kernel):
    assert kernels.choose("toy", "cpu", np.float32, impl="toy:fast", work=1).name == "toy:fast"
    with kernels.use(toy="toy:fast"):
        assert kernels.choose("toy", "cpu", np.float32, work=1).name == "toy:fast"


def test_matmul_small_problems_default_to_numpy():
    if "cpu:native" not in kernels.available()["matmul"]["cpu"]:
        pytest.skip("native matmul not built")
    threshold = kernel_registry._REGISTRY["matmul"]["cpu:native"].min_work
    assert kernels.choose("matmul", "cpu", np.float32, work=threshold - 1).name == "numpy"
    assert kernels.choose("matmul", "cpu", np.float32, work=threshold).name == "cpu:native"
