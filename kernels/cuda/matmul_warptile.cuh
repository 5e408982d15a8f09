// Warp tiling, shared by rungs 6 (matmul_warptile.cu) and 7 (matmul_doublebuffer.cu).
//
// A block tile is split among warps, and each warp's tile among its 32 lanes:
//   block tile  BM×BN = (WARPS_M × WARPS_N) warp tiles;
//   warp tile   (32·WMITER)×(16·WNITER) = WMITER×WNITER sub-tiles of 32×16;
//   sub-tile    32×16 = lanes as 8 rows × 4 columns, each lane a 4×4 block.
// So a thread owns TM×TN = (4·WMITER)×(4·WNITER) outputs. For each k it reads WMITER float4 of the
// A tile row and WNITER float4 of the B tile row. Within a warp those reads are 8 consecutive float4
// (A, 128 bytes) and 4 consecutive float4 (B, 64 bytes): every lane is served in one shared-memory
// wavefront, without bank conflicts, and values are broadcast to the lanes that share them.
// Rung 5 instead laid 16 threads along a row at stride 8 floats, which its 64-float jump only partly
// hid; here the layout makes the access pattern of each warp a design decision.
#pragma once
#include "matmul_common.cuh"

namespace zengrad::cuda {

template <int WARPS_M_, int WARPS_N_, int WMITER_, int WNITER_, int BK_>
struct WarpTileConfig {
  static constexpr int WARPS_M = WARPS_M_, WARPS_N = WARPS_N_, WMITER = WMITER_, WNITER = WNITER_;
  static constexpr int kWarpM = 32 * WMITER, kWarpN = 16 * WNITER;
  static constexpr int BM = WARPS_M * kWarpM, BN = WARPS_N * kWarpN, BK = BK_;
  static constexpr int TM = 4 * WMITER, TN = 4 * WNITER;
  static constexpr int kThreads = 32 * WARPS_M * WARPS_N;
  static constexpr int kLdsA = BM + 4, kLdsB = BN + 4;  // +4 floats: rows stay 16-byte aligned
  static constexpr int kGroup = 8;                      // tile rows per scheduling group
};

// 128×128×16 block tile, 8 warps of 64×32, 8×8 outputs per thread: the large-matrix shape.
using WarpTileLarge = WarpTileConfig<2, 4, 2, 2, 16>;
// 64×64×16 block tile, 4 warps of 32×32, 4×8 outputs per thread: more blocks for skinny products
// (the LSTM's per-step recurrent GEMMs with a small batch).
using WarpTileSmall = WarpTileConfig<2, 2, 1, 2, 16>;

// Where a thread's outputs sit inside the block tile.
struct LanePlace {
  int row, col;  // first row / column of the thread's first 4×4 block
};

template <class Cfg>
__device__ __forceinline__ LanePlace lane_place(int tid) {
  const int warp = tid / 32, lane = tid % 32;
  return {(warp / Cfg::WARPS_N) * Cfg::kWarpM + (lane / 4) * 4, (warp % Cfg::WARPS_N) * Cfg::kWarpN + (lane % 4) * 4};
}

// The thread's fragments of k-step p: WMITER float4 of the A tile row and WNITER float4 of the B tile row.
__device__ __forceinline__ void unpack4(const float* src, float* dst) {
  const float4 v = *reinterpret_cast<const float4*>(src);
  dst[0] = v.x;
  dst[1] = v.y;
  dst[2] = v.z;
  dst[3] = v.w;
}

template <class Cfg>
__device__ __forceinline__ void load_fragments(const float* a_tile, const float* b_tile, LanePlace at, int p,
                                               float (&a_frag)[Cfg::TM], float (&b_frag)[Cfg::TN]) {
#pragma unroll
  for (int i = 0; i < Cfg::WMITER; ++i) unpack4(a_tile + p * Cfg::kLdsA + at.row + 32 * i, a_frag + 4 * i);
#pragma unroll
  for (int j = 0; j < Cfg::WNITER; ++j) unpack4(b_tile + p * Cfg::kLdsB + at.col + 16 * j, b_frag + 4 * j);
}

// acc += a_frag ⊗ b_frag: the thread's TM×TN outer product for one k-step.
template <class Cfg>
__device__ __forceinline__ void outer_product(const float (&a_frag)[Cfg::TM], const float (&b_frag)[Cfg::TN],
                                              float (&acc)[Cfg::TM][Cfg::TN]) {
#pragma unroll
  for (int i = 0; i < Cfg::TM; ++i)
#pragma unroll
    for (int j = 0; j < Cfg::TN; ++j) acc[i][j] = fmaf(a_frag[i], b_frag[j], acc[i][j]);
}

// acc += (A tile)ᵀ-rows × (B tile)-rows over the BK steps held in shared memory.
template <class Cfg>
__device__ __forceinline__ void warp_tile_step(const float* a_tile, const float* b_tile, LanePlace at,
                                               float (&acc)[Cfg::TM][Cfg::TN]) {
#pragma unroll
  for (int p = 0; p < Cfg::BK; ++p) {
    float a_frag[Cfg::TM], b_frag[Cfg::TN];
    load_fragments<Cfg>(a_tile, b_tile, at, p, a_frag, b_frag);
    outer_product<Cfg>(a_frag, b_frag, acc);
  }
}

// Writes the thread's outputs: row at.row + 32·i + e, columns at.col + 16·j + 0..3.
template <class Cfg>
__device__ __forceinline__ void warp_tile_store(float* c, int64_t m, int64_t n, bool vec_c, TileCoord tile,
                                                LanePlace at, const float (&acc)[Cfg::TM][Cfg::TN]) {
#pragma unroll
  for (int i = 0; i < Cfg::WMITER; ++i)
#pragma unroll
    for (int e = 0; e < 4; ++e) {
      const int64_t row = tile.row0 + at.row + 32 * i + e;
#pragma unroll
      for (int j = 0; j < Cfg::WNITER; ++j) {
        const float* v = acc[4 * i + e] + 4 * j;
        store_row4(c, m, n, vec_c, row, tile.col0 + at.col + 16 * j, v[0], v[1], v[2], v[3]);
      }
    }
}

}  // namespace zengrad::cuda
