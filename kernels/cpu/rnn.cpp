// Whole-sequence Elman RNN, forward and backward through time, on the CPU (float32).
//
// Idea: the LSTM kernel's plan (lstm.cpp) with one gate instead of four, so the pointwise work
// per step is one activation and the saved state is just the outputs.
//   forward   per step y_t = [x_t | h_{t-1}] · [W_ih | W_hh]ᵀ (one GEMM, the joined weights packed
//             once: sequence.h, ForwardSteps), then in place y_t = act(y_t + bias).
//   backward  per step, newest first, one pass: dz_t = (dy_t + dh_t) ⊙ act'(y_t), where
//             tanh' = 1 − y_t² and relu' = [y_t > 0] are read off the saved output; then
//             [dh_{t-1} | dx_t] = dz_t [W_hh | W_ih] (GEMM). After the loop the parameter gradients
//             are one GEMM over all T·B rows, as in the LSTM: [dW_ih | dW_hh | dbias]ᵀ =
//             [X | H_prev | 1]ᵀ dz with H_prev = [h0; y_0..y_{T-2}] (sequence.h, BackwardThroughTime).
// A composed RNN step is ~15 small autograd ops each way; here it is one GEMM and one pass. Threads
// as in the LSTM: one part of the batch per thread for the whole sequence (sequence.h).
//
// Speed: `zengrad bench rnn` times it against torch.nn.RNN, the NumPy reference and the composed
// autograd RNN at the char RNN's layer; the saved tables are in benchmarks/results/cpu.md (and the
// char-model step against PyTorch in benchmarks/results/lstm_*.md).
#include "rnn.h"

#include <algorithm>

#include "matmul.h"

namespace zengrad::cpu {

namespace {

// z (H pre-activations less bias) becomes act(z + bias).
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
  const int64_t T = s.steps, B = s.batch, H = s.hidden;
  sequence::ForwardSteps steps(s, H, x, h0, w_ih, w_hh, y);
  sequence::for_each_part(B, steps.parts(), [&](sequence::Range rows) {
    for (int64_t t = 0; t < T; ++t) {
      float* const z = steps.multiply(t, rows);
      for (int64_t b = 0; b < rows.count(); ++b) activate_row(H, act, z + b * H, bias);
      steps.next_state(t, rows, y + t * B * H);
    }
  });
}

void rnn_backward(const SequenceShape& s, Activation act, const float* dy, const float* dh_n,
                  const float* x, const float* h0, const float* w_ih, const float* w_hh,
                  const float* y, float* dx, float* dh0, float* dw_ih, float* dw_hh, float* dbias) {
  const int64_t B = s.batch, H = s.hidden, BH = B * H;
  sequence::BackwardThroughTime through_time(s, H, x, h0, w_ih, w_hh, dh_n);
  through_time.copy_hidden(y);
  through_time.run(
      [&](int64_t t, sequence::Range rows) {
        for (int64_t b = rows.begin; b < rows.end; ++b) {
          const int64_t row = t * BH + b * H;
          gradient_row(H, act, y + row, dy + row, through_time.dh() + b * H, through_time.dz(t) + b * H);
        }
      },
      dx, dh0);
  through_time.weight_gradients(dw_ih, dw_hh, dbias);
}

}  // namespace zengrad::cpu
