#include "sequence.h"

#include <algorithm>

namespace zengrad::cpu::sequence {

void column_sums(const float* m, int64_t rows, int64_t cols, float* out) {
  constexpr int64_t kChunk = 64;
  const int64_t chunks = (cols + kChunk - 1) / kChunk;
  const int threads = max_threads();
#pragma omp parallel for schedule(static) num_threads(threads) if (rows * cols >= (int64_t{1} << 16) && threads > 1)
  for (int64_t chunk = 0; chunk < chunks; ++chunk) {
    const int64_t begin = chunk * kChunk, end = std::min(cols, begin + kChunk);
    float sums[kChunk] = {};
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = begin; j < end; ++j) sums[j - begin] += m[r * cols + j];
    std::copy(sums, sums + (end - begin), out + begin);
  }
}

}  // namespace zengrad::cpu::sequence
