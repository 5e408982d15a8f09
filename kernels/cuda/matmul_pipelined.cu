// Rung 8 of the CUDA matmul ladder: a multi-stage cp.async pipeline with fragment double-buffering.
// Idea: rung 7 prefetches one k-tile ahead through registers: the loads of tile t + 1 occupy
// registers during the FMAs of tile t, and the store into shared memory waits for them. Here the
// copies go straight from global to shared memory with cp.async (no registers), kStages k-tiles
// deep: while the warps multiply tile t, the copies of tiles t + 1 ... t + kStages - 1 are in
// flight, so a slow load has kStages - 1 tiles of FMAs to hide behind, not one. Each k-step:
//   wait until this thread's copies of tile t have landed (cp.async.wait_group kStages - 2),
//   __syncthreads()  (everyone's copies landed, and everyone finished reading tile t - 1's stage),
//   start the copies of tile t + kStages - 1 into that freed stage, commit them as one group,
//   multiply tile t.
// One barrier per k-step, as in rung 7. Inside the multiply the register fragments are double-
// buffered: the float4 reads of step p + 1 are issued before the FMAs of step p, so shared-memory
// latency overlaps the FMAs instead of preceding them.
// Layout as a template parameter: whether each operand is contiguous along k (A not transposed,
// B transposed) or along its other side is a template flag, so each of the four combinations gets
// its own copy code without run-time branches. An operand contiguous along its other side is copied
// 16 bytes at a time straight into the k-major tile the warp tiling reads (matmul_warptile.cuh); a
// k-contiguous one is transposed on the way, four 4-byte copies per 16 stored bytes. Edge tiles
// and misaligned operands use the zero-fill of cp.async (src_bytes below the copy size), no branch.
// Tile size by problem shape, as gemm(): 128×128, or 64×64 when that leaves multiprocessors idle.
// Changed from rung 7: cp.async in kStages stages (dynamic shared memory), double-buffered
// fragments, transpose-flag template parameters.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "async_copy.cuh"
#include "check.cuh"
#include "matmul_warptile.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kStages = 4;

// Starts the copies of the BX×BK tile at (x0, k0) of `op` into tile[p][x] (k-major, row length LDS).
// kKContig: the operand's stored rows run along k (element (x, p) at ptr[x·ld + p]).
template <int BX, int BK, int NT, int LDS, bool kKContig>
__device__ __forceinline__ void copy_tile_async(float* tile, const Operand& op, bool vec, int64_t x0, int64_t k0,
                                                int64_t K, int tid) {
  static_assert((BX * BK) % (4 * NT) == 0 && BX % 4 == 0 && BK % 4 == 0, "whole float4 chunks per thread");
#pragma unroll
  for (int i = 0; i < BX * BK / (4 * NT); ++i) {
    const int c = tid + i * NT;
    if constexpr (kKContig) {  // chunk = (x, p..p+3): four 4-byte copies, transposed
      const int x = c / (BK / 4), p = (c % (BK / 4)) * 4;
      const int64_t gx = x0 + x;
#pragma unroll
      for (int s = 0; s < 4; ++s) {
        const int64_t gp = k0 + p + s;
        const bool inside = gx < op.extent && gp < K;
        copy_async<4>(tile + (p + s) * LDS + x, inside ? op.ptr + gx * op.ld + gp : op.ptr, inside ? 4 : 0);
      }
    } else {  // chunk = (x..x+3, p): one 16-byte copy when aligned, else four 4-byte copies
      const int x = (c % (BX / 4)) * 4, p = c / (BX / 4);
      const int64_t gx = x0 + x, gp = k0 + p;
      const int64_t valid = gp < K ? (op.extent - gx < 4 ? op.extent - gx : 4) : 0;
      if (vec) {
        copy_async<16>(tile + p * LDS + x, valid > 0 ? op.ptr + gp * op.ld + gx : op.ptr,
                       valid > 0 ? static_cast<int>(4 * valid) : 0);
      } else {
#pragma unroll
        for (int s = 0; s < 4; ++s)
          copy_async<4>(tile + p * LDS + x + s, s < valid ? op.ptr + gp * op.ld + gx + s : op.ptr, s < valid ? 4 : 0);
      }
    }
  }
}

template <class Cfg>
constexpr int kStageFloats = Cfg::BK * Cfg::kLdsA + Cfg::BK * Cfg::kLdsB;

