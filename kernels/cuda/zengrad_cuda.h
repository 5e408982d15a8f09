// Plain C++ interface to zengrad's CUDA kernels (compiled by nvcc into a static library).
// Pointers are device pointers; `stream` is a cudaStream_t passed as an integer (CuPy's current
// stream). Every CUDA call and launch is checked: failures throw std::runtime_error.
#pragma once
#include <cstdint>
#include <string>

namespace zengrad::cuda {

// Empty when a CUDA device can be used; otherwise why not (no driver, no device, ...).
std::string device_status();

// Reference matmul: one thread per C element, C = op(A) · op(B), row-major float32.
void matmul_naive(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                  bool trans_a, bool trans_b, std::uintptr_t stream);

}  // namespace zengrad::cuda
