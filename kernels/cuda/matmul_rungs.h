// The CUDA matmul ladder, stated once. Every other list of rungs is derived from this table: the
// declarations in zengrad_cuda.h, the Python bindings (bindings/cuda.cpp, which also hands the table
// to zengrad.kernels_cuda as `cuda.matmul_rungs`), the CPU emulator's checks (tools/cuda_emu) and,
// through Python, the tests, the smoke workload and the benchmark.
//
// X(name, idea) per rung, in ladder order (rung number = position); each rung's file
// kernels/cuda/matmul_<name>.cu explains its idea in its header comment. The last rung is the best.
#pragma once

#define ZENGRAD_MATMUL_RUNGS(X)                                                                       \
  X(naive, "one thread per output, operands straight from global memory")                           \
  X(coalesced, "warps along rows of C: coalesced B reads and C writes")                              \
  X(smem, "32x32 tiles of A and B staged in shared memory")                                          \
  X(blocktile1d, "8 outputs per thread (64x64 block tile)")                                          \
  X(blocktile2d, "8x8 outputs per thread (128x128 block tile)")                                      \
  X(vectorized, "float4 global and shared-memory access, transposed A tile")                         \
  X(warptile, "warp tiling: conflict-free float4 reads, BK = 16, grouped tile order")                \
  X(doublebuffer, "two shared-memory buffers, register-staged prefetch, tile size by problem shape") \
  X(pipelined, "multi-stage cp.async pipeline, fragment double-buffering, layout as template parameter")
