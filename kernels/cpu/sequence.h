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

// The weight gradients of a recurrent layer after backward through time, from dz [T·B, G], the
// gradients of the pre-activations z_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias of every step, and the
// matching inputs of every step, stacked by make_inputs/fill below as rows [x_t | h_{t-1} | 1]:
//   [dW_ih | dW_hh | dbias]ᵀ = [X | H_prev | 1]ᵀ · dz        (one GEMM, k = T·B)
// The bias is a weight whose input is 1. The product is taken transposed, (I+H+1)×G, so that dz —
// the big operand — is read row by row when packed, not column by column; the small result is
// then transposed into dw_ih [G, I], dw_hh [G, H] and dbias [G]. `scratch` holds (I+H+1)·G floats.
class StepInputs {
 public:
  // rows = T·B; `data` holds (rows + B)·width floats: one block of B rows past the last step,
  // where a kernel may write h_{T-1} that no weight gradient reads.
  StepInputs(float* data, int64_t steps, int64_t batch, int64_t input, int64_t hidden)
      : data_(data), steps_(steps), batch_(batch), input_(input), hidden_(hidden), width_(input + hidden + 1) {}
  static int64_t floats(int64_t steps, int64_t batch, int64_t input, int64_t hidden) {
    return (steps + 1) * batch * (input + hidden + 1);
  }
  // Copies every x_t and h0 (as h_{-1}) into place and sets the 1 column; h_{t-1} for t >= 1 is
  // written by the caller at h_prev(t) (directly by a kernel's fused pass, or by copy_hidden).
  void fill(const float* x, const float* h0);
  // Row b of h_{t-1} as seen by step t (t may be T: the scratch block); its stride is width().
  float* h_prev(int64_t t, int64_t b) const { return data_ + (t * batch_ + b) * width_ + input_; }
  // Copies h_0 .. h_{T-2} (rows of hs [T·B, H]) into place, for kernels that saved them.
  void copy_hidden(const float* hs);
  // The GEMM above and the transposes into the three gradients (overwritten).
  void weight_gradients(const float* dz, int64_t gates, float* dw_ih, float* dw_hh, float* dbias,
                        float* scratch) const;
  int64_t width() const { return width_; }

 private:
  float* data_;
  int64_t steps_, batch_, input_, hidden_, width_;
};

// out [rows, ca + cb] = [a | b] for row-major a [rows, ca] and b [rows, cb], and back: the
// per-step backward GEMM multiplies dz_t by [W_hh | W_ih] at once, giving [dh_{t-1} | dx_t].
void join_columns(const float* a, const float* b, int64_t rows, int64_t ca, int64_t cb, float* out);
void split_columns(const float* in, int64_t rows, int64_t ca, int64_t cb, float* a, float* b);

}  // namespace sequence
}  // namespace zengrad::cpu
