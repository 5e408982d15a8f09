// Device discovery: whether a CUDA device is usable, and if not, the runtime's own reason.
#include "check.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {

std::string device_status() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return std::string("CUDA runtime reports: ") + cudaGetErrorString(status);
  }
  if (count == 0) return "no CUDA device is visible";
  return "";
}

}  // namespace zengrad::cuda
