"""The native CPU matmul (kernels/cpu/matmul.cpp) against a float64 NumPy reference.

Every instruction-set path is forced in turn (paths this CPU lacks are skipped), on shapes chosen
to hit the edges of the blocking: 0 and 1, primes, non-multiples of the register tiles (14×32,
6×16, 4×16) and cache blocks (KC = 512, NC = 2048), and sizes either side of the OpenMP threshold.
"""

import zlib

import numpy as np
import pytest

from zengrad import kernels
from zengrad._native import native

pytestmark = pytest.mark.skipif(native() is None, reason="zengrad._C is not built")

ISAS = ["auto", *native().cpu.isas()] if native() is not None else ["auto"]
THRESHOLD_SIDE = 64  # 64**3 multiply-adds = kernels_cpu.SMALL_GEMM_WORK, where the default turns native

SHAPES = [  # (m, n, k)
    (0, 5, 3), (4, 0, 3), (3, 4, 0), (1, 1, 1), (1, 7, 1), (7, 1, 5),
    (7, 31, 97), (97, 257, 31), (257, 7, 97), (13, 33, 65), (15, 31, 513), (29, 47, 1031),
    (THRESHOLD_SIDE - 1, THRESHOLD_SIDE, THRESHOLD_SIDE), (THRESHOLD_SIDE,) * 3,
    (THRESHOLD_SIDE + 1, THRESHOLD_SIDE, THRESHOLD_SIDE), (211, 307, 173), (64, 1024, 256),
    (5, 2100, 17),  # wider than NC (2048): more than one B panel on one thread
]


def _rng(*key):
    """A generator seeded by the test's parameters, so every run sees the same numbers."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def _require(isa):
    if not native().cpu.isa_supported(isa):
        pytest.skip(f"this CPU cannot run the {isa} path")
    return isa


def assert_matches_float64(out, a, b):
    """|out - a@b| <= 1e-5·sqrt(k)·(|a|@|b|) elementwise, with the reference in float64."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    reference, scale = a64 @ b64, np.abs(a64) @ np.abs(b64)
    k = a.shape[-1]
    assert out.shape == reference.shape and out.dtype == np.float32
    bound = 1e-5 * np.sqrt(max(k, 1)) * scale
    worst = np.max(np.abs(out - reference) - bound, initial=-np.inf)
    assert worst <= 0, f"error exceeds 1e-5*sqrt(k) relative bound by {worst:.3g} (k={k})"


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("trans_a,trans_b", [(False, False), (True, False), (False, True), (True, True)])
def test_native_gemm_matches_reference(isa, m, n, k, trans_a, trans_b):
    _require(isa)
    rng = _rng(m, n, k, trans_a, trans_b)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    a_stored = np.ascontiguousarray(a.T) if trans_a else a
    b_stored = np.ascontiguousarray(b.T) if trans_b else b
    out = np.full((m, n), np.nan, dtype=np.float32)  # every element must be written
    native().cpu.matmul(a_stored, b_stored, out, trans_a, trans_b, isa)
    assert_matches_float64(out, a, b)


@pytest.mark.parametrize("isa", ISAS[1:])
def test_registered_paths_run_through_kernels_matmul(isa):
    _require(isa)
    assert f"cpu:{isa}" in kernels.available()["matmul"]["cpu"]
    rng = _rng(isa)
    a = rng.standard_normal((40, 50), dtype=np.float32)
    b = rng.standard_normal((50, 30), dtype=np.float32)
    assert_matches_float64(kernels.matmul(a, b, impl=f"cpu:{isa}"), a, b)


def test_native_is_the_float32_default_and_float64_falls_back():
    assert kernels.choose("matmul", "cpu", np.float32).name == "cpu:native"
    assert kernels.choose("matmul", "cpu", np.float64).name == "numpy"


