// Rung 7 of the CUDA matmul ladder: double buffering (register-staged prefetch).
// Idea: in rung 6 every k-step waits for its global loads (hundreds of cycles) before any FMA can
// start, and the block needs two barriers per step. Here shared memory holds two copies of the A
// and B tiles. While the warps multiply k-tile t out of buffer t % 2, each thread has already
// issued the global loads of k-tile t + 1 into registers; after the multiply it writes them into
// the other buffer, and one barrier ends the step. The load latency hides behind 16 k-steps of
// FMAs. The staging goes through registers, which also transposes a k-contiguous tile on its way
// into the k-major shared layout; rung 8 (matmul_pipelined.cu) copies with cp.async instead,
// several stages deep, without holding the tile in registers.
// Why one barrier is enough: in step t threads write buffer (t+1) % 2, which was last read in step
// t - 1, and every thread passed the barrier that ended step t - 1 before any thread started step t.
// Changed from rung 6: two buffers, prefetch into registers, one __syncthreads per k-step, a
// register cap of 128 (two 256-thread blocks per SM), and the tile size chosen by the problem shape
// (128×128, or 64×64 when 128×128 tiles would leave multiprocessors idle).
//
// This file also holds gemm(), the matmul the LSTM drivers call: this rung, plus split-k for
// skinny products when the caller gives a workspace (gemm.cuh).
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include <algorithm>

#include "check.cuh"
#include "gemm.cuh"
#include "matmul_warptile.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kMaxSplits = 16;       // at most this many k-splits
constexpr int64_t kMinSplitDepth = 128;  // and each split at least this deep

// With kSplit, blockIdx.y is the k-split: it multiplies k-values [split·k_chunk, min(k, (split+1)·k_chunk))
// and writes its m×n partial product to c + split·m·n. (A template flag, so that the unsplit 128×128
// kernel keeps its registers for the tile: the offsets cost it a spill.)
template <class Cfg, bool kSplit>
__global__ void __launch_bounds__(Cfg::kThreads, 2)
    matmul_doublebuffer_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                               int64_t k_chunk, bool vec_a, bool vec_b, bool vec_c, int64_t tiles_m,
                               int64_t tiles_n) {
  __shared__ __align__(16) float a_tile[2][Cfg::BK * Cfg::kLdsA];
  __shared__ __align__(16) float b_tile[2][Cfg::BK * Cfg::kLdsB];
  const TileCoord tile = tile_grouped<Cfg::kGroup>(blockIdx.x, tiles_m, tiles_n, Cfg::BM, Cfg::BN);
  int64_t depth = k;
  if constexpr (kSplit) {
    const int64_t k0 = blockIdx.y * k_chunk;
    depth = k - k0 < k_chunk ? k - k0 : k_chunk;
    a.ptr += a.k_contig ? k0 : k0 * a.ld;
    b.ptr += b.k_contig ? k0 : k0 * b.ld;
    c += blockIdx.y * m * n;
  }
  const int tid = threadIdx.x;
  const LanePlace at = lane_place<Cfg>(tid);
  TileStager<Cfg::BM, Cfg::BK, Cfg::kThreads, Cfg::kLdsA> stage_a;
  TileStager<Cfg::BN, Cfg::BK, Cfg::kThreads, Cfg::kLdsB> stage_b;
  float acc[Cfg::TM][Cfg::TN] = {};
  const int64_t k_tiles = (depth + Cfg::BK - 1) / Cfg::BK;
  if (k_tiles > 0) {
    stage_a.fetch(a, vec_a, tile.row0, 0, depth, tid);
    stage_b.fetch(b, vec_b, tile.col0, 0, depth, tid);
    stage_a.store(a_tile[0], a.k_contig, tid);
    stage_b.store(b_tile[0], b.k_contig, tid);
  }
  __syncthreads();
  for (int64_t t = 0; t < k_tiles; ++t) {
    const int cur = static_cast<int>(t & 1);
    const bool has_next = t + 1 < k_tiles;
    if (has_next) {
      stage_a.fetch(a, vec_a, tile.row0, (t + 1) * Cfg::BK, depth, tid);
      stage_b.fetch(b, vec_b, tile.col0, (t + 1) * Cfg::BK, depth, tid);
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

// c[i] = Σ_s partial[s·count + i], summed in split order.
__global__ void sum_splits_kernel(const float* __restrict__ partial, float* __restrict__ c, int64_t count,
                                  int splits) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < count;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float sum = 0.f;
    for (int s = 0; s < splits; ++s) sum += partial[s * count + i];
    c[i] = sum;
  }
}

template <class Cfg, bool kSplit>
void launch_doublebuffer(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                         int64_t k_chunk, int splits, bool trans_a, bool trans_b, cudaStream_t stream) {
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, Cfg::BM, Cfg::BN, tiles_m, tiles_n, "matmul_doublebuffer");
  const Operand op_a = operand_a(a, m, k, trans_a), op_b = operand_b(b, n, k, trans_b);
  // A split starts k_chunk (a multiple of BK = 16) values in: still 16-byte aligned when vector_ok.
  const bool vec_a = vector_ok(a, op_a.ld), vec_b = vector_ok(b, op_b.ld), vec_c = vector_ok(c, n);
  matmul_doublebuffer_kernel<Cfg, kSplit><<<dim3(blocks, splits), Cfg::kThreads, 0, stream>>>(
      op_a, op_b, c, m, n, k, k_chunk, vec_a, vec_b, vec_c, tiles_m, tiles_n);
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

int64_t tiles_of(int64_t m, int64_t n, int bm, int bn) { return ((m + bm - 1) / bm) * ((n + bn - 1) / bn); }

}  // namespace

