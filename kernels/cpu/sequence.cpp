#include "sequence.h"

#include <algorithm>

#include "buffer.h"
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

int sequence_parts(const SequenceShape& s, int64_t gates) {
  constexpr int64_t kMinRows = 8;
  const int64_t work = s.steps * s.batch * gates * (s.input + s.hidden);
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(threads_for(work), s.batch / kMinRows)));
}

Range part_range(int64_t length, int parts, int part) {
  return {length * part / parts, length * (part + 1) / parts, part};
}

ForwardSteps::ForwardSteps(const SequenceShape& shape, int64_t gates, const float* x, const float* h0,
                           const float* w_ih, const float* w_hh, float* out)
    : s_(shape),
      gates_(gates),
      width_(shape.input + shape.hidden),
      parts_(sequence_parts(shape, gates)),
      x_(x),
      out_(out),
      out_step_(out ? shape.batch * gates : 0),
      weights_(layout(h0, w_ih, w_hh), width_, gates, /*trans_b=*/true) {}

float* ForwardSteps::layout(const float* h0, const float* w_ih, const float* w_hh) {
  const int64_t B = s_.batch, I = s_.input, H = s_.hidden;
  thread_local AlignedBuffer workspace;  // reused across calls: no page faults after the first
  float* const joined = workspace.get(gates_ * width_ + B * width_ + (out_ ? 0 : B * gates_));
  step_input_ = joined + gates_ * width_;
  if (!out_) out_ = step_input_ + B * width_;
  for (int64_t g = 0; g < gates_; ++g) {
    std::copy(w_ih + g * I, w_ih + (g + 1) * I, joined + g * width_);
    std::copy(w_hh + g * H, w_hh + (g + 1) * H, joined + g * width_ + I);
  }
  for (int64_t b = 0; b < B; ++b) {
    std::copy(x_ + b * I, x_ + (b + 1) * I, step_input_ + b * width_);
    std::copy(h0 + b * H, h0 + (b + 1) * H, step_input_ + b * width_ + I);
  }
  return joined;
}

float* ForwardSteps::multiply(int64_t t, Range rows) {
  float* const z = out_ + t * out_step_ + rows.begin * gates_;
  matmul(step_input_ + rows.begin * width_, weights_, z, rows.count(), false);
  return z;
}

void ForwardSteps::next_state(int64_t t, Range rows, const float* h) {
  const int64_t B = s_.batch, I = s_.input, H = s_.hidden;
  if (t + 1 == s_.steps) return;
  for (int64_t b = rows.begin; b < rows.end; ++b) {
    float* const row = step_input_ + b * width_;
    const float* x = x_ + ((t + 1) * B + b) * I;
    std::copy(x, x + I, row);
    std::copy(h + b * H, h + (b + 1) * H, row + I);
  }
}

BackwardThroughTime::BackwardThroughTime(const SequenceShape& shape, int64_t gates, const float* x,
                                         const float* h0, const float* w_ih, const float* w_hh,
                                         const float* dh_n)
    : s_(shape),
      gates_(gates),
      width_(shape.input + shape.hidden + 1),
      parts_(sequence_parts(shape, gates)),
      joined_(layout(x, h0, w_ih, w_hh, dh_n)),
      weights_(joined_, gates, shape.hidden + shape.input, /*trans_b=*/false) {}

float* BackwardThroughTime::layout(const float* x, const float* h0, const float* w_ih,
                                   const float* w_hh, const float* dh_n) {
  const int64_t T = s_.steps, B = s_.batch, I = s_.input, H = s_.hidden, G = gates_, K = H + I;
  const int64_t stacked = (T + 1) * B * width_;
  thread_local AlignedBuffer workspace;  // reused across calls: no page faults after the first
  dz_ = workspace.get(T * B * G + stacked + B * H + B * K + G * K + weight_parts() * width_ * G);
  stacked_ = dz_ + T * B * G;
  dh_ = stacked_ + stacked;
  dhx_ = dh_ + B * H;  // dz_t · [W_hh | W_ih]
  float* const joined = dhx_ + B * K;
  scratch_ = joined + G * K;  // the parameter gradients, transposed; one partial sum per part
  for (int64_t r = 0; r < T * B; ++r) {
    float* row = stacked_ + r * width_;
    std::copy(x + r * I, x + (r + 1) * I, row);
    row[width_ - 1] = 1.0f;
  }
  for (int64_t b = 0; b < B; ++b) std::copy(h0 + b * H, h0 + (b + 1) * H, h_prev(0, b));
  for (int64_t g = 0; g < G; ++g) {
    std::copy(w_hh + g * H, w_hh + (g + 1) * H, joined + g * K);
    std::copy(w_ih + g * I, w_ih + (g + 1) * I, joined + g * K + H);
  }
  std::copy(dh_n, dh_n + B * H, dh_);
  return joined;
}

void BackwardThroughTime::copy_hidden(const float* hs) {
  const int64_t B = s_.batch, H = s_.hidden;
  for (int64_t t = 1; t < s_.steps; ++t)
    for (int64_t b = 0; b < B; ++b) {
      const float* h = hs + ((t - 1) * B + b) * H;
      std::copy(h, h + H, h_prev(t, b));
    }
}

void BackwardThroughTime::propagate(int64_t t, Range rows, float* dx, float* dh0) {
  const int64_t B = s_.batch, I = s_.input, H = s_.hidden, K = H + I;
  matmul(dz(t) + rows.begin * gates_, weights_, dhx_ + rows.begin * K, rows.count(), false);
  float* const dh_out = t > 0 ? dh_ : dh0;
  for (int64_t b = rows.begin; b < rows.end; ++b) {
    const float* row = dhx_ + b * K;
    std::copy(row, row + H, dh_out + b * H);
    std::copy(row + H, row + K, dx + (t * B + b) * I);
  }
}

int BackwardThroughTime::weight_parts() const {
  return static_cast<int>(std::min<int64_t>(parts_, s_.steps));
}

void BackwardThroughTime::weight_gradients(float* dw_ih, float* dw_hh, float* dbias) {
  const int64_t B = s_.batch, I = s_.input, H = s_.hidden, G = gates_, size = width_ * G;
  const int parts = weight_parts();
  for_each_part(s_.steps, parts, [&](Range steps) {
    matmul(stacked_ + steps.begin * B * width_, dz(steps.begin), scratch_ + steps.part * size, width_, G,
           steps.count() * B, /*trans_a=*/true, /*trans_b=*/false);
  });
  for (int part = 1; part < parts; ++part)
    for (int64_t i = 0; i < size; ++i) scratch_[i] += scratch_[part * size + i];
  transpose(scratch_, I, G, dw_ih);
  transpose(scratch_ + I * G, H, G, dw_hh);
  std::copy(scratch_ + (width_ - 1) * G, scratch_ + width_ * G, dbias);
}

}  // namespace zengrad::cpu::sequence
