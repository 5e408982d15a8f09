#include "sequence.h"

#include <algorithm>

#include "matmul.h"

namespace zengrad::cpu::sequence {

namespace {

// out [cols, rows] = mᵀ for a row-major m [rows, cols], in 16×16 blocks that stay in cache.
void transpose(const float* m, int64_t rows, int64_t cols, float* out) {
  constexpr int64_t kBlock = 16;
  for (int64_t r0 = 0; r0 < rows; r0 += kBlock)
    for (int64_t c0 = 0; c0 < cols; c0 += kBlock)
      for (int64_t r = r0; r < std::min(rows, r0 + kBlock); ++r)
        for (int64_t c = c0; c < std::min(cols, c0 + kBlock); ++c) out[c * rows + r] = m[r * cols + c];
}

}  // namespace

void StepInputs::fill(const float* x, const float* h0) {
  const int64_t rows = steps_ * batch_;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = data_ + r * width_;
    std::copy(x + r * input_, x + (r + 1) * input_, row);
    row[width_ - 1] = 1.0f;
  }
  for (int64_t b = 0; b < batch_; ++b) std::copy(h0 + b * hidden_, h0 + (b + 1) * hidden_, h_prev(0, b));
}

void StepInputs::copy_hidden(const float* hs) {
  for (int64_t t = 1; t < steps_; ++t)
    for (int64_t b = 0; b < batch_; ++b) {
      const float* h = hs + ((t - 1) * batch_ + b) * hidden_;
      std::copy(h, h + hidden_, h_prev(t, b));
    }
}

void StepInputs::weight_gradients(const float* dz, int64_t gates, float* dw_ih, float* dw_hh,
                                  float* dbias, float* scratch) const {
  matmul(data_, dz, scratch, width_, gates, steps_ * batch_, /*trans_a=*/true, /*trans_b=*/false);
  transpose(scratch, input_, gates, dw_ih);
  transpose(scratch + input_ * gates, hidden_, gates, dw_hh);
  std::copy(scratch + (width_ - 1) * gates, scratch + width_ * gates, dbias);
}

void join_columns(const float* a, const float* b, int64_t rows, int64_t ca, int64_t cb, float* out) {
  for (int64_t r = 0; r < rows; ++r) {
    std::copy(a + r * ca, a + (r + 1) * ca, out + r * (ca + cb));
    std::copy(b + r * cb, b + (r + 1) * cb, out + r * (ca + cb) + ca);
  }
}
void split_columns(const float* in, int64_t rows, int64_t ca, int64_t cb, float* a, float* b) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = in + r * (ca + cb);
    std::copy(row, row + ca, a + r * ca);
    std::copy(row + ca, row + ca + cb, b + r * cb);
  }
}

}  // namespace zengrad::cpu::sequence
