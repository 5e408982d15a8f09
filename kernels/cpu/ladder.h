// The CPU matmul ladder: C = A · B, float32, row-major, contiguous, A m×k, B k×n, C m×n, one thread.
//
// Each rung is one short file whose header states the one idea it adds to the rung before it:
//   matmul_naive.cpp          i-j-k: the definition, B walked down its columns
//   matmul_loop_order.cpp     i-k-j: the inner loop streams a row of B into a row of C
//   matmul_blocked.cpp        the same loops on cache-sized blocks of B
//   matmul_register_tile.cpp  a small tile of C held in local variables (registers) for a whole K block
//   matmul_packed.cpp         A and B copied into the order the register tile reads them
// The rungs above it are the fast kernel of matmul.h: an explicit SIMD micro-kernel chosen at run
// time ("simd", on one thread), then OpenMP threads ("threads"). Every rung is compiled for baseline
// x86-64, like the rest of the library, so the compiler may use SSE but no wider vectors.
// Measured speeds are kept in benchmarks/results/ladder.md and printed by
// `zengrad bench matmul --ladder`; docs/kernels/cpu-matmul.md explains each step.
// No Python headers here: bindings/ validates arguments, transposes nothing, releases the GIL.
#pragma once
#include <cstdint>
#include <cstring>

namespace zengrad::cpu::ladder {

void matmul_naive(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);
void matmul_loop_order(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);
void matmul_blocked(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);
void matmul_register_tile(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);
void matmul_packed(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k);

// Cache blocks shared by the blocked, register-tile and packed rungs, so that each rung changes
// one thing: a KC×NC block of B (128 KB) stays in the L2 cache while every row of A passes over it.
constexpr int64_t kBlockK = 256, kBlockN = 128;

// The packed rung's block of A: kBlockM×kBlockK (64 KB), packed once per block of B.
constexpr int64_t kBlockM = 64;

// The register tile of the register-tile and packed rungs: 4 rows × 8 columns of C, 8 SSE
// registers of 4 floats as accumulators (baseline x86-64 has 16).
constexpr int kTileM = 4, kTileN = 8;

// Four floats as one value (a GCC/Clang vector type, no intrinsics): one 4-float SSE register on
// baseline x86-64. A row of the register tile is kTileN / 4 of them.
using Vec4 = float __attribute__((vector_size(4 * sizeof(float))));
constexpr int kTileVecs = kTileN / 4;
using Tile = Vec4[kTileM][kTileVecs];

// The register tile's inner loop, shared by both rungs that use it: for kb steps p,
//   tile[i] += A(i, p) · B(p, 0:8),  A(i, p) = a[i·a_row + p·a_step],  B(p, j) = b[p·b_step + j].
// The tile is copied into local variables, which stay in 8 registers for all kb steps; each step
// loads kTileM numbers of A and one row of kTileN numbers of B for kTileM·kTileN multiply-adds.
// (Written as plain float loops, GCC 12 vectorized this along p instead, with an in-order sum,
// and ran slower than rung 3: the vector type says which way to vectorize.)
inline void accumulate_tile(int64_t kb, const float* a, int64_t a_row, int64_t a_step, const float* b,
                            int64_t b_step, Tile& tile) {
  Vec4 acc[kTileM][kTileVecs];
  std::memcpy(acc, tile, sizeof acc);
  for (int64_t p = 0; p < kb; ++p, a += a_step, b += b_step) {
    Vec4 b_p[kTileVecs];
    std::memcpy(b_p, b, sizeof b_p);  // unaligned load of B(p, 0:8)
    for (int i = 0; i < kTileM; ++i) {
      const float a_ip = a[i * a_row];
      for (int v = 0; v < kTileVecs; ++v) acc[i][v] += a_ip * b_p[v];
    }
  }
  std::memcpy(tile, acc, sizeof acc);
}

}  // namespace zengrad::cpu::ladder
