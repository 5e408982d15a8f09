// Rung 3 of the CUDA matmul ladder: 1-D block tiling (several outputs per thread).
// Idea: in rung 2 every multiply-add needed two shared-memory loads, so shared memory, not the FMA
// units, set the pace. Here a block of 512 threads computes a 64×64 tile of C and each thread a
// column of TM = 8 outputs. For each p the thread loads one B value into a register and reuses it
// for 8 multiply-adds against 8 A values (the A loads are warp-wide broadcasts): about 1.1 shared
// loads per FMA instead of 2. The k-step shrinks to BK = 8 so the tiles stay small.
// Changed from rung 2: 8 accumulators per thread in registers, 64×64×8 tiles, tile rows padded to
// 68 floats (BK = 8 transposing stores then land in 32 distinct banks).
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_common.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kBM = 64, kBN = 64, kBK = 8, kTM = 8;
constexpr int kThreads = kBM * kBN / kTM;  // 512
constexpr int kLdsA = kBM + 4, kLdsB = kBN + 4;

__global__ void __launch_bounds__(kThreads)
    matmul_blocktile1d_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                              int64_t tiles_n) {
  __shared__ float a_tile[kBK * kLdsA];
  __shared__ float b_tile[kBK * kLdsB];
  const TileCoord tile = tile_row_major(blockIdx.x, tiles_n, kBM, kBN);
  const int tid = threadIdx.x;
  const int tc = tid % kBN;  // this thread's column in the tile
  const int tr = tid / kBN;  // and its group of kTM rows
  float acc[kTM] = {};
  for (int64_t k0 = 0; k0 < k; k0 += kBK) {
    load_tile_scalar<kBM, kBK, kThreads, kLdsA>(a_tile, a, tile.row0, k0, k, tid);
    load_tile_scalar<kBN, kBK, kThreads, kLdsB>(b_tile, b, tile.col0, k0, k, tid);
    __syncthreads();
#pragma unroll
    for (int p = 0; p < kBK; ++p) {
      const float b_v = b_tile[p * kLdsB + tc];
#pragma unroll
      for (int i = 0; i < kTM; ++i) acc[i] += a_tile[p * kLdsA + tr * kTM + i] * b_v;
    }
    __syncthreads();
  }
  const int64_t col = tile.col0 + tc;
  if (col >= n) return;
#pragma unroll
  for (int i = 0; i < kTM; ++i) {
    const int64_t row = tile.row0 + tr * kTM + i;
    if (row < m) c[row * n + col] = acc[i];
  }
}

}  // namespace

void matmul_blocktile1d(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                        bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, kBM, kBN, tiles_m, tiles_n, "matmul_blocktile1d");
  matmul_blocktile1d_kernel<<<blocks, kThreads, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      operand_a(a, m, k, trans_a), operand_b(b, n, k, trans_b), c, m, n, k, tiles_n);
  check_launch("matmul_blocktile1d_kernel");
}

}  // namespace zengrad::cuda
