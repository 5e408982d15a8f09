// Softmax over each row of a C-contiguous (rows, n) float32 array, and its backward, on the CPU
// (kernels/cpu/softmax.cpp):
//
//   y_j = e^{x_j − c} / Σ_k e^{x_k − c}  (c the row's maximum),   ∂x = y ⊙ (∂y − Σ_k ∂y_k y_k).
//
// A row whose entries are all −∞, or that holds +∞ or NaN, gives NaN (as PyTorch's softmax).
// No Python headers here: bindings/ validates arguments, allocates outputs and releases the GIL.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// y[rows,n] (caller-allocated) = softmax of each row of x[rows,n].
void softmax_forward(int64_t rows, int64_t n, const float* x, float* y);

// dx[rows,n] (caller-allocated) from forward's y and the gradient dy of y.
void softmax_backward(int64_t rows, int64_t n, const float* y, const float* dy, float* dx);

}  // namespace zengrad::cpu
