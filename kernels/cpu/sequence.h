// What the whole-sequence recurrent kernels (lstm.cpp, rnn.cpp) share: their shape, pointwise math
// the compiler can vectorize (kernels/cpu/CMakeLists.txt says which flag that takes on AVX2), and
// the loops that spread a step's rows over threads.
#pragma once
#include <cstdint>
#include <cstring>

#include "threads.h"

namespace zengrad::cpu {

// x is [T, B, I]; hidden states are [B, H].
struct SequenceShape {
  int64_t steps, batch, input, hidden;  // T, B, I, H
};

namespace sequence {

inline float bits_to_float(int32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// e^x as 2^n · e^r with n = round(x / ln 2) and |r| <= ln2 / 2; e^r by the Cephes expf polynomial.
// x is clamped to [-87, 87] so 2^n stays a normal float and nothing overflows. ~1e-7 relative error.
inline float fast_exp(float x) {
  constexpr float kLog2e = 1.44269504088896341f, kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
  constexpr float kRound = 12582912.0f;  // 1.5·2^23: adding then subtracting it rounds to integer
  x = x < -87.0f ? -87.0f : (x > 87.0f ? 87.0f : x);
  const float n = (x * kLog2e + kRound) - kRound;
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float e_r = p * r * r + r + 1.0f;
  return e_r * bits_to_float((static_cast<int32_t>(n) + 127) << 23);
}

inline float sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

// tanh(x) = 2σ(2x) − 1: exact in the limits, absolute error ~1e-7 near 0.
inline float fast_tanh(float x) { return 2.0f * sigmoid(2.0f * x) - 1.0f; }

// Runs `row(b)` for every batch row, on all threads when the step is big enough to pay for them.
// From 1024 elements: the LSTM's pointwise pass costs a few nanoseconds an element on one thread
// (five exponentials) and opening a parallel region about a microsecond, so from about a thousand
// elements the split pays for itself (the char LSTM's B=32, H=192 step is 6144).
template <typename Row>
void for_each_row(int64_t batch, int64_t hidden, Row row) {
  const int threads = max_threads();
  const bool parallel = batch > 1 && batch * hidden >= 1024 && threads > 1;
#pragma omp parallel for schedule(static) num_threads(threads) if (parallel)
  for (int64_t b = 0; b < batch; ++b) row(b);
}

// out[j] = Σ_r m[r, j] over the rows of a row-major rows×cols matrix (the bias gradient);
// columns are split across threads.
void column_sums(const float* m, int64_t rows, int64_t cols, float* out);

}  // namespace sequence
}  // namespace zengrad::cpu
