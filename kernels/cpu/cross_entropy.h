// The forward of cross-entropy over rows of logits, on the CPU (kernels/cpu/cross_entropy.cpp):
// for each row x of a C-contiguous (rows, n) float32 array and its class y,
//
//   e = e^{x − max x},   s = Σ_j e_j,   loss = log s − (x_y − max x)   (= −log softmax(x)_y),
//
// e and s kept for backward (softmax(x) = e / s). A row holding NaN or +∞, or only −∞, gives NaN.
// No Python headers here: bindings/ validates arguments (0 ≤ y < n), allocates outputs and
// releases the GIL.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// e[rows,n], sums[rows] and losses[rows] (caller-allocated) from x[rows,n] and target[rows].
void cross_entropy_forward(int64_t rows, int64_t n, const float* x, const int64_t* target, float* e, float* sums,
                           float* losses);

}  // namespace zengrad::cpu
