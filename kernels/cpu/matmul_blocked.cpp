// Ladder rung 3, cache blocking: the i-k-j loops of rung 2, run on one kBlockK×kBlockN block of B
// at a time.
// Idea: rung 2 streams all of B (k·n floats: 4 MB at 1024³) past every row of A, so B comes from
// memory or L3 m times. Here the loops over blocks of K and N go outside: a 256×128 block of B
// (128 KB) is loaded into the L2 cache once and then reused by every row of A, and the slice of a
// row of C being updated (128 floats) stays in L1.
// Measured speed: benchmarks/results/ladder.md (`zengrad bench matmul --ladder`).
#include "ladder.h"

#include <algorithm>

namespace zengrad::cpu::ladder {

void matmul_blocked(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
  std::fill(c, c + m * n, 0.0f);
  for (int64_t jc = 0; jc < n; jc += kBlockN) {
    const int64_t nb = std::min(kBlockN, n - jc);
    for (int64_t pc = 0; pc < k; pc += kBlockK) {
      const int64_t kb = std::min(kBlockK, k - pc);
      for (int64_t i = 0; i < m; ++i) {
        float* c_row = c + i * n + jc;
        for (int64_t p = pc; p < pc + kb; ++p) {
          const float a_ip = a[i * k + p];
          const float* b_row = b + p * n + jc;
          for (int64_t j = 0; j < nb; ++j) c_row[j] += a_ip * b_row[j];
        }
      }
    }
  }
}

}  // namespace zengrad::cpu::ladder
