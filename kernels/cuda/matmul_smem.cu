// Rung 2 of the CUDA matmul ladder: shared-memory tiling.
// Idea: a block of 32×32 threads computes a 32×32 tile of C. It walks along k in steps of 32: all
// threads cooperatively copy a 32×32 tile of op(A) and one of op(B) into shared memory (coalesced
// whatever the transpose flags, zero-filled past the matrix edges), synchronize, and each thread
// accumulates 32 products from shared memory. Every global value is now read once per block instead
// of once per thread: 32× less global traffic than rung 1.
// Changed from rung 1: operands go through shared memory. Tiles are stored k-major (tile[p][x])
// with rows padded to 33 floats, so the transposing stores hit 32 different banks.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_common.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kTile = 32;
constexpr int kThreads = kTile * kTile;
constexpr int kLds = kTile + 1;

__global__ void __launch_bounds__(kThreads)
    matmul_smem_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                       int64_t tiles_n) {
  __shared__ float a_tile[kTile * kLds];  // a_tile[p][i] = op(A)(row0 + i, k0 + p)
  __shared__ float b_tile[kTile * kLds];  // b_tile[p][j] = op(B)(k0 + p, col0 + j)
  const TileCoord tile = tile_row_major(blockIdx.x, tiles_n, kTile, kTile);
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * kTile + tx;
  float acc = 0.f;
  for (int64_t k0 = 0; k0 < k; k0 += kTile) {
    load_tile_scalar<kTile, kTile, kThreads, kLds>(a_tile, a, tile.row0, k0, k, tid);
    load_tile_scalar<kTile, kTile, kThreads, kLds>(b_tile, b, tile.col0, k0, k, tid);
    __syncthreads();
#pragma unroll
    for (int p = 0; p < kTile; ++p) acc += a_tile[p * kLds + ty] * b_tile[p * kLds + tx];
    __syncthreads();  // everyone is done reading before the next tiles overwrite these
  }
  const int64_t row = tile.row0 + ty, col = tile.col0 + tx;
  if (row < m && col < n) c[row * n + col] = acc;
}

}  // namespace

void matmul_smem(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
                 bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, kTile, kTile, tiles_m, tiles_n, "matmul_smem");
  matmul_smem_kernel<<<blocks, dim3(kTile, kTile), 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      operand_a(a, m, k, trans_a), operand_b(b, n, k, trans_b), c, m, n, k, tiles_n);
  check_launch("matmul_smem_kernel");
}

}  // namespace zengrad::cuda
