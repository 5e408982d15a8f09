// ReLU and its backward on the CPU (kernels/cpu/relu.cpp), float32, C-contiguous arrays of n elements:
//
//   y = x where x > 0 or NaN, else +0  (NumPy's maximum(x, 0): NaN stays NaN, −0 gives +0),
//   dx = 0 where y ≤ 0, else dy       (PyTorch's rule on the output: 1 at NaN).
//
// No Python headers here: bindings/ validates arguments, allocates outputs and releases the GIL.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

void relu_forward(int64_t n, const float* x, float* y);
void relu_backward(int64_t n, const float* y, const float* dy, float* dx);

}  // namespace zengrad::cpu
