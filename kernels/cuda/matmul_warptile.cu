// Rung 6 of the CUDA matmul ladder: warp tiling.
// Idea: organise the block's work by warps (see matmul_warptile.cuh). A 128×128 block tile is split
// into eight 64×32 warp tiles; inside a warp the lanes form an 8×4 grid of 4×4 blocks, repeated
// 2×2 times. Every float4 read of shared memory by a warp then touches consecutive addresses, so it
// is served without bank conflicts, and the per-thread 8×8 register tile is kept. Two more changes
// ride along: BK grows to 16 (half as many barriers per FMA), and blocks are scheduled in groups of
// 8 tile rows so that blocks running at the same time reuse the same A and B panels from L2.
// Changed from rung 5: warp/lane layout, BK = 16, grouped tile order.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_warptile.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

using Cfg = WarpTileLarge;

__global__ void __launch_bounds__(Cfg::kThreads)
    matmul_warptile_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                           bool vec_a, bool vec_b, bool vec_c, int64_t tiles_m, int64_t tiles_n) {
  __shared__ __align__(16) float a_tile[Cfg::BK * Cfg::kLdsA];
  __shared__ __align__(16) float b_tile[Cfg::BK * Cfg::kLdsB];
  const TileCoord tile = tile_grouped<Cfg::kGroup>(blockIdx.x, tiles_m, tiles_n, Cfg::BM, Cfg::BN);
  const int tid = threadIdx.x;
  const LanePlace at = lane_place<Cfg>(tid);
  TileStager<Cfg::BM, Cfg::BK, Cfg::kThreads, Cfg::kLdsA> stage_a;
  TileStager<Cfg::BN, Cfg::BK, Cfg::kThreads, Cfg::kLdsB> stage_b;
  float acc[Cfg::TM][Cfg::TN] = {};
  for (int64_t k0 = 0; k0 < k; k0 += Cfg::BK) {
    stage_a.fetch(a, vec_a, tile.row0, k0, k, tid);
    stage_b.fetch(b, vec_b, tile.col0, k0, k, tid);
    stage_a.store(a_tile, a.k_contig, tid);
    stage_b.store(b_tile, b.k_contig, tid);
    __syncthreads();
    warp_tile_step<Cfg>(a_tile, b_tile, at, acc);
    __syncthreads();
  }
  warp_tile_store<Cfg>(c, m, n, vec_c, tile, at, acc);
}

}  // namespace

void matmul_warptile(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                     bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, Cfg::BM, Cfg::BN, tiles_m, tiles_n, "matmul_warptile");
  const Operand op_a = operand_a(a, m, k, trans_a), op_b = operand_b(b, n, k, trans_b);
  matmul_warptile_kernel<<<blocks, Cfg::kThreads, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      op_a, op_b, c, m, n, k, vector_ok(a, op_a.ld), vector_ok(b, op_b.ld), vector_ok(c, n), tiles_m,
      tiles_n);
  check_launch("matmul_warptile_kernel");
}

}  // namespace zengrad::cuda
