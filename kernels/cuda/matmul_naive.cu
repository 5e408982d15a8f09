// Rung 0 of the CUDA matmul ladder: one thread computes one element of C by a dot product.
// Idea: the simplest correct kernel — every operand read comes from global memory. Threads with
// consecutive threadIdx.x take consecutive rows of C (a warp: 16 rows × 2 columns), so the warp's
// reads of A (untransposed: a[row*k + p]) and its writes of C (c[row*n + col]) are strided by whole
// rows, one transaction per thread, while its reads of B touch two addresses (broadcasts). It proves
// the chain CuPy pointer -> pybind11 -> kernel -> CuPy array and is the floor of the ladder (the
// rungs are listed in matmul_rungs.h).
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_common.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kSide = 16;

__global__ void matmul_naive_kernel(const float* a, const float* b, float* c, int64_t m, int64_t n,
                                    int64_t k, bool trans_a, bool trans_b) {
  const int64_t row = blockIdx.x * static_cast<int64_t>(kSide) + threadIdx.x;
  if (row >= m) return;
  // gridDim.y is capped at 65535, so blocks step over column blocks when n is very large.
  for (int64_t col = blockIdx.y * static_cast<int64_t>(kSide) + threadIdx.y; col < n;
       col += static_cast<int64_t>(gridDim.y) * kSide) {
    float acc = 0.f;
    for (int64_t p = 0; p < k; ++p) {
      const float a_v = trans_a ? a[p * m + row] : a[row * k + p];
      const float b_v = trans_b ? b[col * k + p] : b[p * n + col];
      acc += a_v * b_v;
    }
    c[row * n + col] = acc;
  }
}

}  // namespace

void matmul_naive(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                  bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  const int64_t blocks_m = (m + kSide - 1) / kSide, blocks_n = (n + kSide - 1) / kSide;
  if (blocks_m > 2147483647LL) throw std::invalid_argument("matmul_naive: m too large");
  const dim3 block(kSide, kSide);
  const dim3 grid(static_cast<unsigned>(blocks_m), static_cast<unsigned>(blocks_n < 65535 ? blocks_n : 65535));
  matmul_naive_kernel<<<grid, block, 0, reinterpret_cast<cudaStream_t>(stream)>>>(a, b, c, m, n, k,
                                                                                trans_a, trans_b);
  check_launch("matmul_naive_kernel");
}

}  // namespace zengrad::cuda
