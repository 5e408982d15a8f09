// Ladder rung 2, loop order: the same multiply-adds in i-k-j order.
// Idea: swap the two inner loops. Now the innermost loop adds A[i][p] · (row p of B) to row i of C:
// both rows are contiguous, every byte of a loaded cache line is used, and the compiler turns the
// loop into SIMD instructions (4 floats at a time on baseline x86-64). The cost: row i of C is
// loaded and stored k times, and all of B is streamed through the caches once per row of A.
// (cpu:reference, matmul_reference.cpp, is this loop reading transposed operands through strides.)
// Measured speed: benchmarks/results/ladder.md (`zengrad bench matmul --ladder`).
#include "ladder.h"

#include <algorithm>

namespace zengrad::cpu::ladder {

void matmul_loop_order(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k) {
  std::fill(c, c + m * n, 0.0f);
  for (int64_t i = 0; i < m; ++i) {
    float* c_row = c + i * n;
    for (int64_t p = 0; p < k; ++p) {
      const float a_ip = a[i * k + p];
      const float* b_row = b + p * n;
      for (int64_t j = 0; j < n; ++j) c_row[j] += a_ip * b_row[j];
    }
  }
}

}  // namespace zengrad::cpu::ladder
