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
  const int64_t T = s.steps, B = s.batch, I = s.input, H = s.hidden, BH = B * H, K = H + I;
  const int64_t stacked_size = sequence::StepInputs::floats(T, B, I, H);
  thread_local AlignedBuffer workspace;  // reused across calls: no page faults after the first
  float* const dz = workspace.get(T * BH + stacked_size + BH + B * K + H * K + (K + 1) * H);
  float* const stacked = dz + T * BH;        // [x_t | h_{t-1} | 1] of every step, for the weights
  float* const dh = stacked + stacked_size;  // gradient reaching h_t from step t+1
  float* const dhx = dh + BH;                // dz_t · [W_hh | W_ih] = [dh_{t-1} | dx_t]
  float* const weights = dhx + B * K;        // [W_hh | W_ih]
  float* const scratch = weights + H * K;    // the weight gradients, transposed
  sequence::StepInputs inputs(stacked, T, B, I, H);
  inputs.fill(x, h0);
  inputs.copy_hidden(y);
  sequence::join_columns(w_hh, w_ih, H, H, I, weights);
  const PackedMatrix weights_packed(weights, H, K, /*trans_b=*/false);
  std::memcpy(dh, dh_n, sizeof(float) * static_cast<size_t>(BH));
  for (int64_t t = T - 1; t >= 0; --t) {
    float* dz_t = dz + t * BH;
    const float* y_t = y + t * BH;
    const float* dy_t = dy + t * BH;
    sequence::for_each_row(B, H, [&](int64_t b) {
      gradient_row(H, act, y_t + b * H, dy_t + b * H, dh + b * H, dz_t + b * H);
    });
    matmul(dz_t, weights_packed, dhx, B, false);
    sequence::split_columns(dhx, B, H, I, t > 0 ? dh : dh0, dx + t * B * I);
  }
  inputs.weight_gradients(dz, H, dw_ih, dw_hh, dbias, scratch);
}

}  // namespace zengrad::cpu
