// Whole-sequence LSTM, forward and backward through time, on the CPU (float32).
//
// Idea. Almost all the work of an LSTM is matrix multiplication; the rest is cheap pointwise math
// that must not cost a pass over memory per operation. So:
//   forward   per step: Z_t = [x_t | h_{t-1}] · [W_ih | W_hh]ᵀ, ONE GEMM (the fast packed matmul,
//             kernels/cpu/matmul.cpp; the joined weights packed once for all steps: sequence.h,
//             ForwardSteps) into a B × 4H block every step reuses (it stays in cache), then ONE
//             fused pass that adds the bias, applies σ/tanh, writes the gates (saved for backward)
//             and produces c_t and h_t.
//   backward  per step, newest first: ONE fused pass turns dy_t + dh_t, dc_t and the saved gates
//             into dz_t (the gradient of all four pre-activations, stored for every step) and
//             dc_{t-1}, and recomputes h_t; then [dh_{t-1} | dx_t] = dz_t · [W_hh | W_ih] (one GEMM,
//             the joined weights packed once). After the loop the parameter gradients are ONE GEMM
//             over all T·B rows: [dW_ih | dW_hh | dbias]ᵀ = [X | H_prev | 1]ᵀ · dz, taken transposed
//             so the big dz is packed along its rows (sequence.h, BackwardThroughTime).
// The pointwise passes use a vectorizable exp (range reduction + polynomial, ~1e-7 relative error)
// and are compiled for AVX-512, AVX2 and baseline x86-64 with target_clones (chosen at load time).
// Threads: the batch is cut into one part per thread and each thread runs its rows through all
// the steps (rows never meet before the weight gradients), so a call forks once and no step waits
// for another thread; the weight-gradient GEMM is cut by time steps (sequence.h).
//
// Speed: `zengrad bench lstm` times it against torch.nn.LSTM, the NumPy reference and the composed
// autograd LSTM; the saved tables, with machine and date, are in benchmarks/results/cpu.md, and
// benchmarks/bench_recurrent_steps.py's (layer and char-model step, against torch.nn.LSTM on 1 and
// 2 threads) in benchmarks/results/lstm_*.md. The latest, lstm_2026-12-03c.md (AMD EPYC Zen 4,
// AVX-512, 2 vCPUs shared with other jobs, 2026-12-03): T=100, B=64, I=H=256 forward + backward on
// 1 thread at 0.81× torch.nn.LSTM's CPU time (226 vs 278 ms, load 2.1-2.5) to 0.83× (203 vs
// 246 ms, load 4.8-5.1); B=32 0.82×; the char layer (T=64, B=32, I=32, H=192) 0.92-0.94×; on 2
// threads 0.76× (B=32: 0.78×). About 80% of it is the micro-kernel; the rest (packing, the two
// pointwise passes, copies) is a few percent each. Measured again in lstm_2026-12-03d.md (same
// machine, CPU time, 2026-12-03 15:55-16:33 UTC): B=64 on 1 thread 0.83× (236 vs 283 ms, load
// 3.2) and 0.79-0.84× at loads 6-9; B=32 0.82×; 2 threads 0.83× by CPU time (load 8).
#include "lstm.h"

#include <algorithm>
#include <cstring>

#include "matmul.h"
#include "sequence.h"

