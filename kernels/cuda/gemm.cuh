// The matmul used inside other CUDA drivers (the LSTM): C = op(A) · op(B), row-major float32, on a
// cudaStream_t. Defined in matmul_doublebuffer.cu; it picks the tile size from the problem shape.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zengrad::cuda {

void gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
          bool trans_b, cudaStream_t stream);

}  // namespace zengrad::cuda
