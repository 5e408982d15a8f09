// Whole-sequence LSTM on the CPU (kernels/cpu/lstm.cpp), float32, contiguous, PyTorch gate order.
//
//   z_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias            (z_t is B×4H: blocks i, f, g, o)
//   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
//   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//
// Shapes: x[T,B,I], h0/c0[B,H], w_ih[4H,I], w_hh[4H,H], bias[4H]; all sizes >= 1.
// No Python headers here: bindings/ validates arguments, allocates outputs and releases the GIL.
#pragma once
#include <cstdint>

#include "sequence.h"

namespace zengrad::cpu {

// Outputs (caller-allocated): y[T,B,H] = h_t for every t, h_n/c_n[B,H] the last state,
// gates[T,B,4H] the post-activation (i, f, g, o) and cells[T,B,H] = c_t, both saved for backward.
void lstm_forward(const SequenceShape& shape, const float* x, const float* h0, const float* c0,
                  const float* w_ih, const float* w_hh, const float* bias, float* y, float* h_n,
                  float* c_n, float* gates, float* cells);

// Gradients of a loss with respect to every input, given its gradients dy[T,B,H] (for every h_t)
// and dh_n/dc_n[B,H] (for the last state), plus the gates and cells lstm_forward saved (h_t is
// recomputed from them as o_t ⊙ tanh(c_t)). Outputs are caller-allocated and overwritten.
void lstm_backward(const SequenceShape& shape, const float* dy, const float* dh_n, const float* dc_n,
                   const float* x, const float* h0, const float* c0, const float* w_ih,
                   const float* w_hh, const float* gates, const float* cells,
                   float* dx, float* dh0, float* dc0, float* dw_ih, float* dw_hh, float* dbias);

}  // namespace zengrad::cpu
