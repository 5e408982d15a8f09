// Ladder rung 1, naive: the definition C[i][j] = Σ_p A[i][p] · B[p][j] as three loops in i-j-k order.
// Idea: none yet. The inner loop walks down a column of B, n floats apart: each multiply-add loads
// a new cache line of B and uses 4 of its 64 bytes, so the loop waits on memory, not arithmetic.
// Measured speed: benchmarks/results/ladder.md (`zengrad bench matmul --ladder`).
#include "ladder.h"

namespace zengrad::cpu::ladder {

void matmul_naive(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      float sum = 0.0f;
      for (int64_t p = 0; p < k; ++p) sum += a[i * k + p] * b[p * n + j];
      c[i * n + j] = sum;
    }
}

}  // namespace zengrad::cpu::ladder
