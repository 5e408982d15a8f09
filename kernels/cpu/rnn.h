// Whole-sequence Elman RNN on the CPU (kernels/cpu/rnn.cpp), float32, contiguous, PyTorch's layout.
//
//   h_t = act(x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias),   act = tanh or relu
//
// Shapes: x[T,B,I], h0[B,H], w_ih[H,I], w_hh[H,H], bias[H]; all sizes >= 1.
// No Python headers here: bindings/ validates arguments, allocates outputs and releases the GIL.
#pragma once
#include <cstdint>

#include "sequence.h"

namespace zengrad::cpu {

enum class Activation { Tanh, Relu };

// y[T,B,H] (caller-allocated) = h_t for every t; it is all that backward needs.
void rnn_forward(const SequenceShape& shape, Activation act, const float* x, const float* h0,
                 const float* w_ih, const float* w_hh, const float* bias, float* y);

// Gradients with respect to every input, given dy[T,B,H] (for every h_t), dh_n[B,H] (for the
// last state) and the y that rnn_forward returned. Outputs are caller-allocated and overwritten.
void rnn_backward(const SequenceShape& shape, Activation act, const float* dy, const float* dh_n,
                  const float* x, const float* h0, const float* w_ih, const float* w_hh,
                  const float* y, float* dx, float* dh0, float* dw_ih, float* dw_hh, float* dbias);

}  // namespace zengrad::cpu
