// A CPU stand-in for the parts of the CUDA runtime that zengrad's kernels use, so that the kernels in
// kernels/cuda can be compiled by a host compiler and executed on a machine without a GPU.
//
// Every CUDA thread runs on its own std::thread (kept in a pool and reused across launches). A plain
// launch runs its blocks one after another, each with blockDim threads that meet at __syncthreads()
// (a std::barrier); a cooperative launch runs all blocks at once and grid.sync() is a barrier over
// every thread. Device memory is host memory.
// Built with AddressSanitizer and UBSan (see run.sh): an out-of-bounds access to a global buffer or
// to (static or dynamic) shared memory, or a float4 access on a misaligned address, is reported.
// What this cannot show: timing, real memory ordering between threads of different blocks without a
// barrier, warp-level behaviour, bank conflicts. It checks index math and barrier placement.
#pragma once
#include <algorithm>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <thread>
#include <vector>

// kernels/cuda/async_copy.cuh leaves copy_async & co. to this emulation (below)
#define ZENGRAD_CUDA_EMULATION 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))

struct uint3 {
  unsigned x, y, z;
};
struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(16) float4 {
  float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }

using std::max;
using std::min;

enum cudaError_t { cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorCooperativeLaunchTooLarge = 720 };
using cudaStream_t = struct CUstream_st*;
enum cudaDeviceAttr {
  cudaDevAttrMultiProcessorCount,
  cudaDevAttrCooperativeLaunch,
  cudaDevAttrMaxSharedMemoryPerBlockOptin
};
enum cudaFuncAttribute { cudaFuncAttributeMaxDynamicSharedMemorySize };
enum cudaMemcpyKind { cudaMemcpyDeviceToDevice = 3 };

namespace emu {
inline thread_local uint3 thread_idx, block_idx;
inline thread_local dim3 block_dim, grid_dim;
inline thread_local std::barrier<>* block_barrier = nullptr;
inline thread_local std::barrier<>* grid_barrier = nullptr;
inline thread_local void* dynamic_smem = nullptr;

// cp.async emulation: a copy is recorded when issued (its destination is poisoned with NaN at once)
// and performed only when a wait retires its group, the latest moment the hardware may perform it.
// So a kernel that reads a stage before waiting for it, or before the barrier that follows the
// wait, reads NaN, and the result checks fail.
struct AsyncCopy {
  float* dst;
  const float* src;
  int bytes, src_bytes;
};
inline thread_local std::vector<std::vector<AsyncCopy>> async_groups;  // committed, oldest first
inline thread_local std::vector<AsyncCopy> async_open;                 // issued since the last commit

inline std::atomic<long> launches{0};

// Multiprocessors the fake device reports (EMU_SMS, default 4): keeps persistent grids small.
inline int multiprocessors() {
  const char* env = std::getenv("EMU_SMS");
  return env ? std::atoi(env) : 4;
}
constexpr int kSmemOptin = 232448;  // an H100's opt-in shared memory per block

inline void fail(const char* what) {
  std::fprintf(stderr, "emu: %s\n", what);
  std::abort();
}

template <class T>
inline void check_aligned(const T* p) {
  if (reinterpret_cast<std::uintptr_t>(p) % alignof(T) != 0) fail("misaligned vector access");
}

// A pool of host threads, grown on demand: run(n, job) calls job(0..n-1) on n distinct threads at
// once (they may block on barriers waiting for each other) and returns when all have finished.
class ThreadPool {
 public:
  ~ThreadPool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      ++generation_;
    }
    start_.notify_all();
    for (auto& t : workers_) t.join();
  }
  void run(unsigned n, const std::function<void(unsigned)>& job) {
    std::unique_lock<std::mutex> lock(mutex_);
    while (workers_.size() < n) {
      const unsigned index = static_cast<unsigned>(workers_.size());
      workers_.emplace_back([this, index] { work(index); });
    }
    job_ = &job;
    active_ = n;
    remaining_ = n;
    ++generation_;
    start_.notify_all();
    done_.wait(lock, [this] { return remaining_ == 0; });
    job_ = nullptr;
  }

 private:
  void work(unsigned index) {
    long seen = generation_at_start();
    for (;;) {
      const std::function<void(unsigned)>* job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        start_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (index >= active_) continue;
        job = job_;
      }
      (*job)(index);
      std::lock_guard<std::mutex> lock(mutex_);
      if (--remaining_ == 0) done_.notify_one();
    }
  }
  long generation_at_start() {
    std::lock_guard<std::mutex> lock(mutex_);
    return generation_ - 1;  // a worker created for the current job must still run it
  }
  std::mutex mutex_;
  std::condition_variable start_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(unsigned)>* job_ = nullptr;
  unsigned active_ = 0, remaining_ = 0;
  long generation_ = 0;
  bool stop_ = false;
};

