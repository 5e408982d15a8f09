// Asynchronous global -> shared memory copies (cp.async, sm_80 and newer), used by rung 8.
//
// copy_async<16 or 4>(dst, src, src_bytes) starts a copy of src_bytes bytes (0 up to the copy size)
// from global src to shared dst and zero-fills the rest of the destination: the bounds check of an
// edge tile costs no branch, and src must still be a valid address when src_bytes is 0 (callers pass
// the matrix base). The copy bypasses registers. copy_async_commit() closes the group of copies this
// thread started since the last commit; copy_async_wait<N>() waits until at most N of this thread's
// groups are still in flight. Another thread's copies are visible only after it waited and a
// __syncthreads() followed.
// On older GPUs the same calls copy synchronously. The CPU emulator (tools/cuda_emu) supplies its
// own versions that perform each group only when it is waited for, so reading a stage too early
// reads poison there.
#pragma once
#include <cstdint>

#ifndef ZENGRAD_CUDA_EMULATION
namespace zengrad::cuda {

template <int kBytes>
__device__ __forceinline__ void copy_async(float* dst, const float* src, int src_bytes) {
  static_assert(kBytes == 4 || kBytes == 16, "cp.async copies 4 or 16 bytes here");
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  const unsigned smem = static_cast<unsigned>(__cvta_generic_to_shared(dst));
  if constexpr (kBytes == 16)  // .cg: through L2 only, the tile is not reused from L1
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smem), "l"(src), "r"(src_bytes) : "memory");
  else  // .ca: the four 4-byte copies of a transposing chunk share L1 lines
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(smem), "l"(src), "r"(src_bytes) : "memory");
#else
#pragma unroll
  for (int i = 0; i < kBytes / 4; ++i) dst[i] = 4 * i < src_bytes ? src[i] : 0.f;
#endif
}

__device__ __forceinline__ void copy_async_commit() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}

template <int N>
__device__ __forceinline__ void copy_async_wait() {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
#endif
}

}  // namespace zengrad::cuda
#endif
