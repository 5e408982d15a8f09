// Ladder rung 4, register tiling: the blocks of rung 3, each computed one 4×8 tile of C at a time,
// the tile held in local variables (registers) for a whole K block (ladder.h, accumulate_tile).
// Idea: rungs 2 and 3 load and store a slice of C for every multiply-add step; here a tile of C is
// read and written once per K block, and each step loads 4 numbers of A and 8 of B for 32
// multiply-adds. The tiles that do not fill 4×8 at the edges of C take rung 3's loop.
// Measured speed: benchmarks/results/ladder.md (`zengrad bench matmul --ladder`).
#include "ladder.h"

#include <algorithm>

namespace zengrad::cpu::ladder {

namespace {

// C[rows, cols] += A[rows, p0:p0+kb] · B[p0:p0+kb, cols] by the i-k-j loop of rung 2 (the edges).
void edge(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t p0, int64_t kb,
          int64_t row0, int64_t row1, int64_t col0, int64_t col1) {
  for (int64_t i = row0; i < row1; ++i)
    for (int64_t p = p0; p < p0 + kb; ++p) {
      const float a_ip = a[i * k + p];
      for (int64_t j = col0; j < col1; ++j) c[i * n + j] += a_ip * b[p * n + j];
    }
}

}  // namespace

void matmul_register_tile(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
  std::fill(c, c + m * n, 0.0f);
  const int64_t full_m = m / kTileM * kTileM;
  for (int64_t jc = 0; jc < n; jc += kBlockN) {
    const int64_t nb = std::min(kBlockN, n - jc), full_n = jc + nb / kTileN * kTileN;
    for (int64_t pc = 0; pc < k; pc += kBlockK) {
      const int64_t kb = std::min(kBlockK, k - pc);
      for (int64_t i = 0; i < full_m; i += kTileM)
        for (int64_t j = jc; j < full_n; j += kTileN) {
          Tile acc = {};
          accumulate_tile(kb, a + i * k + pc, k, 1, b + pc * n + j, n, acc);
          for (int r = 0; r < kTileM; ++r)
            for (int s = 0; s < kTileN; ++s) c[(i + r) * n + j + s] += acc[r][s / 4][s % 4];
        }
      edge(a, b, c, n, k, pc, kb, 0, full_m, full_n, jc + nb);  // right edge of the block
      edge(a, b, c, n, k, pc, kb, full_m, m, jc, jc + nb);      // bottom rows
    }
  }
}

}  // namespace zengrad::cpu::ladder
