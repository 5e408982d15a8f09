// zengrad._C: the native kernels, one submodule per device.
//   _C.cpu  — C++ kernels on NumPy arrays (see bindings/cpu.cpp)
//   _C.cuda — CUDA kernels on device pointers from CuPy (see bindings/cuda.cpp)
#include "bindings.h"

PYBIND11_MODULE(_C, m) {
  m.doc() = "zengrad native kernels";
  m.attr("__version__") = ZENGRAD_VERSION;
  auto cpu = m.def_submodule("cpu", "C++ kernels on NumPy arrays");
  zengrad::bindings::register_cpu(cpu);
  auto cuda = m.def_submodule("cuda", "CUDA kernels on CuPy device pointers");
  zengrad::bindings::register_cuda(cuda);
}