inline ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

// Runs `blocks` blocks of blockDim threads at once (one block for plain launches), each thread
// calling body(); threads of a block meet at __syncthreads, all threads at grid.sync when grid_bar.
template <class Body>
void run_blocks(dim3 grid, dim3 block, uint3 first_block, unsigned blocks, void* const* smem,
                std::barrier<>* grid_bar, Body body) {
  const unsigned threads = block.x * block.y * block.z;
  if (threads == 0 || threads > 1024) fail("bad block size");
  std::vector<std::unique_ptr<std::barrier<>>> bars;
  for (unsigned b = 0; b < blocks; ++b) bars.emplace_back(new std::barrier<>(threads));
  const std::function<void(unsigned)> job = [&](unsigned i) {
    const unsigned b = i / threads, t = i % threads;
    thread_idx = {t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
    block_idx = {first_block.x + b, first_block.y, first_block.z};
    block_dim = block;
    grid_dim = grid;
    block_barrier = bars[b].get();
    grid_barrier = grid_bar;
    dynamic_smem = smem ? smem[b] : nullptr;
    async_groups.clear();
    async_open.clear();
    body();
    for (const auto& group : async_groups)
      if (!group.empty()) fail("a thread exited with cp.async copies still in flight");
    if (!async_open.empty()) fail("a thread exited with uncommitted cp.async copies");
    bars[b]->arrive_and_drop();
    if (grid_bar) grid_bar->arrive_and_drop();
  };
  pool().run(blocks * threads, job);
}

// Dynamic shared memory that a kernel may use: 48 KB, or what cudaFuncSetAttribute allowed last.
inline std::atomic<long> dynamic_smem_limit{48 * 1024};

// Exactly `bytes` (rounded to whole float4s) per block, so AddressSanitizer sees overruns; filled
// with NaN so that reading shared memory nobody wrote shows up in the results.
inline std::unique_ptr<float4[]> poisoned_smem(size_t bytes) {
  std::unique_ptr<float4[]> block(new float4[(bytes + 15) / 16]);
  std::memset(block.get(), 0xFF, (bytes + 15) / 16 * 16);
  return block;
}

template <class... Params, class... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, size_t smem, cudaStream_t, Args&&... args) {
  if (grid.x == 0 || grid.y == 0 || grid.z == 0) fail("empty grid");
  if (grid.y > 65535 || grid.z > 65535) fail("gridDim.y or gridDim.z above 65535");
  if (static_cast<long>(smem) > dynamic_smem_limit) fail("dynamic shared memory above the kernel's limit");
  launches++;
  for (unsigned z = 0; z < grid.z; ++z)
    for (unsigned y = 0; y < grid.y; ++y)
      for (unsigned x = 0; x < grid.x; ++x) {
        std::unique_ptr<float4[]> block_smem = smem ? poisoned_smem(smem) : nullptr;
        void* ptrs[] = {block_smem.get()};
        run_blocks(grid, block, {x, y, z}, 1, smem ? ptrs : nullptr, nullptr, [&] { kernel(args...); });
      }
}
}  // namespace emu

#define threadIdx (emu::thread_idx)
#define blockIdx (emu::block_idx)
#define blockDim (emu::block_dim)
#define gridDim (emu::grid_dim)

inline void __syncthreads() { emu::block_barrier->arrive_and_wait(); }

template <class T>
inline T __ldg(const T* p) {
  emu::check_aligned(p);
  return *p;
}
template <class T>
inline T __ldcg(const T* p) {
  emu::check_aligned(p);
  return *p;
}