namespace zengrad::cpu {

namespace {

using sequence::fast_tanh;
using sequence::sigmoid;

// ---- the fused passes, one batch row each ----------------------------------------------------------
// Forward: from z (4H, the pre-activations less bias) writes the gates (i, f, g, o), c and h.
__attribute__((target_clones("avx512f", "avx2", "default"))) void cell_forward_row(
    int64_t hidden, const float* __restrict z, const float* __restrict bias,
    const float* __restrict c_prev, float* __restrict gates, float* __restrict c, float* __restrict h) {
  const float* __restrict zi = z;
  const float* __restrict zf = z + hidden;
  const float* __restrict zg = z + 2 * hidden;
  const float* __restrict zo = z + 3 * hidden;
  const float* __restrict bi = bias;
  const float* __restrict bf = bias + hidden;
  const float* __restrict bg = bias + 2 * hidden;
  const float* __restrict bo = bias + 3 * hidden;
  for (int64_t j = 0; j < hidden; ++j) {
    const float i = sigmoid(zi[j] + bi[j]), f = sigmoid(zf[j] + bf[j]);
    const float g = fast_tanh(zg[j] + bg[j]), o = sigmoid(zo[j] + bo[j]);
    const float cell = f * c_prev[j] + i * g;
    gates[j] = i, gates[hidden + j] = f, gates[2 * hidden + j] = g, gates[3 * hidden + j] = o;
    c[j] = cell;
    h[j] = o * fast_tanh(cell);
  }
}

// Backward: from dy + dh (the gradient of h_t from the output and from step t+1) and dc (gradient
// of c_t arriving from step t+1, turned into that of c_{t-1} in place), the saved gates and cells,
// writes dz (4H) and recomputes h_t (for the weight gradients).
__attribute__((target_clones("avx512f", "avx2", "default"))) void cell_backward_row(
    int64_t hidden, const float* __restrict gates, const float* __restrict c,
    const float* __restrict c_prev, const float* __restrict dy, const float* __restrict dh,
    float* __restrict dc, float* __restrict dz, float* __restrict h) {
  const float* __restrict gi = gates;
  const float* __restrict gf = gates + hidden;
  const float* __restrict gg = gates + 2 * hidden;
  const float* __restrict go = gates + 3 * hidden;
  for (int64_t j = 0; j < hidden; ++j) {
    const float i = gi[j], f = gf[j], g = gg[j], o = go[j];
    const float tanh_c = fast_tanh(c[j]);
    const float dh_total = dy[j] + dh[j];
    const float dcell = dc[j] + dh_total * o * (1.0f - tanh_c * tanh_c);
    dz[j] = dcell * g * i * (1.0f - i);
    dz[hidden + j] = dcell * c_prev[j] * f * (1.0f - f);
    dz[2 * hidden + j] = dcell * i * (1.0f - g * g);
    dz[3 * hidden + j] = dh_total * tanh_c * o * (1.0f - o);
    dc[j] = dcell * f;
    h[j] = o * tanh_c;
  }
}

}  // namespace

void lstm_forward(const SequenceShape& s, const float* x, const float* h0, const float* c0,
                  const float* w_ih, const float* w_hh, const float* bias, float* y, float* h_n,
                  float* c_n, float* gates, float* cells) {
  const int64_t T = s.steps, B = s.batch, H = s.hidden, G = 4 * H, BH = B * H;
  sequence::ForwardSteps steps(s, G, x, h0, w_ih, w_hh, /*out=*/nullptr);
  sequence::for_each_part(B, steps.parts(), [&](sequence::Range rows) {
    for (int64_t t = 0; t < T; ++t) {
      const float* c_prev = t == 0 ? c0 : cells + (t - 1) * BH;
      float* const c = cells + t * BH;
      float* const h = y + t * BH;
      float* const z = steps.multiply(t, rows);
      for (int64_t b = rows.begin; b < rows.end; ++b)
        cell_forward_row(H, z + (b - rows.begin) * G, bias, c_prev + b * H, gates + (t * B + b) * G,
                         c + b * H, h + b * H);
      steps.next_state(t, rows, h);
    }
  });
  std::memcpy(h_n, y + (T - 1) * BH, sizeof(float) * static_cast<size_t>(BH));
  std::memcpy(c_n, cells + (T - 1) * BH, sizeof(float) * static_cast<size_t>(BH));
}

void lstm_backward(const SequenceShape& s, const float* dy, const float* dh_n, const float* dc_n,
                   const float* x, const float* h0, const float* c0, const float* w_ih,
                   const float* w_hh, const float* gates, const float* cells, float* dx, float* dh0,
                   float* dc0, float* dw_ih, float* dw_hh, float* dbias) {
  const int64_t B = s.batch, H = s.hidden, G = 4 * H, BH = B * H;
  sequence::BackwardThroughTime through_time(s, G, x, h0, w_ih, w_hh, dh_n);
  std::memcpy(dc0, dc_n, sizeof(float) * static_cast<size_t>(BH));  // carries dc_t back to dc_0
  through_time.run(
      [&](int64_t t, sequence::Range rows) {
        const float* c_prev = t == 0 ? c0 : cells + (t - 1) * BH;
        for (int64_t b = rows.begin; b < rows.end; ++b)
          cell_backward_row(H, gates + (t * B + b) * G, cells + t * BH + b * H, c_prev + b * H,
                            dy + t * BH + b * H, through_time.dh() + b * H, dc0 + b * H,
                            through_time.dz(t) + b * G, through_time.h_prev(t + 1, b));
      },
      dx, dh0);
  through_time.weight_gradients(dw_ih, dw_hh, dbias);
}

}  // namespace zengrad::cpu