template <class Cfg, bool kKContigA, bool kKContigB>
__global__ void __launch_bounds__(Cfg::kThreads, 2)
    matmul_pipelined_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                            bool vec_a, bool vec_b, bool vec_c, int64_t tiles_m, int64_t tiles_n) {
  extern __shared__ float4 smem4[];
  float* smem = reinterpret_cast<float*>(smem4);
  const TileCoord tile = tile_grouped<Cfg::kGroup>(blockIdx.x, tiles_m, tiles_n, Cfg::BM, Cfg::BN);
  const int tid = threadIdx.x;
  const LanePlace at = lane_place<Cfg>(tid);
  const int64_t k_tiles = (k + Cfg::BK - 1) / Cfg::BK;

  // Stage s holds the A tile at smem + s·stage_floats and the B tile right after it.
  const auto issue = [&](int64_t t) {
    float* a_tile = smem + (t % kStages) * kStageFloats<Cfg>;
    float* b_tile = a_tile + Cfg::BK * Cfg::kLdsA;
    copy_tile_async<Cfg::BM, Cfg::BK, Cfg::kThreads, Cfg::kLdsA, kKContigA>(a_tile, a, vec_a, tile.row0,
                                                                           t * Cfg::BK, k, tid);
    copy_tile_async<Cfg::BN, Cfg::BK, Cfg::kThreads, Cfg::kLdsB, kKContigB>(b_tile, b, vec_b, tile.col0,
                                                                           t * Cfg::BK, k, tid);
  };
  // Every step commits one group, empty past the last tile, so "kStages - 2 groups may still be in
  // flight" always means "the group of tile t has landed".
#pragma unroll
  for (int s = 0; s < kStages - 1; ++s) {
    if (s < k_tiles) issue(s);
    copy_async_commit();
  }
  float acc[Cfg::TM][Cfg::TN] = {};
  float a_frag[2][Cfg::TM], b_frag[2][Cfg::TN];
  for (int64_t t = 0; t < k_tiles; ++t) {
    copy_async_wait<kStages - 2>();
    __syncthreads();
    if (t + kStages - 1 < k_tiles) issue(t + kStages - 1);
    copy_async_commit();
    const float* a_tile = smem + (t % kStages) * kStageFloats<Cfg>;
    const float* b_tile = a_tile + Cfg::BK * Cfg::kLdsA;
    load_fragments<Cfg>(a_tile, b_tile, at, 0, a_frag[0], b_frag[0]);
#pragma unroll
    for (int p = 0; p < Cfg::BK; ++p) {
      if (p + 1 < Cfg::BK) load_fragments<Cfg>(a_tile, b_tile, at, p + 1, a_frag[(p + 1) & 1], b_frag[(p + 1) & 1]);
      outer_product<Cfg>(a_frag[p & 1], b_frag[p & 1], acc);
    }
  }
  copy_async_wait<0>();  // nothing may still be writing this block's shared memory when it exits
  warp_tile_store<Cfg>(c, m, n, vec_c, tile, at, acc);
}

template <class Cfg, bool kKContigA, bool kKContigB>
void launch_pipelined(const Operand& op_a, const Operand& op_b, float* c, int64_t m, int64_t n, int64_t k,
                      cudaStream_t stream) {
  const auto kernel = matmul_pipelined_kernel<Cfg, kKContigA, kKContigB>;
  const size_t smem = kStages * kStageFloats<Cfg> * sizeof(float);
  // Above the default 48 KB a kernel must opt in (once per kernel is enough; repeating is cheap).
  check(cudaFuncSetAttribute(reinterpret_cast<const void*>(kernel), cudaFuncAttributeMaxDynamicSharedMemorySize,
                             static_cast<int>(smem)),
        "cudaFuncSetAttribute(matmul_pipelined_kernel)");
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, Cfg::BM, Cfg::BN, tiles_m, tiles_n, "matmul_pipelined");
  kernel<<<blocks, Cfg::kThreads, smem, stream>>>(op_a, op_b, c, m, n, k, vector_ok(op_a.ptr, op_a.ld),
                                                  vector_ok(op_b.ptr, op_b.ld), vector_ok(c, n), tiles_m, tiles_n);
  check_launch("matmul_pipelined_kernel");
}

template <class Cfg>
void dispatch_layout(const Operand& op_a, const Operand& op_b, float* c, int64_t m, int64_t n, int64_t k,
                     cudaStream_t stream) {
  if (op_a.k_contig && op_b.k_contig) launch_pipelined<Cfg, true, true>(op_a, op_b, c, m, n, k, stream);
  else if (op_a.k_contig) launch_pipelined<Cfg, true, false>(op_a, op_b, c, m, n, k, stream);
  else if (op_b.k_contig) launch_pipelined<Cfg, false, true>(op_a, op_b, c, m, n, k, stream);
  else launch_pipelined<Cfg, false, false>(op_a, op_b, c, m, n, k, stream);
}

int multiprocessor_count() {
  int device = 0, count = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
  return count;
}

}  // namespace

void matmul_pipelined(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
                      bool trans_b, std::uintptr_t stream_handle) {
  if (m == 0 || n == 0) return;
  const auto stream = reinterpret_cast<cudaStream_t>(stream_handle);
  const Operand op_a = operand_a(a, m, k, trans_a), op_b = operand_b(b, n, k, trans_b);
  const int64_t large_tiles = ((m + WarpTileLarge::BM - 1) / WarpTileLarge::BM) *
                              ((n + WarpTileLarge::BN - 1) / WarpTileLarge::BN);
  if (large_tiles >= 2 * multiprocessor_count())
    dispatch_layout<WarpTileLarge>(op_a, op_b, c, m, n, k, stream);
  else
    dispatch_layout<WarpTileSmall>(op_a, op_b, c, m, n, k, stream);
}

}  // namespace zengrad::cuda