inline const char* cudaGetErrorString(cudaError_t) { return "emulated CUDA error"; }
inline cudaError_t cudaGetLastError() { return cudaSuccess; }
inline cudaError_t cudaGetDeviceCount(int* n) {
  *n = 1;
  return cudaSuccess;
}
inline cudaError_t cudaGetDevice(int* d) {
  *d = 0;
  return cudaSuccess;
}
inline cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int) {
  switch (attr) {
    case cudaDevAttrMultiProcessorCount: *value = emu::multiprocessors(); break;
    case cudaDevAttrCooperativeLaunch: *value = 1; break;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = emu::kSmemOptin; break;
  }
  return cudaSuccess;
}
inline cudaError_t cudaFuncSetAttribute(const void*, cudaFuncAttribute, int value) {
  if (value > emu::kSmemOptin) return cudaErrorInvalidValue;
  emu::dynamic_smem_limit = std::max<long>(emu::dynamic_smem_limit, value);
  return cudaSuccess;
}

// ---- cp.async (kernels/cuda/async_copy.cuh) ------------------------------------------------------
namespace zengrad::cuda {
template <int kBytes>
inline void copy_async(float* dst, const float* src, int src_bytes) {
  static_assert(kBytes == 4 || kBytes == 16, "cp.async copies 4 or 16 bytes here");
  if (reinterpret_cast<std::uintptr_t>(dst) % kBytes || reinterpret_cast<std::uintptr_t>(src) % kBytes)
    emu::fail("misaligned cp.async");
  if (src_bytes < 0 || src_bytes > kBytes || src_bytes % 4) emu::fail("bad cp.async source size");
  for (int i = 0; i < kBytes / 4; ++i) dst[i] = std::numeric_limits<float>::quiet_NaN();
  emu::async_open.push_back({dst, src, kBytes, src_bytes});
}
inline void copy_async_commit() {
  emu::async_groups.push_back(std::move(emu::async_open));
  emu::async_open.clear();
}
template <int N>
inline void copy_async_wait() {
  while (emu::async_groups.size() > static_cast<size_t>(N)) {
    for (const auto& c : emu::async_groups.front())
      for (int i = 0; i < c.bytes / 4; ++i) c.dst[i] = 4 * i < c.src_bytes ? c.src[i] : 0.f;  // ASan checks src
    emu::async_groups.erase(emu::async_groups.begin());
  }
}
}  // namespace zengrad::cuda
inline cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, const void*, int threads, size_t smem) {
  *blocks = (threads <= 1024 && smem <= static_cast<size_t>(emu::kSmemOptin)) ? 1 : 0;
  return cudaSuccess;
}
inline cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind, cudaStream_t) {
  std::memmove(dst, src, bytes);
  return cudaSuccess;
}

// All blocks at once; each kernel parameter is passed through args[] as on the GPU.
template <class Params>
cudaError_t cudaLaunchCooperativeKernel(void (*kernel)(Params), dim3 grid, dim3 block, void** args, size_t smem,
                                        cudaStream_t) {
  if (grid.y != 1 || grid.z != 1 || block.y != 1 || block.z != 1) emu::fail("1-D cooperative launches only");
  if (static_cast<long>(grid.x) > static_cast<long>(emu::multiprocessors()))
    return cudaErrorCooperativeLaunchTooLarge;
  if (smem > static_cast<size_t>(emu::kSmemOptin)) emu::fail("dynamic shared memory above the opt-in limit");
  emu::launches++;
  const Params params = *static_cast<Params*>(args[0]);
  std::barrier<> grid_bar(static_cast<std::ptrdiff_t>(grid.x) * block.x);
  // exactly smem bytes per block (rounded to whole float4s), so AddressSanitizer sees overruns;
  // filled with NaN so that reading shared memory nobody wrote shows up in the results
  std::vector<std::unique_ptr<float4[]>> smem_blocks;
  std::vector<void*> smem_ptrs;
  for (unsigned b = 0; b < grid.x; ++b) {
    smem_blocks.push_back(emu::poisoned_smem(smem));
    smem_ptrs.push_back(smem_blocks.back().get());
  }
  emu::run_blocks(grid, block, {0, 0, 0}, grid.x, smem_ptrs.data(), &grid_bar, [&] { kernel(params); });
  return cudaSuccess;
}
