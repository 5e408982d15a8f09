"""Exercise 11: a shared-memory tiled matmul in CUDA, run through CuPy's RawKernel (fill in the TODO).

Check it with:  zengrad exercise check 11 --file e11_cuda_matmul.py   (needs CuPy and an NVIDIA GPU)
The checker launches ``matmul`` with 16×16 threads per block and a grid of
(ceil(N / 16), ceil(M / 16)) blocks: thread (threadIdx.x, threadIdx.y) of block (blockIdx.x,
blockIdx.y) owns C[blockIdx.y·16 + threadIdx.y, blockIdx.x·16 + threadIdx.x].
"""

CUDA_SOURCE = r"""
#define TILE 16

// C (M x N) = A (M x K) @ B (K x N), all row-major float32.
extern "C" __global__ void matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    __shared__ float a_tile[TILE][TILE];
    __shared__ float b_tile[TILE][TILE];
    // TODO: for each tile of K, load one element of A's and of B's tile per thread (0 outside the
    // matrices), __syncthreads(), accumulate TILE products, __syncthreads(); finally write C if in range.
}
"""
