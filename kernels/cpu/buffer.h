// A 64-byte aligned float buffer that grows on demand and keeps its memory for the next call.
// Kernels hold one per calling thread (thread_local) for scratch space: a fresh multi-megabyte
// allocation per call costs page faults and zeroing by the kernel, measurably slower than reuse.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace zengrad::cpu {

class AlignedBuffer {
 public:
  // At least `count` floats, 64-byte aligned; the contents are unspecified.
  float* get(int64_t count) {
    if (count > capacity_) {
      const size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
      data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
      if (!data_) {
        capacity_ = 0;
        throw std::bad_alloc();
      }
      capacity_ = count;
    }
    return data_.get();
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  int64_t capacity_ = 0;
};

}  // namespace zengrad::cpu
