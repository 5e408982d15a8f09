// Layer normalisation over the last axis on the CPU (kernels/cpu/layer_norm.cpp), float32, rows
// of a C-contiguous (rows, n) array:
//
//   y = x̂ · γ + β,   x̂ = (x − μ) · r,   r = 1/√(σ² + eps),   μ, σ² (biased) of each row.
//
// No Python headers here: bindings/ validates arguments, allocates outputs and releases the GIL.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// y[rows,n], mean[rows], rstd[rows] (caller-allocated). weight and bias may be null (γ = 1, β = 0).
void layer_norm_forward(int64_t rows, int64_t n, float eps, const float* x, const float* weight,
                        const float* bias, float* y, float* mean, float* rstd);

// Given dy[rows,n] and forward's x, mean and rstd: dx[rows,n], dweight[n], dbias[n] (caller-
// allocated, overwritten; dweight and dbias are computed whether or not the layer has γ and β).
void layer_norm_backward(int64_t rows, int64_t n, const float* dy, const float* x, const float* mean,
                         const float* rstd, const float* weight, float* dx, float* dweight, float* dbias);

}  // namespace zengrad::cpu