VIEWS = {  # name: (a, b) built from a random generator
    "step slices": lambda r: (r.standard_normal((30, 40), dtype=np.float32)[::2, 1::3],
                              r.standard_normal((26, 9), dtype=np.float32)[::2]),
    "transposed views": lambda r: (r.standard_normal((33, 17), dtype=np.float32).T,
                                   r.standard_normal((19, 33), dtype=np.float32).T),
    "batched broadcast": lambda r: (r.standard_normal((3, 1, 5, 7), dtype=np.float32),
                                    r.standard_normal((4, 7, 6), dtype=np.float32)),
    "batched transposed": lambda r: (r.standard_normal((2, 7, 5), dtype=np.float32).transpose(0, 2, 1),
                                     r.standard_normal((7, 3), dtype=np.float32)),
    "vector @ matrix": lambda r: (r.standard_normal(9, dtype=np.float32),
                                  r.standard_normal((9, 4), dtype=np.float32)),
    "matrix @ vector": lambda r: (r.standard_normal((5, 9), dtype=np.float32),
                                  r.standard_normal(9, dtype=np.float32)),
    "column slice": lambda r: (r.standard_normal((70, 80), dtype=np.float32)[:, 3:70],
                               r.standard_normal((67, 90), dtype=np.float32)[:, ::-1]),
}


@pytest.mark.parametrize("isa", ISAS)
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_non_contiguous_operands_through_kernels_matmul(isa, view):
    _require(isa)
    a, b = VIEWS[view](_rng(view))
    impl = "cpu:native" if isa == "auto" else f"cpu:{isa}"
    out = kernels.matmul(a, b, impl=impl)
    reference = np.matmul(a.astype(np.float64), b.astype(np.float64))
    assert out.shape == reference.shape
    k = a.shape[-1]
    scale = np.matmul(np.abs(a).astype(np.float64), np.abs(b).astype(np.float64))
    assert np.all(np.abs(out - reference) <= 1e-5 * np.sqrt(k) * scale)


def _operands(m=3, n=4, k=5):
    return (np.ones((m, k), np.float32), np.ones((k, n), np.float32), np.empty((m, n), np.float32))


@pytest.mark.parametrize("case, error, message", [
    ("float64 a", ValueError, "a must be float32"),
    ("1-D b", ValueError, "b must have 2 dimensions"),
    ("inner mismatch", ValueError, "inner dimensions differ"),
    ("wrong out shape", ValueError, "out must have shape"),
    ("strided out", ValueError, "out must be C-contiguous"),
    ("read-only out", ValueError, "out must be writeable"),
    ("unknown isa", ValueError, "unknown isa"),
])
def test_native_gemm_rejects_bad_arguments(case, error, message):
    a, b, out = _operands()
    isa = "auto"
    if case == "float64 a":
        a = a.astype(np.float64)
    elif case == "1-D b":
        b = b[:, 0].copy()
    elif case == "inner mismatch":
        b = np.ones((6, 4), np.float32)
    elif case == "wrong out shape":
        out = np.empty((4, 3), np.float32)
    elif case == "strided out":
        out = np.empty((3, 8), np.float32)[:, ::2]
    elif case == "read-only out":
        out.flags.writeable = False
    elif case == "unknown isa":
        isa = "sse9"
    with pytest.raises(error, match=message):
        native().cpu.matmul(a, b, out, False, False, isa)


def test_missing_isa_raises_instead_of_crashing():
    missing = [isa for isa in ISAS if not native().cpu.isa_supported(isa)]
    if not missing:
        pytest.skip("this CPU supports every path")
    a, b, out = _operands()
    with pytest.raises(RuntimeError, match="does not support"):
        native().cpu.matmul(a, b, out, False, False, missing[0])


