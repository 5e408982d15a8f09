// Rung 1 of the CUDA matmul ladder: coalesced global memory access.
// Idea: a warp's 32 threads take 32 consecutive columns of one row of C (threadIdx.x -> column).
// Then the warp reads one A element (a broadcast), 32 consecutive B elements (one 128-byte
// transaction when B is not transposed) and writes 32 consecutive C elements. Rung 0 mapped
// threadIdx.x to rows, so its A reads and C writes were 16 separate row-strided transactions per
// warp (its B reads were already broadcasts).
// Changed from rung 0: the thread-to-element mapping and a 1-D grid of 8×32 tiles (gridDim.x has
// no 65535 limit). Operands still come straight from global memory; with trans_b the B reads are
// strided again, which the shared-memory rung fixes.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_common.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kRows = 8, kCols = 32;

__global__ void __launch_bounds__(kRows* kCols)
    matmul_coalesced_kernel(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ c,
                            int64_t m, int64_t n, int64_t k, bool trans_a, bool trans_b, int64_t tiles_n) {
  const TileCoord tile = tile_row_major(blockIdx.x, tiles_n, kRows, kCols);
  const int64_t row = tile.row0 + threadIdx.y, col = tile.col0 + threadIdx.x;
  if (row >= m || col >= n) return;
  float acc = 0.f;
  for (int64_t p = 0; p < k; ++p) {
    const float a_v = trans_a ? __ldg(a + p * m + row) : __ldg(a + row * k + p);
    const float b_v = trans_b ? __ldg(b + col * k + p) : __ldg(b + p * n + col);
    acc += a_v * b_v;
  }
  c[row * n + col] = acc;
}

}  // namespace

void matmul_coalesced(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                      bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, kRows, kCols, tiles_m, tiles_n, "matmul_coalesced");
  matmul_coalesced_kernel<<<blocks, dim3(kCols, kRows), 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      a, b, c, m, n, k, trans_a, trans_b, tiles_n);
  check_launch("matmul_coalesced_kernel");
}

}  // namespace zengrad::cuda
