// Whole-sequence Elman RNN, forward and backward through time, on the CPU (float32).
//
// Idea: the LSTM kernel's plan (lstm.cpp) with one gate instead of four, so the pointwise work
// per step is one activation and the saved state is just the outputs.
//   forward   y = X W_ihᵀ for ALL steps as one GEMM, written straight into y; then per step
//             y_t += h_{t-1} W_hhᵀ (GEMM, W_hhᵀ packed once) and, in place, y_t = act(y_t + bias).
//   backward  per step, newest first, one pass: dz_t = (dy_t + dh_t) ⊙ act'(y_t), where
//             tanh' = 1 − y_t² and relu' = [y_t > 0] are read off the saved output; then
//             dh_{t-1} = dz_t W_hh (GEMM). After the loop the weight gradients are large GEMMs over
//             all T·B rows: dx = dz W_ih, dW_ih = dzᵀ X, dW_hh = dzᵀ [h0; y_0..y_{T-2}], and
//             dbias = the column sums of dz.
// A composed RNN step is ~15 small autograd ops each way; here it is one GEMM and one pass.
//
// Speed: `zengrad bench rnn` times it against torch.nn.RNN, the NumPy reference and the composed
// autograd RNN at the char RNN's layer; the saved tables are in benchmarks/results/cpu.md.
#include "rnn.h"

#include <algorithm>
#include <cstring>

#include "buffer.h"
#include "matmul.h"

namespace zengrad::cpu {

namespace {

__attribute__((target_clones("avx512f", "avx2", "default"))) void activate_row(
    int64_t hidden, Activation act, float* __restrict z, const float* __restrict bias) {
  if (act == Activation::Tanh) {
    for (int64_t j = 0; j < hidden; ++j) z[j] = sequence::fast_tanh(z[j] + bias[j]);
  } else {
    for (int64_t j = 0; j < hidden; ++j) z[j] = std::max(z[j] + bias[j], 0.0f);
  }
}

// dz = (dy + dh) ⊙ act'(y), with act' read off the activation's output y.
__attribute__((target_clones("avx512f", "avx2", "default"))) void gradient_row(
    int64_t hidden, Activation act, const float* __restrict y, const float* __restrict dy,
    const float* __restrict dh, float* __restrict dz) {
  if (act == Activation::Tanh) {
    for (int64_t j = 0; j < hidden; ++j) dz[j] = (dy[j] + dh[j]) * (1.0f - y[j] * y[j]);
  } else {
    for (int64_t j = 0; j < hidden; ++j) dz[j] = y[j] > 0.0f ? dy[j] + dh[j] : 0.0f;
  }
}

}  // namespace

void rnn_forward(const SequenceShape& s, Activation act, const float* x, const float* h0,
                 const float* w_ih, const float* w_hh, const float* bias, float* y) {
  const int64_t T = s.steps, B = s.batch, I = s.input, H = s.hidden;
  matmul(x, w_ih, y, T * B, H, I, false, true);  // input projection of every step at once
  const PackedMatrix w_hh_t(w_hh, H, H, /*trans_b=*/true);
  for (int64_t t = 0; t < T; ++t) {
    float* z = y + t * B * H;
    matmul(t == 0 ? h0 : z - B * H, w_hh_t, z, B, false, /*accumulate=*/true);
    sequence::for_each_row(B, H, [&](int64_t b) { activate_row(H, act, z + b * H, bias); });
  }
}

void rnn_backward(const SequenceShape& s, Activation act, const float* dy, const float* dh_n,
                  const float* x, const float* h0, const float* w_ih, const float* w_hh,
                  const float* y, float* dx, float* dh0, float* dw_ih, float* dw_hh, float* dbias) {
  const int64_t T = s.steps, B = s.batch, I = s.input, H = s.hidden, BH = B * H;
  thread_local AlignedBuffer workspace;  // reused across calls: no page faults after the first
  float* const dz = workspace.get(T * BH + BH);  // gradient of the pre-activations, every step
  float* const dh = dz + T * BH;                 // gradient reaching h_t from step t+1
  std::memcpy(dh, dh_n, sizeof(float) * static_cast<size_t>(BH));
  const PackedMatrix w_hh_packed(w_hh, H, H, /*trans_b=*/false);
  for (int64_t t = T - 1; t >= 0; --t) {
    float* dz_t = dz + t * BH;
    const float* y_t = y + t * BH;
    const float* dy_t = dy + t * BH;
    sequence::for_each_row(B, H, [&](int64_t b) {
      gradient_row(H, act, y_t + b * H, dy_t + b * H, dh + b * H, dz_t + b * H);
    });
    matmul(dz_t, w_hh_packed, t > 0 ? dh : dh0, B, false);  // dh_{t-1} = dz_t W_hh
  }
  const int64_t rows = T * B;
  matmul(dz, w_ih, dx, rows, I, H, false, false);  // dx = dz · W_ih
  matmul(dz, x, dw_ih, H, I, rows, true, false);   // dW_ih = dzᵀ · X
  matmul(dz, h0, dw_hh, H, H, B, true, false);     // dW_hh = dz_0ᵀ · h0 + Σ_{t≥1} dz_tᵀ · y_{t-1}
  matmul(dz + BH, y, dw_hh, H, H, (T - 1) * B, true, false, Isa::Auto, /*accumulate=*/true);
  sequence::column_sums(dz, rows, H, dbias);
}

}  // namespace zengrad::cpu