def test_kernels_matmul_rejects_bad_operands_before_native_code():
    a = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match="do not align"):
        kernels.matmul(a, np.ones((5, 2), np.float32), impl="cpu:native")
    with pytest.raises(TypeError, match="dtypes differ"):
        kernels.matmul(a, np.ones((4, 2), np.float64), impl="cpu:native")
    with pytest.raises(TypeError, match="cpu:native"):
        kernels.matmul(a.astype(np.float64), np.ones((4, 2)), impl="cpu:native")


def _fresh_float32_dtypes():
    """float32 arrays whose dtype object is not NumPy's canonical one, as users meet them."""
    import io
    import pickle
    rng = _rng("fresh dtype")
    pickled = pickle.loads(pickle.dumps(rng.standard_normal((70, 70), dtype=np.float32)))
    buffer = io.BytesIO()
    np.save(buffer, rng.standard_normal((70, 70), dtype=np.float32))
    buffer.seek(0)
    return {"unpickled": pickled, "np.load": np.load(buffer)}


@pytest.mark.parametrize("source", ["unpickled", "np.load"])
def test_float32_arrays_with_their_own_dtype_object_are_accepted(source):
    a = _fresh_float32_dtypes()[source]
    assert a.dtype == np.float32
    b = np.ascontiguousarray(a.T)
    out = np.empty((70, 70), np.float32)
    native().cpu.matmul(a, b, out)
    assert_matches_float64(out, a, b)
    assert_matches_float64(kernels.matmul(a, b), a, b)  # 70³ > the threshold: the native default
    assert kernels.choose("matmul", "cpu", a.dtype, work=70**3).name == "cpu:native"


def test_byte_swapped_float32_is_still_refused():
    a = np.ones((3, 3), dtype=">f4")
    with pytest.raises(ValueError, match="a must be float32"):
        native().cpu.matmul(a, np.ones((3, 3), np.float32), np.empty((3, 3), np.float32))


@pytest.mark.parametrize("alias", ["out is a", "out is b", "out overlaps a", "out is a's transposed base"])
def test_out_sharing_memory_with_an_input_is_refused(alias):
    storage = np.ones((8, 8), np.float32)
    a, b, out = storage, np.ones((8, 8), np.float32), np.empty((8, 8), np.float32)
    trans_a = False
    if alias == "out is a":
        out = a
    elif alias == "out is b":
        out = b
    elif alias == "out overlaps a":
        big = np.ones((12, 8), np.float32)
        a, out = big[:8], big[4:]
    else:
        trans_a, out = True, a
    before = (a.copy(), b.copy())
    with pytest.raises(ValueError, match="out must not share memory with a or b"):
        native().cpu.matmul(a, b, out, trans_a, False)
    np.testing.assert_array_equal(a, before[0])  # refused before anything was written
    np.testing.assert_array_equal(b, before[1])


def _around_the_parallel_threshold():
    """(m, n, k) whose m·n·k is just below, at and just above the parallel threshold, on aligned and
    awkward (prime) sides."""
    threshold = native().cpu.default_parallel_threshold() if native() is not None else 1 << 22
    k = threshold // (64 * 256)
    prime_k = -(-threshold // (61 * 263))
    return [(64, 256, k - 1), (64, 256, k), (64, 256, k + 1), (61, 263, prime_k - 1), (61, 263, prime_k)]


@pytest.mark.parametrize("m,n,k", _around_the_parallel_threshold())
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_native_gemm_around_the_parallel_threshold(m, n, k, threads, kernel_threads):
    kernel_threads(threads)
    cpu = native().cpu
    assert cpu.threads_for(m * n * k) == (threads if m * n * k >= cpu.parallel_threshold() else 1)
    rng = _rng(m, n, k, threads)
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    for trans_a, trans_b in [(False, False), (True, True)]:
        out = np.full((m, n), np.nan, dtype=np.float32)
        cpu.matmul(np.ascontiguousarray(a.T) if trans_a else a, np.ascontiguousarray(b.T) if trans_b else b,
                   out, trans_a, trans_b)
        assert_matches_float64(out, a, b)
