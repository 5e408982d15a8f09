"""The CPU matmul ladder (kernels/cpu/ladder.h): every rung against a float64 NumPy reference.

Shapes hit the edges of the rungs' blocking: 0 and 1, primes, non-multiples of the register tile
(4×8) and of the cache blocks (kBlockM = 64, kBlockK = 256, kBlockN = 128), transposed and
non-contiguous operands through ``kernels.matmul``, and bad input straight into ``_C``.
"""

import numpy as np
import pytest

from zengrad import kernels, kernels_cpu
from zengrad._native import native
from test_cpu_matmul import _rng, assert_matches_float64

pytestmark = pytest.mark.skipif(native() is None, reason="zengrad._C is not built")

SHAPES = [  # (m, n, k)
    (0, 5, 3), (4, 0, 3), (3, 4, 0), (1, 1, 1), (1, 9, 1), (9, 1, 5), (3, 7, 2),
    (5, 9, 257), (67, 131, 13), (4, 8, 256), (65, 129, 257), (31, 263, 7), (130, 17, 520),
]


def test_the_ladder_is_registered_in_order():
    assert kernels_cpu.LADDER[:5] == tuple(f"cpu:{r}" for r in native().cpu.ladder_rungs())
    assert kernels_cpu.LADDER[-2:] == ("cpu:simd", "cpu:native")
    registered = kernels.available()["matmul"]["cpu"]
    assert set(kernels_cpu.LADDER) <= set(registered)
    assert registered[0] == "cpu:native"  # no rung is ever the default


@pytest.mark.parametrize("rung", native().cpu.ladder_rungs() if native() else [])
@pytest.mark.parametrize("m,n,k", SHAPES)
def test_rung_matches_float64(rung, m, n, k):
    rng = _rng(rung, m, n, k)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    out = np.full((m, n), np.nan, dtype=np.float32)  # every element must be written
    native().cpu.ladder_matmul(rung, a, b, out)
    assert_matches_float64(out, a, b)


@pytest.mark.parametrize("impl", list(kernels_cpu.LADDER))
@pytest.mark.parametrize("view", ["transposed", "strided", "batched"])
def test_every_rung_through_kernels_matmul(impl, view):
    rng = _rng(impl, view)
    if view == "transposed":
        a, b = rng.standard_normal((37, 70), dtype=np.float32).T, rng.standard_normal((11, 37), dtype=np.float32).T
    elif view == "strided":
        a, b = rng.standard_normal((40, 62), dtype=np.float32)[::3, 1::2], rng.standard_normal((31, 23), dtype=np.float32)
    else:
        a, b = rng.standard_normal((3, 17, 29), dtype=np.float32), rng.standard_normal((29, 13), dtype=np.float32)
    out = kernels.matmul(a, b, impl=impl)
    reference = np.matmul(a.astype(np.float64), b.astype(np.float64))
    scale = np.matmul(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))
    assert out.shape == reference.shape and out.dtype == np.float32
    assert np.all(np.abs(out - reference) <= 1e-5 * np.sqrt(a.shape[-1]) * scale)


@pytest.mark.parametrize("rung", ["naive", "packed"])
def test_special_values_propagate_like_float64(rung):
    a = np.array([[np.inf, 1.0], [0.0, -0.0], [np.nan, 2.0]], np.float32)
    b = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]], np.float32)
    out = np.empty((3, 3), np.float32)
    native().cpu.ladder_matmul(rung, a, b, out)
    expected = (a.astype(np.float64) @ b.astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(expected))
    finite = ~np.isnan(expected)
    np.testing.assert_array_equal(out[finite], expected[finite])


@pytest.mark.parametrize("case, message", [
    ("unknown rung", "unknown rung 'fastest'"),
    ("float64 b", "b must be float32"),
    ("inner mismatch", "inner dimensions differ"),
    ("out aliases a", "must not share memory"),
    ("transposed a", "a must be C-contiguous"),
])
def test_rungs_reject_bad_arguments(case, message):
    a, b, out = np.ones((4, 4), np.float32), np.ones((4, 4), np.float32), np.empty((4, 4), np.float32)
    rung = "packed"
    if case == "unknown rung":
        rung = "fastest"
    elif case == "float64 b":
        b = b.astype(np.float64)
    elif case == "inner mismatch":
        b = np.ones((5, 4), np.float32)
    elif case == "out aliases a":
        out = a
    elif case == "transposed a":
        a = np.ones((4, 8), np.float32)[:, ::2]
    with pytest.raises(ValueError, match=message):
        native().cpu.ladder_matmul(rung, a, b, out)


def test_simd_rung_runs_on_one_thread_and_matches_native():
    rng = _rng("simd")
    a = rng.standard_normal((96, 80), dtype=np.float32)
    b = rng.standard_normal((80, 112), dtype=np.float32)
    one, every = np.empty((96, 112), np.float32), np.empty((96, 112), np.float32)
    native().cpu.matmul(a, b, one, False, False, "auto", 1)
    native().cpu.matmul(a, b, every, False, False, "auto", 0)
    assert_matches_float64(one, a, b)
    np.testing.assert_array_equal(one, every)  # the same tiles in the same order: bit for bit
    with pytest.raises(ValueError, match="threads must be >= 0"):
        native().cpu.matmul(a, b, one, False, False, "auto", -1)


def test_peak_probes_measure_something_plausible():
    cpu = native().cpu
    one = cpu.fma_peak_gflops(1, 0.05)
    assert np.isfinite(one) and one > 0.5  # even a portable SSE loop on a loaded core does more
    assert np.isfinite(cpu.fma_peak_gflops(0, 0.05))
    bandwidth = cpu.memory_read_gbs(8 << 20, 1, 1)
    assert np.isfinite(bandwidth) and bandwidth > 0.1
