// The matmul used inside other CUDA drivers (the LSTM): C = op(A) · op(B), row-major float32, on a
// cudaStream_t. Defined in matmul_doublebuffer.cu. It picks the tile size from the problem shape, and
// when even small tiles leave most multiprocessors idle (a skinny product with a long k, such as the
// LSTM's dh = dz · W_hh at batch 64) and a workspace is given, it splits k: each split writes a
// partial product to the workspace and a second kernel sums them in a fixed order (deterministic).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace zengrad::cuda {

// Floats of workspace that let gemm() split k as far as it ever does for an m×n product.
int64_t gemm_workspace_floats(int64_t m, int64_t n);

void gemm(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
          bool trans_b, cudaStream_t stream, float* workspace = nullptr, int64_t workspace_floats = 0);

}  // namespace zengrad::cuda
