// pybind11 glue for kernels/cpu: argument checks, GIL release, array <-> pointer.
#include "bindings.h"
#include "matmul.h"

namespace zengrad::bindings {

namespace {

// Shapes of op(A) (m×k) and op(B) (k×n) from the stored arrays and the transpose flags.
struct GemmShape {
  int64_t m, n, k;
};

GemmShape gemm_shape(const FloatArray& a, const FloatArray& b, bool trans_a, bool trans_b,
                     const FloatArray& out, const char* kernel) {
  const int64_t m = trans_a ? a.shape(1) : a.shape(0), k = trans_a ? a.shape(0) : a.shape(1);
  const int64_t k_b = trans_b ? b.shape(1) : b.shape(0), n = trans_b ? b.shape(0) : b.shape(1);
  require(k == k_b, std::string(kernel) + ": inner dimensions differ (" + std::to_string(k) + " vs " +
                        std::to_string(k_b) + ")");
  require(out.shape(0) == m && out.shape(1) == n,
          std::string(kernel) + ": out must have shape (" + std::to_string(m) + ", " +
              std::to_string(n) + ")");
  return {m, n, k};
}

void matmul_reference(const py::array& a_in, const py::array& b_in, py::array& out_in, bool trans_a,
                      bool trans_b) {
  const char* kernel = "cpu.matmul_reference";
  auto a = as_float_array(a_in, 2, kernel, "a");
  auto b = as_float_array(b_in, 2, kernel, "b");
  auto out = as_float_array(out_in, 2, kernel, "out");
  require(out.writeable(), std::string(kernel) + ": out must be writeable");
  const GemmShape s = gemm_shape(a, b, trans_a, trans_b, out, kernel);
  const float* a_ptr = a.data();
  const float* b_ptr = b.data();
  float* c_ptr = out.mutable_data();
  py::gil_scoped_release release;
  cpu::matmul_reference(a_ptr, b_ptr, c_ptr, s.m, s.n, s.k, trans_a, trans_b);
}

}  // namespace

void register_cpu(py::module_& m) {
  m.def("features", &cpu::cpu_features, "CPU vector extensions detected at run time");
  m.def("matmul_reference", &matmul_reference, py::arg("a"), py::arg("b"), py::arg("out"),
        py::arg("trans_a") = false, py::arg("trans_b") = false,
        "out = op(a) @ op(b) by the reference triple loop (float32, C-contiguous)");
}

}  // namespace zengrad::bindings
