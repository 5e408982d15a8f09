// Rung 5 of the CUDA matmul ladder: vectorized (16-byte) memory access.
// Idea: the same 128×128×8 block tile and 8×8 outputs per thread as rung 4, but every memory
// instruction moves four floats:
//   - global loads are float4 (one per thread per operand per k-step), taken along whichever
//     dimension is contiguous in memory; a k-contiguous tile (A not transposed, B transposed) is
//     written to shared memory transposed, so both tiles are k-major there;
//   - shared-memory reads are float4: a thread's 8 rows are two float4 of the A tile row and its
//     8 columns two float4 of the B tile row (cols tc·4 + 64·j + 0..3, contiguous across the 16
//     column-threads, so a warp's float4 reads touch no bank twice);
//   - C is written with float4 stores.
// The float4 path runs only where it is legal: the whole tile inside the matrix, base pointer
// 16-byte aligned and leading dimension a multiple of 4 (vector_ok). Edge tiles and misaligned
// operands take the scalar, bounds-checked path in TileStager::fetch and store_row4.
// Changed from rung 4: float4 loads/stores, register staging of the global tile, transposed A tile.
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/).
#include "check.cuh"
#include "matmul_common.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

constexpr int kBM = 128, kBN = 128, kBK = 8, kTM = 8, kTN = 8;
constexpr int kThreads = (kBM / kTM) * (kBN / kTN);  // 256
constexpr int kColThreads = kBN / kTN;               // 16
constexpr int kLds = kBM + 4;
static_assert(kBM == kBN, "one shared-memory row length serves both tiles");

__global__ void __launch_bounds__(kThreads)
    matmul_vectorized_kernel(Operand a, Operand b, float* __restrict__ c, int64_t m, int64_t n, int64_t k,
                             bool vec_a, bool vec_b, bool vec_c, int64_t tiles_n) {
  __shared__ __align__(16) float a_tile[kBK * kLds];
  __shared__ __align__(16) float b_tile[kBK * kLds];
  const TileCoord tile = tile_row_major(blockIdx.x, tiles_n, kBM, kBN);
  const int tid = threadIdx.x;
  const int tc = tid % kColThreads, tr = tid / kColThreads;
  TileStager<kBM, kBK, kThreads, kLds> stage_a;
  TileStager<kBN, kBK, kThreads, kLds> stage_b;
  float acc[kTM][kTN] = {};
  for (int64_t k0 = 0; k0 < k; k0 += kBK) {
    stage_a.fetch(a, vec_a, tile.row0, k0, k, tid);
    stage_b.fetch(b, vec_b, tile.col0, k0, k, tid);
    stage_a.store(a_tile, a.k_contig, tid);
    stage_b.store(b_tile, b.k_contig, tid);
    __syncthreads();
#pragma unroll
    for (int p = 0; p < kBK; ++p) {
      const float4 a0 = *reinterpret_cast<const float4*>(a_tile + p * kLds + tr * kTM);
      const float4 a1 = *reinterpret_cast<const float4*>(a_tile + p * kLds + tr * kTM + 4);
      const float4 b0 = *reinterpret_cast<const float4*>(b_tile + p * kLds + tc * 4);
      const float4 b1 = *reinterpret_cast<const float4*>(b_tile + p * kLds + tc * 4 + 64);
      const float a_frag[kTM] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
      const float b_frag[kTN] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
      for (int i = 0; i < kTM; ++i)
#pragma unroll
        for (int j = 0; j < kTN; ++j) acc[i][j] += a_frag[i] * b_frag[j];
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < kTM; ++i) {
    const int64_t row = tile.row0 + tr * kTM + i;
#pragma unroll
    for (int j = 0; j < 2; ++j) {
      const float* v = acc[i] + 4 * j;
      store_row4(c, m, n, vec_c, row, tile.col0 + tc * 4 + 64 * j, v[0], v[1], v[2], v[3]);
    }
  }
}

}  // namespace

void matmul_vectorized(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                       bool trans_a, bool trans_b, std::uintptr_t stream) {
  if (m == 0 || n == 0) return;
  int64_t tiles_m, tiles_n;
  const unsigned blocks = tile_count(m, n, kBM, kBN, tiles_m, tiles_n, "matmul_vectorized");
  const Operand op_a = operand_a(a, m, k, trans_a), op_b = operand_b(b, n, k, trans_b);
  matmul_vectorized_kernel<<<blocks, kThreads, 0, reinterpret_cast<cudaStream_t>(stream)>>>(
      op_a, op_b, c, m, n, k, vector_ok(a, op_a.ld), vector_ok(b, op_b.ld), vector_ok(c, n), tiles_n);
  check_launch("matmul_vectorized_kernel");
}

}  // namespace zengrad::cuda
