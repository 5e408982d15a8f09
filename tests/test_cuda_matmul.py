"""Every rung of the CUDA matmul ladder against cuBLAS in float64 (CuPy), on awkward shapes.

Each output buffer is poisoned with NaN first, so an element a kernel forgets to write fails the test.
Skipped as a whole when CUDA (CuPy + a device) is unavailable or zengrad._C was built without CUDA.
"""

import zlib

import numpy as np
import pytest

from cuda_support import require_cuda_kernels

pytestmark = pytest.mark.gpu
cp = require_cuda_kernels()

from zengrad import kernels, kernels_cuda  # noqa: E402
from zengrad._native import native  # noqa: E402
VARIANTS = kernels_cuda.MATMUL_VARIANTS

# (m, n, k): ones, primes, non-multiples of every tile size, empty dimensions, skinny and long shapes.
SHAPES = [
    (1, 1, 1), (7, 7, 7), (31, 97, 129), (129, 31, 257), (257, 129, 97), (97, 257, 31),
    (1000, 1, 3), (1, 1000, 3), (3, 5, 1000), (0, 5, 3), (5, 0, 3), (5, 3, 0), (0, 0, 0),
    (128, 128, 128), (130, 132, 20), (256, 200, 64),
]
LARGE_SHAPES = [(512, 512, 512), (1024, 768, 640), (4099, 33, 17)]
FLAGS = [(False, False), (True, False), (False, True), (True, True)]


def random_operands(m, n, k, trans_a, trans_b, rng):
    """Fresh random float32 operands, stored as the flags say."""
    a_shape = (k, m) if trans_a else (m, k)
    b_shape = (n, k) if trans_b else (k, n)
    a = cp.asarray(rng.standard_normal(a_shape, dtype=np.float32))
    b = cp.asarray(rng.standard_normal(b_shape, dtype=np.float32))
    return a, b


def reference(a, b, trans_a, trans_b):
    """op(a) @ op(b) in float64 by cuBLAS, and |op(a)| @ |op(b)| for the error bound."""
    a64 = a.astype(cp.float64)
    b64 = b.astype(cp.float64)
    a64 = a64.T if trans_a else a64
    b64 = b64.T if trans_b else b64
    return a64 @ b64, cp.abs(a64) @ cp.abs(b64)


def assert_matches(out, a, b, trans_a, trans_b, label):
    ref, scale = reference(a, b, trans_a, trans_b)
    got = out.astype(cp.float64)
    assert not bool(cp.isnan(got).any()), f"{label}: some outputs were never written (NaN poison survived)"
    k = a.shape[0] if trans_a else (a.shape[1] if a.ndim == 2 else 1)
    # float32 dot products of length k: error well under k * eps * sum |a_i b_i|
    tol = 4 * max(k, 1) * np.finfo(np.float32).eps
    err = cp.abs(got - ref)
    worst = float((err - tol * scale).max()) if err.size else 0.0
    assert worst <= 1e-30, f"{label}: max error {float(err.max()):.3e} exceeds the float32 bound"
    if ref.size:
        rel = float(cp.linalg.norm(got - ref) / max(float(cp.linalg.norm(ref)), 1e-30))
        assert rel < 1e-5, f"{label}: relative error {rel:.3e}"


def run_gemm(variant, a, b, m, n, trans_a, trans_b):
    out = cp.full((m, n), cp.nan, dtype=cp.float32)
    kernels_cuda.gemm(variant)(a, b, out, trans_a, trans_b)
    cp.cuda.get_current_stream().synchronize()
    return out


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("flags", FLAGS, ids=["nn", "tn", "nt", "tt"])
def test_matmul_matches_cublas(variant, shape, flags):
    m, n, k = shape
    trans_a, trans_b = flags
    rng = np.random.default_rng(zlib.crc32(repr((variant, shape, flags)).encode()))
    a, b = random_operands(m, n, k, trans_a, trans_b, rng)
    out = run_gemm(variant, a, b, m, n, trans_a, trans_b)
    assert_matches(out, a, b, trans_a, trans_b, f"{variant} {shape} {flags}")


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("shape", LARGE_SHAPES, ids=lambda s: "x".join(map(str, s)))
@pytest.mark.parametrize("flags", FLAGS, ids=["nn", "tn", "nt", "tt"])
def test_matmul_large(variant, shape, flags):
    m, n, k = shape
    trans_a, trans_b = flags
    rng = np.random.default_rng(7)
    a, b = random_operands(m, n, k, trans_a, trans_b, rng)
    out = run_gemm(variant, a, b, m, n, trans_a, trans_b)
    assert_matches(out, a, b, trans_a, trans_b, f"{variant} {shape} {flags}")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("flags", FLAGS, ids=["nn", "tn", "nt", "tt"])
def test_matmul_misaligned_operands(variant, flags):
    """Views starting 4 bytes into a buffer: the float4 paths must step aside for the scalar ones."""
    m, n, k = 256, 132, 64
    trans_a, trans_b = flags
    rng = np.random.default_rng(11)
    a_shape = (k, m) if trans_a else (m, k)
    b_shape = (n, k) if trans_b else (k, n)
    a_buf = cp.asarray(rng.standard_normal(a_shape[0] * a_shape[1] + 1, dtype=np.float32))
    b_buf = cp.asarray(rng.standard_normal(b_shape[0] * b_shape[1] + 1, dtype=np.float32))
    c_buf = cp.full(m * n + 1, cp.nan, dtype=cp.float32)
    a = a_buf[1:].reshape(a_shape)
    b = b_buf[1:].reshape(b_shape)
    out = c_buf[1:].reshape(m, n)
    assert a.data.ptr % 16 and b.data.ptr % 16 and out.data.ptr % 16
    kernels_cuda.gemm(variant)(a, b, out, trans_a, trans_b)
    assert_matches(out, a, b, trans_a, trans_b, f"{variant} misaligned {flags}")
    assert bool(cp.isnan(c_buf[0])), f"{variant}: wrote before the start of the output"


