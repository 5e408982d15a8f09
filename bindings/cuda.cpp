// pybind11 glue for kernels/cuda. Device pointers and the stream arrive as integers from CuPy
// (`array.data.ptr`, `cupy.cuda.get_current_stream().ptr`); the Python side has already checked
// device, dtype, contiguity and shapes. Built without CUDA, the submodule only says why.
#include "bindings.h"

#ifdef ZENGRAD_WITH_CUDA
#include "zengrad_cuda.h"
#endif

namespace zengrad::bindings {

#ifdef ZENGRAD_WITH_CUDA

namespace {

using Pointer = std::uintptr_t;

void matmul_naive(Pointer a, Pointer b, Pointer c, int64_t m, int64_t n, int64_t k, bool trans_a,
                  bool trans_b, Pointer stream) {
  require(m >= 0 && n >= 0 && k >= 0, "cuda.matmul_naive: negative dimension");
  require(a && b && c, "cuda.matmul_naive: null device pointer");
  py::gil_scoped_release release;
  cuda::matmul_naive(reinterpret_cast<const float*>(a), reinterpret_cast<const float*>(b),
                     reinterpret_cast<float*>(c), m, n, k, trans_a, trans_b, stream);
}

}  // namespace

void register_cuda(py::module_& m) {
  m.attr("built") = true;
  m.attr("architectures") = ZENGRAD_CUDA_ARCHS;
  m.def("device_status", &cuda::device_status,
        "empty string when a CUDA device is usable, else the reason it is not");
  m.def("matmul_naive", &matmul_naive, py::arg("a"), py::arg("b"), py::arg("c"), py::arg("m"),
        py::arg("n"), py::arg("k"), py::arg("trans_a"), py::arg("trans_b"), py::arg("stream"));
}

#else

void register_cuda(py::module_& m) {
  m.attr("built") = false;
  m.attr("architectures") = "";
  m.def("device_status", [] { return std::string("zengrad was built without CUDA: ") + ZENGRAD_CUDA_REASON; });
}

#endif

}  // namespace zengrad::bindings
