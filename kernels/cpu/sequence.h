// What the whole-sequence recurrent kernels (lstm.cpp, rnn.cpp) share: their shape, pointwise math
// the compiler can vectorize (kernels/cpu/CMakeLists.txt says which flag that takes on AVX2), and
// the step GEMMs, with the batch cut among threads for the whole sequence.
#pragma once
#include <cstdint>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "fast_exp.h"
#include "matmul.h"
#include "threads.h"

namespace zengrad::cpu {

// x is [T, B, I]; hidden states are [B, H].
struct SequenceShape {
  int64_t steps, batch, input, hidden;  // T, B, I, H
};

namespace sequence {

using cpu::fast_exp;

inline float sigmoid(float x) { return 1.0f / (1.0f + fast_exp(-x)); }

// tanh(x) = 2σ(2x) − 1: exact in the limits, absolute error ~1e-7 near 0.
inline float fast_tanh(float x) { return 2.0f * sigmoid(2.0f * x) - 1.0f; }

// How the kernels use threads. Rows of a recurrent layer never meet before the weight gradients
// (h_t of row b depends only on row b of h_{t-1}, and dh_{t-1} likewise), so the batch is cut
// into parts, one per thread, and each thread runs its rows from the first step to the last: one
// fork and one join per call, no synchronisation between steps. Cutting each step's GEMM instead
// (by columns, as matmul does) costs a fork and a join per step, and on a loaded machine each is a
// wake-up of a sleeping thread (zengrad runs OpenMP with OMP_WAIT_POLICY=PASSIVE,
// zengrad/threads.py). The weight gradients, a GEMM over all T·B rows, are cut by time steps
// instead (each thread its own steps' rows, then one sum), so no operand is packed twice.
struct Range {
  int64_t begin, end;
  int part;  // which part of the cut
  int64_t count() const { return end - begin; }
};

// One part per thread when the call's GEMMs, all T steps together (it forks once), reach
// parallel_threshold() (threads.h) and each part keeps at least 8 rows: fewer rows per GEMM waste the register tile
// (6 or 14 rows, kernels/cpu/matmul.cpp).
int sequence_parts(const SequenceShape& shape, int64_t gates);
// Part `part` of [0, length) cut into `parts` nearly equal ranges.
Range part_range(int64_t length, int parts, int part);

// Runs body(range) for every part of [0, length), the parts dealt out to the team of one parallel
// region; a GEMM a body calls runs on its own thread (max_threads() is 1 inside a parallel
// region). An exception in a body is rethrown after the region.
template <typename Body>
void for_each_part(int64_t length, int parts, Body body) {
  std::exception_ptr error;
#pragma omp parallel num_threads(parts) if (parts > 1)
  {
#ifdef _OPENMP
    const int self = omp_get_thread_num(), team = omp_get_num_threads();
#else
    const int self = 0, team = 1;
#endif
    for (int part = self; part < parts; part += team) {
      try {
        body(part_range(length, parts, part));
      } catch (...) {
#pragma omp critical(zengrad_sequence_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

// The GEMM of one forward step, which lstm.cpp and rnn.cpp share: the pre-activations less bias
//   z_t = [x_t | h_{t-1}] · [W_ih | W_hh]ᵀ        (B × G; G = 4H for the LSTM, H for the RNN)
// with the joined weights packed once for all steps and parts. K = I + H exactly: the caller's
// pointwise pass adds the bias (a bias column in the GEMM, K = 513 at I = H = 256, cost one more
// pass over the step's output for the 513th: ~9% of that GEMM's time, measured). z_t is written
// into the caller's [T, B, G] array (the RNN's output), or, without one (out = nullptr, the LSTM),
// into one B × G block of the workspace that every step reuses: it stays in cache, where a new
// slice of a [T, B, G] array for every step is written to memory the caches have never seen
// (benchmarks/results/lstm_2026-12-03c.md). The input projection of
// all steps at once (one large GEMM, then per step z_t += h_{t-1} W_hhᵀ) is as many flops but
// writes z for every step first and reads each slice back from memory: slower, measured
// (benchmarks/results/lstm_2026-12-02.md, and on AVX-512 in lstm_2026-12-03.md). The workspace is one buffer per calling thread, kept
// for the next call; each part uses its own rows of it.
class ForwardSteps {
 public:
  ForwardSteps(const SequenceShape& shape, int64_t gates, const float* x, const float* h0,
               const float* w_ih, const float* w_hh, float* out);
  int parts() const { return parts_; }
  // Rows of z_t (B × G in `out`) from x_t and the state last handed over (h0, then next_state).
  float* multiply(int64_t t, Range rows);
  // h_t's rows (h is B × H), the state the next step multiplies, and x_{t+1}'s.
  void next_state(int64_t t, Range rows, const float* h);

 private:
  SequenceShape s_;
  int64_t gates_, width_;  // G and I + H
  int parts_;
  const float* x_;
  float* out_;
  int64_t out_step_;              // floats between steps in out_: B·G, or 0 for the reused block
  float* step_input_ = nullptr;  // [x_t | h_{t-1}], B × width
  PackedMatrix weights_;
  float* layout(const float* h0, const float* w_ih, const float* w_hh);
};

// The part of a recurrent layer's backward through time that does not depend on its cell: lstm.cpp
// and rnn.cpp add only their pointwise pass, which writes dz_t, the gradient of the step's
// pre-activations z_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias (G wide: 4H for the LSTM, H for the RNN).
//   per step    [dh_{t-1} | dx_t] = dz_t · [W_hh | W_ih]            one GEMM, the joined weights
//                                                                   packed once
//   at the end  [dW_ih | dW_hh | dbias]ᵀ = [X | H_prev | 1]ᵀ · dz    one GEMM over all T·B rows
// dx_t comes with dh_{t-1}: W_ih's columns widen a product whose rows (dz_t) are packed anyway;
// dX = dZ · W_ih as one GEMM after the loop packs all of dZ again and measured slower
// (benchmarks/results/lstm_2026-12-03.md). The weight-gradient GEMM in chunks of 8-32 steps
// during the walk back (while their dz is in cache) measured no faster either: the packing it
// would save is 2.6% of the layer, and the chunks' C (the 513 × 1024 result) is read and written
// as often as in one GEMM over all rows (benchmarks/results/lstm_2026-12-03b.md); nor did writing
// each dz row straight into that GEMM's packed order during the walk back (32 scattered pieces
// per row instead of one run, then no packing; lstm_2026-12-03c.md).
// The bias is a weight whose input is 1. The last product is taken transposed, (I+H+1)×G, so that
// dz, the big operand, is packed along its rows as stored, not down its columns (a cache line per
// row, a new page every row or two); the small result is then transposed into dw_ih [G, I], dw_hh
// [G, H] and dbias [G]. The rows [x_t | h_{t-1} | 1] are stacked in the workspace: x, h0 and the
// 1s by the constructor, h_{t-1} for t >= 1 by the caller at h_prev(t, b) (from its fused pass,
// or all at once with copy_hidden). The walk back runs in parts of the batch (run), the last GEMM
// after it in parts of the time steps. The workspace is one buffer per calling thread, kept for the next call.
class BackwardThroughTime {
 public:
  // dh_n [B, H]: the gradient of the returned last state, where the walk backwards starts.
  BackwardThroughTime(const SequenceShape& shape, int64_t gates, const float* x, const float* h0,
                      const float* w_ih, const float* w_hh, const float* dh_n);
  // dz_t [B, G], for the caller's pass to write.
  float* dz(int64_t t) const { return dz_ + t * s_.batch * gates_; }
  // [B, H]: the gradient reaching h_t from step t+1 while step t is processed.
  const float* dh() const { return dh_; }
  // Where row b of h_{t-1} goes (H floats); t may be T, a block no gradient reads.
  float* h_prev(int64_t t, int64_t b) const { return stacked_ + (t * s_.batch + b) * width_ + s_.input; }
  // Stacks h_0 .. h_{T-2} from hs [T·B, H], for a kernel that saved them.
  void copy_hidden(const float* hs);
  // The walk back, in parts of the batch: for t = T-1 .. 0, pass(t, rows) writes those rows of
  // dz(t) from the same rows of dh(), then the step GEMM gives their dh_{t-1} (dh0 at t = 0) and dx_t.
  template <typename Pass>
  void run(Pass pass, float* dx, float* dh0) {
    for_each_part(s_.batch, parts_, [&](Range rows) {
      for (int64_t t = s_.steps - 1; t >= 0; --t) {
        pass(t, rows);
        propagate(t, rows, dx, dh0);
      }
    });
  }
  // After run: the three parameter gradients (overwritten).
  void weight_gradients(float* dw_ih, float* dw_hh, float* dbias);

 private:
  int weight_parts() const;  // of the time steps, for weight_gradients
  float* layout(const float* x, const float* h0, const float* w_ih, const float* w_hh, const float* dh_n);
  void propagate(int64_t t, Range rows, float* dx, float* dh0);

  SequenceShape s_;
  int64_t gates_, width_;  // G and I + H + 1
  int parts_;
  float *dz_ = nullptr, *stacked_ = nullptr, *dh_ = nullptr, *dhx_ = nullptr, *scratch_ = nullptr;
  float* joined_;  // [W_hh | W_ih], G × (H + I); set by layout(), before weights_ packs it
  PackedMatrix weights_;
};

}  // namespace sequence
}  // namespace zengrad::cpu
