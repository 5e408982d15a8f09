"""A CUDA rung: the shared-memory tiled matmul, through CuPy's RawKernel.

In the naive kernel each thread computes one C entry and reads a row of A and a column of B from
global memory: 2K loads per 2K flops. A block of 16×16 threads instead loads a 16×16 tile of A and
one of B into shared memory (one element per thread), synchronises, and every thread then does 16
multiply-adds from shared memory: the global traffic drops 16-fold. Threads past the edge of a
matrix load zeros and write nothing, so any M, N, K works. zengrad's CUDA ladder
(``kernels/cuda/``, docs page "CUDA matmul ladder") climbs further: register tiles, vector loads,
double buffering. Write the kernel in ``CUDA_SOURCE``; the checker compiles it with
``cupy.RawKernel`` and compares it with cuBLAS (``cupy.matmul``) in float64 on awkward shapes.
"""

import numpy as np

from .grading import Skipped, Wrong, compare, require_written

TITLE = "A tiled CUDA matmul (CuPy RawKernel)"
MINUTES = 45
SKELETON = "e11_cuda_matmul.py"
HINTS = [
    "row = blockIdx.y * TILE + threadIdx.y, col = blockIdx.x * TILE + threadIdx.x.",
    "Every thread must reach both __syncthreads() calls, even those outside C: guard the loads and the final "
    "write, never the loop.",
    "a_tile[ty][tx] = A[row, k0 + tx] and b_tile[ty][tx] = B[k0 + ty, col]; then sum a_tile[ty][k] * b_tile[k][tx].",
]
TILE = 16


def _cupy():
    from .. import backend

    if not backend.cuda_is_available():
        raise Skipped(f"needs CuPy and an NVIDIA GPU: {backend.cuda_unavailable_reason()}")
    return backend.cupy()


def check(attempt, rng: np.random.Generator) -> None:
    cp = _cupy()
    try:
        kernel = cp.RawKernel(attempt.CUDA_SOURCE, "matmul")
        kernel.compile()
    except cp.cuda.compiler.CompileException as error:
        raise Wrong(f"CUDA_SOURCE does not compile:\n{error}") from None
    for m, k, n in [(1, 1, 1), (17, 5, 33), (64, 64, 64), (100, 37, 130), (3, 301, 2)]:
        a = cp.asarray(rng.standard_normal((m, k)), dtype=cp.float32)
        b = cp.asarray(rng.standard_normal((k, n)), dtype=cp.float32)
        c = cp.full((m, n), cp.nan, dtype=cp.float32)
        grid = ((n + TILE - 1) // TILE, (m + TILE - 1) // TILE)
        kernel(grid, (TILE, TILE), (a, b, c, np.int32(m), np.int32(n), np.int32(k)))
        cp.cuda.Device().synchronize()
        got = cp.asnumpy(c)
        require_written(f"A {a.shape} @ B {b.shape}", got)
        expected = cp.asnumpy(a.astype(cp.float64) @ b.astype(cp.float64))
        compare(f"C = A {a.shape} @ B {b.shape} on the GPU", got, expected, rtol=1e-4, atol=1e-5 * k)