@pytest.mark.parametrize("variant", VARIANTS)
def test_matmul_leaves_neighbours_alone(variant):
    """An output that is a block of rows inside a larger buffer: nothing outside it changes."""
    m, n, k = 67, 72, 45
    rng = np.random.default_rng(5)
    a, b = random_operands(m, n, k, False, False, rng)
    buf = cp.full((m + 2, n), cp.nan, dtype=cp.float32)
    out = buf[1:-1]
    kernels_cuda.gemm(variant)(a, b, out, False, False)
    assert_matches(out, a, b, False, False, variant)
    assert bool(cp.isnan(buf[0]).all()) and bool(cp.isnan(buf[-1]).all()), f"{variant}: wrote outside out"


@pytest.mark.parametrize("variant", VARIANTS)
def test_matmul_through_dispatch_with_views(variant):
    """kernels.matmul feeds transposed views as flags and copies other non-contiguous operands."""
    rng = np.random.default_rng(3)
    impl = f"cuda:{variant}"
    base_a = cp.asarray(rng.standard_normal((41, 66), dtype=np.float32))
    base_b = cp.asarray(rng.standard_normal((53, 41), dtype=np.float32))
    wide = cp.asarray(rng.standard_normal((33, 40), dtype=np.float32))
    cases = [
        (base_a.T, base_b.T),              # transposed views, passed as flags: (66, 41) @ (41, 53)
        (base_a[:, ::2], wide[:, ::2]),    # strided views, copied: (41, 33) @ (33, 20)
        (base_a[:, ::2].T, base_b.T[:, :10]),  # transposed strided view (copied) @ sliced transposed view
    ]
    for a, b in cases:
        got = kernels.matmul(a, b, impl=impl)
        ref = a.astype(cp.float64) @ b.astype(cp.float64)
        assert got.shape == ref.shape
        assert float(cp.abs(got - ref).max()) < 1e-4 * max(1.0, float(cp.abs(ref).max()))
    # batched and 1-D operands go through the same 2-D kernel
    x = cp.asarray(rng.standard_normal((3, 5, 17), dtype=np.float32))
    w = cp.asarray(rng.standard_normal((9, 17), dtype=np.float32))
    got = kernels.matmul(x, w.T, impl=impl)
    ref = x.astype(cp.float64) @ w.T.astype(cp.float64)
    assert got.shape == (3, 5, 9)
    assert float(cp.abs(got - ref).max()) < 1e-4
    v = cp.asarray(rng.standard_normal(17, dtype=np.float32))
    got = kernels.matmul(w, v, impl=impl)
    assert got.shape == (9,)
    assert float(cp.abs(got - w.astype(cp.float64) @ v.astype(cp.float64)).max()) < 1e-4


def test_best_rung_is_the_float32_default_once_validated():
    best = f"cuda:{kernels_cuda.BEST_MATMUL}"
    order = [best, "cupy"] if kernels_cuda.VALIDATED_ON_GPU else ["cupy", best]
    assert kernels.choose("matmul", "cuda", np.float32).name == order[0]
    assert kernels.available()["matmul"]["cuda"][:2] == order
    assert kernels.choose("matmul", "cuda", np.float64).name == "cupy"


@pytest.mark.parametrize("variant", VARIANTS)
def test_matmul_rejects_bad_input(variant):
    fn = kernels_cuda.gemm(variant)
    a = cp.ones((4, 3), dtype=cp.float32)
    b = cp.ones((3, 5), dtype=cp.float32)
    out = cp.empty((4, 5), dtype=cp.float32)
    with pytest.raises(TypeError):
        fn(a.astype(cp.float64), b, out, False, False)
    with pytest.raises(TypeError):
        fn(np.ones((4, 3), np.float32), b, out, False, False)
    with pytest.raises(ValueError):
        fn(a, b, out, True, False)  # op(a) is 3x4: inner dimensions differ
    with pytest.raises(ValueError):
        fn(a, b, cp.empty((5, 4), dtype=cp.float32), False, False)
    with pytest.raises(ValueError):
        fn(a, b, cp.empty((5, 4), dtype=cp.float32).T, False, False)  # not C-contiguous
    shared = cp.ones(40, dtype=cp.float32)
    with pytest.raises(ValueError):
        fn(shared[:12].reshape(4, 3), b, shared[10:30].reshape(4, 5), False, False)  # out overlaps a
    raw = getattr(native().cuda, f"matmul_{variant}")
    with pytest.raises(ValueError):
        raw(0, b.data.ptr, out.data.ptr, 4, 5, 3, False, False, 0)  # null pointer
    with pytest.raises(ValueError):
        raw(a.data.ptr, b.data.ptr, out.data.ptr, -1, 5, 3, False, False, 0)  # negative size
    with pytest.raises(ValueError):
        raw(a.data.ptr, b.data.ptr, out.data.ptr, 2**31, 5, 3, False, False, 0)  # too large
