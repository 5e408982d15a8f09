// Rung 0 of the CUDA matmul ladder: one thread computes one element of C by a dot product.
// Idea: the simplest correct kernel — every operand read comes from global memory, and threads
// with consecutive threadIdx.x walk down a column of C, so reads of B are not coalesced.
// It proves the chain CuPy pointer -> pybind11 -> kernel -> CuPy array and is the ladder's floor.
#include "check.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

__global__ void matmul_naive_kernel(const float* a, const float* b, float* c, int64_t m, int64_t n,
                                    int64_t k, bool trans_a, bool trans_b) {
  const int64_t row = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  const int64_t col = blockIdx.y * static_cast<int64_t>(blockDim.y) + threadIdx.y;
  if (row >= m || col >= n) return;
  float acc = 0.f;
  for (int64_t p = 0; p < k; ++p) {
    const float a_v = trans_a ? a[p * m + row] : a[row * k + p];
    const float b_v = trans_b ? b[col * k + p] : b[p * n + col];
    acc += a_v * b_v;
  }
  c[row * n + col] = acc;
}

}  // namespace

void matmul_naive(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                  bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  const dim3 block(16, 16);
  const dim3 grid(ceil_div(m, block.x), ceil_div(n, block.y));
  matmul_naive_kernel<<<grid, block, 0, reinterpret_cast<cudaStream_t>(stream)>>>(a, b, c, m, n, k,
                                                                                trans_a, trans_b);
  check_launch("matmul_naive_kernel");
}

}  // namespace zengrad::cuda