int64_t gemm_workspace_floats(int64_t m, int64_t n) { return kMaxSplits * m * n; }

void gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
          bool trans_b, cudaStream_t stream, float* workspace, int64_t workspace_floats) {
  if (m == 0 || n == 0) return;
  const int sms = multiprocessors();
  if (tiles_of(m, n, WarpTileLarge::BM, WarpTileLarge::BN) >= 2 * sms) {
    launch_doublebuffer<WarpTileLarge, false>(a, b, c, m, n, k, k, 1, trans_a, trans_b, stream);
    return;
  }
  const int64_t small_tiles = tiles_of(m, n, WarpTileSmall::BM, WarpTileSmall::BN);
  int64_t splits = 1;
  if (workspace != nullptr && small_tiles < sms) {
    splits = std::min<int64_t>({kMaxSplits, (sms + small_tiles - 1) / small_tiles, k / kMinSplitDepth,
                                workspace_floats / (m * n)});
  }
  if (splits < 2) {
    launch_doublebuffer<WarpTileSmall, false>(a, b, c, m, n, k, k, 1, trans_a, trans_b, stream);
    return;
  }
  const int64_t per_split = (k + splits - 1) / splits;
  const int64_t k_chunk = (per_split + WarpTileSmall::BK - 1) / WarpTileSmall::BK * WarpTileSmall::BK;
  const int used = static_cast<int>((k + k_chunk - 1) / k_chunk);
  launch_doublebuffer<WarpTileSmall, true>(a, b, workspace, m, n, k, k_chunk, used, trans_a, trans_b, stream);
  const int64_t count = m * n;
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>((count + 255) / 256, 1 << 20));
  sum_splits_kernel<<<blocks, 256, 0, stream>>>(workspace, c, count, used);
  check_launch("sum_splits_kernel");
}

void matmul_doublebuffer(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                         bool trans_a, bool trans_b, std::uintptr_t stream) {
  gemm(a, b, c, m, n, k, trans_a, trans_b, reinterpret_cast<cudaStream_t>(stream));
}

}  // namespace zengrad::cuda
