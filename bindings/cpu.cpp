// pybind11 glue for kernels/cpu: argument checks, GIL release, array <-> pointer.
#include "bindings.h"
#include "matmul.h"

#include <string>

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

// The operands of a 2-D GEMM, validated: float32, C-contiguous, 2-D, shapes that agree.
struct GemmCall {
  FloatArray a, b, out;
  GemmShape shape;
};

GemmCall gemm_call(const py::array& a_in, const py::array& b_in, py::array& out_in, bool trans_a,
                   bool trans_b, const char* kernel) {
  auto a = as_float_array(a_in, 2, kernel, "a");
  auto b = as_float_array(b_in, 2, kernel, "b");
  auto out = as_float_array(out_in, 2, kernel, "out");
  require(out.writeable(), std::string(kernel) + ": out must be writeable");
  const GemmShape shape = gemm_shape(a, b, trans_a, trans_b, out, kernel);
  return {a, b, out, shape};
}

void matmul_reference(const py::array& a_in, const py::array& b_in, py::array& out_in, bool trans_a,
                      bool trans_b) {
  GemmCall call = gemm_call(a_in, b_in, out_in, trans_a, trans_b, "cpu.matmul_reference");
  const float* a = call.a.data();
  const float* b = call.b.data();
  float* c = call.out.mutable_data();
  py::gil_scoped_release release;
  cpu::matmul_reference(a, b, c, call.shape.m, call.shape.n, call.shape.k, trans_a, trans_b);
}

// The ISA named by `isa`, or a ValueError (unknown name) / RuntimeError (CPU lacks it).
cpu::Isa checked_isa(const std::string& isa) {
  const cpu::Isa parsed = cpu::parse_isa(isa.c_str());
  if (!cpu::isa_supported(parsed))
    throw std::runtime_error("cpu.matmul: this CPU does not support the " + isa + " path (it has: " +
                             cpu::cpu_features() + ")");
  return parsed;
}

void matmul(const py::array& a_in, const py::array& b_in, py::array& out_in, bool trans_a, bool trans_b,
            const std::string& isa) {
  const cpu::Isa path = checked_isa(isa);
  GemmCall call = gemm_call(a_in, b_in, out_in, trans_a, trans_b, "cpu.matmul");
  const float* a = call.a.data();
  const float* b = call.b.data();
  float* c = call.out.mutable_data();
  py::gil_scoped_release release;
  cpu::matmul(a, b, c, call.shape.m, call.shape.n, call.shape.k, trans_a, trans_b, path);
}

}  // namespace

void register_cpu(py::module_& m) {
  m.def("features", &cpu::cpu_features, "CPU vector extensions detected at run time");
  m.def("matmul_reference", &matmul_reference, py::arg("a"), py::arg("b"), py::arg("out"),
        py::arg("trans_a") = false, py::arg("trans_b") = false,
        "out = op(a) @ op(b) by the reference triple loop (float32, C-contiguous)");
  m.def("matmul", &matmul, py::arg("a"), py::arg("b"), py::arg("out"), py::arg("trans_a") = false,
        py::arg("trans_b") = false, py::arg("isa") = "auto",
        "out = op(a) @ op(b), packed and register-blocked (float32, C-contiguous); isa is auto, "
        "avx512, avx2 or portable");
  m.def("best_isa", &cpu::best_isa, "the matmul path isa='auto' runs on this CPU");
  m.def("isa_supported", [](const std::string& isa) { return cpu::isa_supported(cpu::parse_isa(isa.c_str())); },
        py::arg("isa"), "whether this CPU can run the named matmul path");
}

}  // namespace zengrad::bindings
