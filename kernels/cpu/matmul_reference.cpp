// Reference CPU matmul: C[i, j] = sum_p op(A)[i, p] · op(B)[p, j].
// Idea: i-k-j loop order so the innermost loop streams a row of op(B) into a row of C; transposed
// operands are read through strides. Accumulates in float32. A reference, not a contender.
#include "matmul.h"

#include <cstring>

namespace zengrad::cpu {

void matmul_reference(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                      bool trans_a, bool trans_b) {
  const int64_t a_row = trans_a ? 1 : k, a_col = trans_a ? m : 1;  // strides of op(A)
  const int64_t b_row = trans_b ? 1 : n, b_col = trans_b ? k : 1;  // strides of op(B)
  std::memset(c, 0, sizeof(float) * static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i) {
    float* c_row = c + i * n;
    for (int64_t p = 0; p < k; ++p) {
      const float a_ip = a[i * a_row + p * a_col];
      const float* b_p = b + p * b_row;
      for (int64_t j = 0; j < n; ++j) c_row[j] += a_ip * b_p[j * b_col];
    }
  }
}

const char* cpu_features() {
  static const char* features = [] {
    static char buffer[128] = "";
    const struct { const char* name; bool present; } flags[] = {
        {"avx512f", __builtin_cpu_supports("avx512f")},
        {"avx2", __builtin_cpu_supports("avx2")},
        {"fma", __builtin_cpu_supports("fma")},
        {"sse4.2", __builtin_cpu_supports("sse4.2")},
    };
    for (const auto& flag : flags) {
      if (!flag.present) continue;
      if (buffer[0]) std::strcat(buffer, " ");
      std::strcat(buffer, flag.name);
    }
    return buffer;
  }();
  return features;
}

}  // namespace zengrad::cpu
