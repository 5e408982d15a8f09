// Rung 7 of the CUDA matmul ladder: double buffering (register-staged prefetch).
// Idea: in rung 6 every k-step waits for its global loads (hundreds of cycles) before any FMA can
// start, and the block needs two barriers per step. Here shared memory holds two copies of the A
// and B tiles. While the warps multiply k-tile t out of buffer t % 2, each thread has already
// issued the global loads of k-tile t + 1 into registers; after the multiply it writes them into
// the other buffer, and one barrier ends the step. The load latency hides behind 16 k-steps of
// FMAs. The staging goes through registers (not cp.async) because a k-contiguous tile is
// transposed on its way into shared memory, which cp.async's plain byte copies cannot do.
// Why one barrier is enough: in step t threads write buffer (t+1) % 2, which was last read in step
// t - 1, and every thread passed the barrier that ended step t - 1 before any thread started step t.
// Changed from rung 6: two buffers, prefetch into registers, one __syncthreads per k-step, and a
// register cap of 128 (two 256-thread blocks per SM).
//
// This file also holds gemm(), the matmul the LSTM drivers call: the same kernel with a 128×128
// tile, or with a 64×64 tile when 128×128 tiles would leave most multiprocessors idle.
// Measured speed: not yet measured: no GPU in the session that wrote it.
#include "check.cuh"
#include "matmul_warptile.cuh"
#include "gemm.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

template <class Cfg>
__global__ void __launch_bounds__(Cfg::kThreads, 2)
    matmul_doublebuffer_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                               bool vec_a, bool vec_b, bool vec_c, int64_t tiles_m, int64_t tiles_n) {
  __shared__ __align__(16) float a_tile[2][Cfg::BK * Cfg::kLdsA];
  __shared__ __align__(16) float b_tile[2][Cfg::BK * Cfg::kLdsB];
  const TileCoord tile = tile_grouped<Cfg::kGroup>(blockIdx.x, tiles_m, tiles_n, Cfg::BM, Cfg::BN);
  const int tid = threadIdx.x;
  const LanePlace at = lane_place<Cfg>(tid);
  TileStager<Cfg::BM, Cfg::BK, Cfg::kThreads, Cfg::kLdsA> stage_a;
  TileStager<Cfg::BN, Cfg::BK, Cfg::kThreads, Cfg::kLdsB> stage_b;
  float acc[Cfg::TM][Cfg::TN] = {};
  const int64_t k_tiles = (k + Cfg::BK - 1) / Cfg::BK;
  if (k_tiles > 0) {
    stage_a.fetch(a, vec_a, tile.row0, 0, k, tid);
    stage_b.fetch(b, vec_b, tile.col0, 0, k, tid);
    stage_a.store(a_tile[0], a.k_contig, tid);
    stage_b.store(b_tile[0], b.k_contig, tid);
  }
  __syncthreads();
  for (int64_t t = 0; t < k_tiles; ++t) {
    const int cur = static_cast<int>(t & 1);
    const bool has_next = t + 1 < k_tiles;
    if (has_next) {
      stage_a.fetch(a, vec_a, tile.row0, (t + 1) * Cfg::BK, k, tid);
      stage_b.fetch(b, vec_b, tile.col0, (t + 1) * Cfg::BK, k, tid);
    }
    warp_tile_step<Cfg>(a_tile[cur], b_tile[cur], at, acc);
    if (has_next) {
      stage_a.store(a_tile[cur ^ 1], a.k_contig, tid);
      stage_b.store(b_tile[cur ^ 1], b.k_contig, tid);
    }
    __syncthreads();
  }
  warp_tile_store<Cfg>(c, m, n, vec_c, tile, at, acc);
}

template <class Cfg>
void launch_doublebuffer(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                         bool trans_a, bool trans_b, cudaStream_t stream) {
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, Cfg::BM, Cfg::BN, tiles_m, tiles_n, "matmul_doublebuffer");
  const Operand op_a = operand_a(a, m, k, trans_a), op_b = operand_b(b, n, k, trans_b);
  matmul_doublebuffer_kernel<Cfg><<<blocks, Cfg::kThreads, 0, stream>>>(
      op_a, op_b, c, m, n, k, vector_ok(a, op_a.ld), vector_ok(b, op_b.ld), vector_ok(c, n), tiles_m,
      tiles_n);
  check_launch("matmul_doublebuffer_kernel");
}

// Multiprocessor count of the current device, cached per host thread.
int multiprocessors() {
  thread_local int cached_device = -1, cached_count = 0;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  if (device != cached_device) {
    check(cudaDeviceGetAttribute(&cached_count, cudaDevAttrMultiProcessorCount, device),
          "cudaDeviceGetAttribute(MultiProcessorCount)");
    cached_device = device;
  }
  return cached_count;
}

}  // namespace

void matmul_doublebuffer(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                         bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  launch_doublebuffer<WarpTileLarge>(a, b, c, m, n, k, trans_a, trans_b,
                                     reinterpret_cast<cudaStream_t>(stream));
}

void gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
          bool trans_b, cudaStream_t stream) {
  if (m == 0 || n == 0) return;
  const int64_t large_tiles = ((m + WarpTileLarge::BM - 1) / WarpTileLarge::BM) *
                              ((n + WarpTileLarge::BN - 1) / WarpTileLarge::BN);
  if (large_tiles >= 2 * multiprocessors())
    launch_doublebuffer<WarpTileLarge>(a, b, c, m, n, k, trans_a, trans_b, stream);
  else
    launch_doublebuffer<WarpTileSmall>(a, b, c, m, n, k, trans_a, trans_b, stream);
}

}  // namespace zengrad::cuda
