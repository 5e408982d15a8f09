// Row softmax, forward and backward, on the CPU (float32 in and out, double row sums).
//
// Idea: the NumPy reference (kernels_reference.py) makes a pass over the whole array per step
// (shift, exponentiate, sum, divide; backward: multiply, sum, subtract, multiply), each a trip
// through memory for attention's (N, h, L, L) scores, several megabytes. Here each row is done
// while it sits in L1: the maximum, then e^{x − max} written once with its sum on the way, then
// one scaling; backward one dot product and one pass. The exponential is fast_exp.h's polynomial,
// which vectorizes; arguments below −87 (e^x under float32's smallest normal number, −∞ masked
// entries included) give exactly 0, and NaN stays NaN.
// One thread: attention's softmax is a fraction of a millisecond.
//
// Speed (AMD EPYC Zen 4 VM, shared, 1 thread, 2026-12-03), the transformer's causal scores
// (32·4·64 rows of 64): forward 0.47 ms against 0.76 ms for the NumPy reference (with the copy
// it works on), backward 0.19 ms against 0.41 ms. Checks: tests/test_softmax_kernel.py.
#include "softmax.h"

#include "fast_exp.h"

#include <cmath>
#include <limits>

namespace zengrad::cpu {

__attribute__((target_clones("avx512f", "avx2", "default"))) void softmax_forward(int64_t rows, int64_t n,
                                                                                  const float* x, float* y) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* __restrict xi = x + i * n;
    float* __restrict yi = y + i * n;
    float top = -std::numeric_limits<float>::infinity();
#pragma omp simd reduction(max : top)
    for (int64_t j = 0; j < n; ++j) top = xi[j] > top ? xi[j] : top;
    double sum = 0.0;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; ++j) {
      yi[j] = exp_nonpositive(xi[j] - top);  // NaN when the row holds NaN, +∞ or only −∞
      sum += yi[j];
    }
    const float scale = static_cast<float>(1.0 / sum);
    for (int64_t j = 0; j < n; ++j) yi[j] *= scale;
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void softmax_backward(
    int64_t rows, int64_t n, const float* y, const float* dy, float* dx) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* __restrict yi = y + i * n;
    const float* __restrict gi = dy + i * n;
    float* __restrict di = dx + i * n;
    double dot = 0.0;
#pragma omp simd reduction(+ : dot)
    for (int64_t j = 0; j < n; ++j) dot += static_cast<double>(gi[j]) * yi[j];
    const float d = static_cast<float>(dot);
    for (int64_t j = 0; j < n; ++j) di[j] = yi[j] * (gi[j] - d);
  }
}

}  // namespace zengrad::cpu
