"""A CPU matmul rung in C++: blocking, so that the data a loop reuses stays in cache.

The naive i-j-k loop reads a column of B (stride N floats) for every entry of C: each read is a
cache miss once N is large. Reordering to i-k-j makes the inner loop c[i, :] += a[i, k] · b[k, :],
two unit-stride rows the compiler vectorises. Blocking then cuts K and N into tiles (say 64 × 256
floats = 64 KiB of B) so one tile of B is reused by every row of A while it sits in L2. zengrad's
own kernel (``kernels/cpu/``) goes further: packed panels and an AVX register tile; see the docs
page "CPU matmul". Write the blocked kernel in ``CPP_SOURCE``; the checker compiles it, compares it
with NumPy in float64 on shapes that tile nothing evenly, and reports its speed against the naive
loop (reported, not graded: the machine may be busy).
"""

import ctypes
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from .grading import Skipped, Wrong, compare, require_written

TITLE = "A blocked CPU matmul in C++"
MINUTES = 45
SKELETON = "e10_cpu_matmul.py"
HINTS = [
    "Zero C first (std::fill): the blocked loops accumulate into it.",
    "Loop order k0 (blocks of K), n0 (blocks of N), i, k, j: the inner j loop is c[j] += a * b[j].",
    "Every block end is std::min(K, k0 + KB): the checker uses sizes like 67 and 257 that no block size divides.",
]
NAIVE = r"""
extern "C" void matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    for (int i = 0; i < M; ++i)
        for (int j = 0; j < N; ++j) {
            float sum = 0.0f;
            for (int k = 0; k < K; ++k) sum += A[(long)i * K + k] * B[(long)k * N + j];
            C[(long)i * N + j] = sum;
        }
}
"""


def compiler() -> str:
    """The C++ compiler to use: $CXX, else the first of c++, g++, clang++ on PATH."""
    for name in (os.environ.get("CXX"), "c++", "g++", "clang++"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise Skipped("no C++ compiler found (set CXX, or install g++ or clang++); this exercise needs one")


def build(source: str, folder: Path, name: str):
    """Compile ``source`` into a shared library in ``folder`` and return its ``matmul`` via ctypes."""
    cpp, library = folder / f"{name}.cpp", folder / f"{name}.so"
    cpp.write_text(source)
    result = subprocess.run([compiler(), "-O2", "-march=native", "-std=c++17", "-shared", "-fPIC", str(cpp),
                             "-o", str(library)], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise Wrong("CPP_SOURCE does not compile:\n" + "\n".join(result.stderr.splitlines()[:15]))
    function = ctypes.CDLL(str(library)).matmul
    pointer = np.ctypeslib.ndpointer(dtype=np.float32, flags="C_CONTIGUOUS")
    function.argtypes = [pointer, pointer, pointer, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    function.restype = None
    return function


def _run(function, a, b):
    c = np.full((a.shape[0], b.shape[1]), np.nan, dtype=np.float32)
    function(a, b, c, a.shape[0], b.shape[1], a.shape[1])
    return c


def _seconds(function, a, b, repeats=3):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        _run(function, a, b)
        best = min(best, time.perf_counter() - start)
    return best


def check(attempt, rng: np.random.Generator) -> str:
    with tempfile.TemporaryDirectory(prefix="zengrad_exercise_") as folder:
        mine = build(attempt.CPP_SOURCE, Path(folder), "attempt")
        for m, k, n in [(1, 1, 1), (7, 13, 5), (67, 33, 130), (64, 64, 64), (129, 65, 257), (3, 300, 1)]:
            a = rng.standard_normal((m, k)).astype(np.float32)
            b = rng.standard_normal((k, n)).astype(np.float32)
            c = _run(mine, a, b)
            require_written(f"A {a.shape} @ B {b.shape}", c)
            compare(f"C = A {a.shape} @ B {b.shape}", c, a.astype(np.float64) @ b.astype(np.float64),
                    rtol=1e-4, atol=1e-5 * k)
        naive = build(NAIVE, Path(folder), "naive")
        a = rng.standard_normal((256, 256)).astype(np.float32)
        mine_s, naive_s = _seconds(mine, a, a), _seconds(naive, a, a)
    flops = 2 * 256 ** 3
    return (f"256³: yours {flops / mine_s / 1e9:.2f} GFLOP/s, the naive i-j-k loop {flops / naive_s / 1e9:.2f} "
            f"GFLOP/s ({naive_s / mine_s:.1f}× faster; one run each on a possibly busy machine)")
