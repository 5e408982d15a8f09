// Pieces shared by the CUDA matmul ladder (kernels/cuda/matmul_*.cu).
//
// Every rung computes C = op(A) · op(B) for row-major float32 matrices, with op(A) of shape m×k and
// op(B) of shape k×n, C of shape m×n. The transpose flags say how A and B are stored:
//   A: trans_a == false -> stored m×k (element (i, p) at a[i*k + p]),
//      trans_a == true  -> stored k×m (element (i, p) at a[p*m + i]);
//   B: trans_b == false -> stored k×n (element (p, j) at b[p*n + j]),
//      trans_b == true  -> stored n×k (element (p, j) at b[j*k + p]).
//
// The rungs are listed once, in matmul_rungs.h; each file's header comment explains its idea.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
//
// A uniform view of both operands makes one tile loader serve A and B: an operand is an X×K matrix
// (X = m for A, X = n for B; K = k) whose element (x, p) is at ptr[x*ld + p] when it is
// "k-contiguous", else at ptr[p*ld + x]. A is k-contiguous when not transposed, B when transposed.
// Tiles land in shared memory k-major, tile[p][x], so the inner product loop reads a row of the A tile
// and a row of the B tile for each p.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

#include "check.cuh"

namespace zengrad::cuda {

struct Operand {
  const float* ptr;
  int64_t ld;     // leading dimension of the stored matrix
  bool k_contig;  // element (x, p) at ptr[x*ld + p] (true) or ptr[p*ld + x] (false)
  int64_t extent;  // X: rows of op(A) or columns of op(B)
};

inline Operand operand_a(const float* a, int64_t m, int64_t k, bool trans_a) {
  return {a, trans_a ? m : k, !trans_a, m};
}
inline Operand operand_b(const float* b, int64_t n, int64_t k, bool trans_b) {
  return {b, trans_b ? k : n, trans_b, n};
}

// True when 16-byte loads of four consecutive stored elements are legal at every tile offset that
// is a multiple of 4: the base pointer is 16-byte aligned and every stored row starts 16-byte aligned.
inline bool vector_ok(const float* ptr, int64_t ld) {
  return reinterpret_cast<std::uintptr_t>(ptr) % 16 == 0 && ld % 4 == 0;
}

__device__ __forceinline__ float operand_at(const Operand& op, int64_t x, int64_t p) {
  return op.k_contig ? __ldg(op.ptr + x * op.ld + p) : __ldg(op.ptr + p * op.ld + x);
}

// Scalar tile loader (rungs 2-4): tile[p*LDS + x] = op(x0 + x, k0 + p), zero outside the matrix.
// Consecutive threads take consecutive stored addresses (along k or along x, whichever is
// contiguous), so every global read coalesces whatever the transpose flag.
template <int BX, int BK, int NT, int LDS>
__device__ __forceinline__ void load_tile_scalar(float* tile, const Operand& op, int64_t x0, int64_t k0,
                                                 int64_t K, int tid) {
  for (int c = tid; c < BX * BK; c += NT) {
    const int x = op.k_contig ? c / BK : c % BX;
    const int p = op.k_contig ? c % BK : c / BX;
    const int64_t gx = x0 + x, gp = k0 + p;
    tile[p * LDS + x] = (gx < op.extent && gp < K) ? operand_at(op, gx, gp) : 0.f;
  }
}

// Register-staged float4 tile loader (rungs 5-7). fetch() reads the thread's share of a BX×BK tile
// from global memory into registers; store() writes it to shared memory, k-major (tile[p][x]).
// Each thread moves kVec chunks of four consecutive *stored* elements:
//   k-contiguous operand: chunk = (x, p..p+3), stored transposed as four scalars;
//   x-contiguous operand: chunk = (x..x+3, p), stored as one float4.
// The float4 path runs only when the whole tile is inside the matrix and vector_ok() held;
// otherwise the same chunks are gathered element by element with bounds checks (zero outside).
template <int BX, int BK, int NT, int LDS>
struct TileStager {
  static_assert((BX * BK) % (4 * NT) == 0, "tile must split into whole float4 chunks per thread");
  static_assert(BX % 4 == 0 && BK % 4 == 0 && LDS % 4 == 0, "tile sides must be multiples of 4");
  static constexpr int kVec = BX * BK / (4 * NT);
  float4 v[kVec];

  // Chunk c of the tile, as tile coordinates of its first element.
  __device__ __forceinline__ static void chunk(bool k_contig, int c, int& x, int& p) {
    if (k_contig) {
      x = c / (BK / 4);
      p = (c % (BK / 4)) * 4;
    } else {
      x = (c % (BX / 4)) * 4;
      p = c / (BX / 4);
    }
  }

