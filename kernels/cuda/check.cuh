// Error checking shared by every CUDA source: a failed call or launch becomes a C++ exception that
// pybind11 turns into a Python RuntimeError naming the call site.
#pragma once
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace zengrad::cuda {

inline void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(status));
}

// Call right after a <<<...>>> launch: catches bad configurations and asynchronous faults seen so far.
inline void check_launch(const char* kernel) { check(cudaGetLastError(), kernel); }

inline int ceil_div(int64_t a, int64_t b) { return static_cast<int>((a + b - 1) / b); }

}  // namespace zengrad::cuda
