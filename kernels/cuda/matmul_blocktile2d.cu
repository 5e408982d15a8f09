// Rung 4 of the CUDA matmul ladder: 2-D block tiling (an 8×8 block of outputs per thread).
// Idea: an outer product in registers. For each p a thread loads 8 A values and 8 B values from
// shared memory and performs 64 multiply-adds: 0.25 shared loads per FMA (rung 3: 1.1). A block of
// 256 threads computes a 128×128 tile of C, so each global value is reused 128 times.
// The thread's 8 rows are contiguous (A reads are broadcasts: a warp spans two row groups) and its
// 8 columns are strided by 16 (col = tc + 16·j), so the 16 column-threads of a warp read 16
// consecutive B values — no bank conflicts — and write C coalesced.
// Changed from rung 3: 64 accumulators per thread, 128×128×8 tiles.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_common.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kBM = 128, kBN = 128, kBK = 8, kTM = 8, kTN = 8;
constexpr int kThreads = (kBM / kTM) * (kBN / kTN);  // 256
constexpr int kColThreads = kBN / kTN;               // 16 threads across a tile row
constexpr int kLdsA = kBM + 4, kLdsB = kBN + 4;

__global__ void __launch_bounds__(kThreads)
    matmul_blocktile2d_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                              int64_t tiles_n) {
  __shared__ float a_tile[kBK * kLdsA];
  __shared__ float b_tile[kBK * kLdsB];
  const TileCoord tile = tile_row_major(blockIdx.x, tiles_n, kBM, kBN);
  const int tid = threadIdx.x;
  const int tc = tid % kColThreads, tr = tid / kColThreads;
  float acc[kTM][kTN] = {};
  float a_frag[kTM], b_frag[kTN];
  for (int64_t k0 = 0; k0 < k; k0 += kBK) {
    load_tile_scalar<kBM, kBK, kThreads, kLdsA>(a_tile, a, tile.row0, k0, k, tid);
    load_tile_scalar<kBN, kBK, kThreads, kLdsB>(b_tile, b, tile.col0, k0, k, tid);
    __syncthreads();
#pragma unroll
    for (int p = 0; p < kBK; ++p) {
#pragma unroll
      for (int i = 0; i < kTM; ++i) a_frag[i] = a_tile[p * kLdsA + tr * kTM + i];
#pragma unroll
      for (int j = 0; j < kTN; ++j) b_frag[j] = b_tile[p * kLdsB + tc + j * kColThreads];
#pragma unroll
      for (int i = 0; i < kTM; ++i)
#pragma unroll
        for (int j = 0; j < kTN; ++j) acc[i][j] += a_frag[i] * b_frag[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kTM; ++i) {
    const int64_t row = tile.row0 + tr * kTM + i;
    if (row >= m) break;
#pragma unroll
    for (int j = 0; j < kTN; ++j) {
      const int64_t col = tile.col0 + tc + j * kColThreads;
      if (col < n) c[row * n + col] = acc[i][j];
    }
  }
}

}  // namespace

void matmul_blocktile2d(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                        bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, kBM, kBN, tiles_m, tiles_n, "matmul_blocktile2d");
  matmul_blocktile2d_kernel<<<blocks, kThreads, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      operand_a(a, m, k, trans_a), operand_b(b, n, k, trans_b), c, m, n, k, tiles_n);
  check_launch("matmul_blocktile2d_kernel");
}

}  // namespace zengrad::cuda