  __device__ __forceinline__ void fetch(const Operand& op, bool vec, int64_t x0, int64_t k0, int64_t K,
                                        int tid) {
    const bool fast = vec && x0 + BX <= op.extent && k0 + BK <= K;
#pragma unroll
    for (int i = 0; i < kVec; ++i) {
      int x, p;
      chunk(op.k_contig, tid + i * NT, x, p);
      const int64_t gx = x0 + x, gp = k0 + p;
      if (fast) {
        const float* src = op.k_contig ? op.ptr + gx * op.ld + gp : op.ptr + gp * op.ld + gx;
        v[i] = __ldg(reinterpret_cast<const float4*>(src));
      } else {
        float e[4];
#pragma unroll
        for (int s = 0; s < 4; ++s) {
          const int64_t ex = op.k_contig ? gx : gx + s;
          const int64_t ep = op.k_contig ? gp + s : gp;
          e[s] = (ex < op.extent && ep < K) ? operand_at(op, ex, ep) : 0.f;
        }
        v[i] = make_float4(e[0], e[1], e[2], e[3]);
      }
    }
  }

  __device__ __forceinline__ void store(float* tile, bool k_contig, int tid) const {
#pragma unroll
    for (int i = 0; i < kVec; ++i) {
      int x, p;
      chunk(k_contig, tid + i * NT, x, p);
      if (k_contig) {
        tile[(p + 0) * LDS + x] = v[i].x;
        tile[(p + 1) * LDS + x] = v[i].y;
        tile[(p + 2) * LDS + x] = v[i].z;
        tile[(p + 3) * LDS + x] = v[i].w;
      } else {
        *reinterpret_cast<float4*>(tile + p * LDS + x) = v[i];
      }
    }
  }
};

// Tile scheduling. Every tiled rung launches a 1-D grid, one block per BM×BN tile of C: gridDim.x
// may reach 2^31 - 1 where gridDim.y and gridDim.z stop at 65535.
struct TileCoord {
  int64_t row0, col0;
};

// Row-major order: consecutive blocks walk along a row of tiles.
__device__ __forceinline__ TileCoord tile_row_major(int64_t tile, int64_t tiles_n, int bm, int bn) {
  return {(tile / tiles_n) * bm, (tile % tiles_n) * bn};
}

// Grouped order: blocks run down GROUP tile rows before moving one tile column right, so blocks
// resident at the same time share A rows and B columns in L2.
template <int GROUP>
__device__ __forceinline__ TileCoord tile_grouped(int64_t tile, int64_t tiles_m, int64_t tiles_n, int bm,
                                                  int bn) {
  const int64_t per_group = GROUP * tiles_n;
  const int64_t first_m = (tile / per_group) * GROUP;
  const int64_t rows_here = (tiles_m - first_m) < GROUP ? (tiles_m - first_m) : GROUP;
  const int64_t in_group = tile % per_group;
  return {(first_m + in_group % rows_here) * bm, (in_group / rows_here) * bn};
}

// Number of blocks for a grid of bm×bn tiles; throws when it exceeds gridDim.x's limit.
inline unsigned tile_count(int64_t m, int64_t n, int bm, int bn, int64_t& tiles_m, int64_t& tiles_n,
                           const char* kernel) {
  tiles_m = (m + bm - 1) / bm;
  tiles_n = (n + bn - 1) / bn;
  const int64_t tiles = tiles_m * tiles_n;
  if (tiles > 2147483647LL)
    throw std::invalid_argument(std::string(kernel) + ": matrix too large for a 1-D grid of tiles");
  return static_cast<unsigned>(tiles);
}

// Writes one row of four consecutive outputs c[row, col..col+3], as a float4 when allowed.
__device__ __forceinline__ void store_row4(float* c, int64_t m, int64_t n, bool vec_c, int64_t row,
                                           int64_t col, float v0, float v1, float v2, float v3) {
  if (row >= m) return;
  float* dst = c + row * n + col;
  if (vec_c && col + 4 <= n) {
    *reinterpret_cast<float4*>(dst) = make_float4(v0, v1, v2, v3);
  } else {
    if (col + 0 < n) dst[0] = v0;
    if (col + 1 < n) dst[1] = v1;
    if (col + 2 < n) dst[2] = v2;
    if (col + 3 < n) dst[3] = v3;
  }
}

}  // namespace zengrad::cuda
