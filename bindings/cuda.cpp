// pybind11 glue for kernels/cuda. Device pointers and the stream arrive as integers from CuPy
// (`array.data.ptr`, `cupy.cuda.get_current_stream().ptr`); the Python side (zengrad.kernels_cuda)
// has already checked device, dtype, contiguity and shapes. This file checks what it can see — sizes
// and null pointers — raising ValueError (std::invalid_argument), releases the GIL around the
// launches, and lets CUDA failures surface as RuntimeError. Built without CUDA, the submodule only
// says why.
#include "bindings.h"

#ifdef ZENGRAD_WITH_CUDA
#include "zengrad_cuda.h"
#endif

namespace zengrad::bindings {

#ifdef ZENGRAD_WITH_CUDA

// A named namespace, not an anonymous one: the glue files compile as one unit (bindings/CMakeLists.txt),
// where cpu.cpp's helpers of the same names (lstm_forward, ...) are visible too.
namespace cuda_glue {

using Pointer = std::uintptr_t;
constexpr int64_t kMaxDim = 2147483647;  // every size must fit a 32-bit int in the kernels

void require_size(int64_t value, const std::string& kernel, const char* name) {
  require(value >= 0 && value <= kMaxDim, kernel + ": " + name + " must be in [0, 2^31 - 1], got " +
                                              std::to_string(value));
}

// A buffer of `count` elements must have a non-null pointer (empty CuPy arrays may have none).
void require_buffer(Pointer p, int64_t count, const std::string& kernel, const char* name) {
  require(count == 0 || p != 0, kernel + ": null device pointer for " + name);
}

template <auto Kernel>
void matmul(const std::string& name, Pointer a, Pointer b, Pointer c, int64_t m, int64_t n, int64_t k,
            bool trans_a, bool trans_b, Pointer stream) {
  require_size(m, name, "m");
  require_size(n, name, "n");
  require_size(k, name, "k");
  require_buffer(a, m * k, name, "a");
  require_buffer(b, k * n, name, "b");
  require_buffer(c, m * n, name, "c");
  py::gil_scoped_release release;
  Kernel(reinterpret_cast<const float*>(a), reinterpret_cast<const float*>(b), reinterpret_cast<float*>(c), m,
         n, k, trans_a, trans_b, stream);
}

template <auto Kernel>
void def_matmul(py::module_& m, const char* variant, const char* doc) {
  const std::string name = std::string("cuda.matmul_") + variant;
  m.def(("matmul_" + std::string(variant)).c_str(),
        [name](Pointer a, Pointer b, Pointer c, int64_t m_, int64_t n, int64_t k, bool trans_a, bool trans_b,
               Pointer stream) { matmul<Kernel>(name, a, b, c, m_, n, k, trans_a, trans_b, stream); },
        py::arg("a"), py::arg("b"), py::arg("c"), py::arg("m"), py::arg("n"), py::arg("k"), py::arg("trans_a"),
        py::arg("trans_b"), py::arg("stream"), doc);
}

cuda::LstmSizes lstm_sizes(int64_t T, int64_t B, int64_t I, int64_t H, const std::string& kernel) {
  require_size(T, kernel, "T");
  require_size(B, kernel, "B");
  require_size(I, kernel, "I");
  require_size(H, kernel, "H");
  require(4 * H <= kMaxDim, kernel + ": 4*H must fit a 32-bit int");
  require(T * B <= kMaxDim, kernel + ": T*B must fit a 32-bit int");
  return {T, B, I, H};
}

cuda::LstmMode lstm_mode(const std::string& mode, const std::string& kernel) {
  if (mode == "auto") return cuda::LstmMode::kAuto;
  if (mode == "stepwise") return cuda::LstmMode::kStepwise;
  if (mode == "persistent") return cuda::LstmMode::kPersistent;
  throw std::invalid_argument(kernel + ": mode must be 'auto', 'stepwise' or 'persistent', got '" + mode + "'");
}

int64_t lstm_workspace(bool backward, int64_t T, int64_t B, int64_t I, int64_t H) {
  return cuda::lstm_workspace_floats(backward, lstm_sizes(T, B, I, H, "cuda.lstm_workspace_floats"));
}

std::string lstm_persistent_status(bool backward, int64_t T, int64_t B, int64_t I, int64_t H) {
  const auto sizes = lstm_sizes(T, B, I, H, "cuda.lstm_persistent_status");
  py::gil_scoped_release release;
  return cuda::lstm_persistent_status(backward, sizes);
}

std::string lstm_forward(Pointer x, Pointer h0, Pointer c0, Pointer w_ih, Pointer w_hh, Pointer bias, Pointer y,
                         Pointer h_n, Pointer c_n, Pointer gates, Pointer cells, Pointer workspace,
                         int64_t workspace_floats, int64_t T, int64_t B, int64_t I, int64_t H,
                         const std::string& mode, Pointer stream) {
  const std::string name = "cuda.lstm_forward";
  const auto s = lstm_sizes(T, B, I, H, name);
  const auto run_mode = lstm_mode(mode, name);
  const int64_t tb = T * B;
  require_buffer(x, tb * I, name, "x");
  require_buffer(h0, B * H, name, "h0");
  require_buffer(c0, B * H, name, "c0");
  require_buffer(w_ih, 4 * H * I, name, "w_ih");
  require_buffer(w_hh, 4 * H * H, name, "w_hh");
  require_buffer(bias, 4 * H, name, "bias");
  require_buffer(y, tb * H, name, "y");
  require_buffer(h_n, B * H, name, "h_n");
  require_buffer(c_n, B * H, name, "c_n");
  require_buffer(gates, tb * 4 * H, name, "gates");
  require_buffer(cells, tb * H, name, "cells");
  const int64_t needed = cuda::lstm_workspace_floats(false, s);
  require(workspace_floats >= needed, name + ": workspace needs " + std::to_string(needed) + " floats, got " +
                                          std::to_string(workspace_floats));
  require_buffer(workspace, needed, name, "workspace");
  const auto f = [](Pointer p) { return reinterpret_cast<float*>(p); };
  const cuda::LstmForwardArgs args{f(x), f(h0), f(c0), f(w_ih), f(w_hh), f(bias), f(y), f(h_n), f(c_n),
                                   f(gates), f(cells), f(workspace)};
  py::gil_scoped_release release;
  return cuda::lstm_forward(args, s, run_mode, stream);
}

std::string lstm_backward(Pointer dy, Pointer dh_n, Pointer dc_n, Pointer x, Pointer h0, Pointer c0, Pointer w_ih,
                          Pointer w_hh, Pointer gates, Pointer cells, Pointer dx, Pointer dh0, Pointer dc0,
                          Pointer dw_ih, Pointer dw_hh, Pointer dbias, Pointer workspace, int64_t workspace_floats,
                          int64_t T, int64_t B, int64_t I, int64_t H, const std::string& mode, Pointer stream) {
  const std::string name = "cuda.lstm_backward";
  const auto s = lstm_sizes(T, B, I, H, name);
  const auto run_mode = lstm_mode(mode, name);
  const int64_t tb = T * B;
  require_buffer(dy, tb * H, name, "dy");
  require_buffer(dh_n, B * H, name, "dh_n");
  require_buffer(dc_n, B * H, name, "dc_n");
  require_buffer(x, tb * I, name, "x");
  require_buffer(h0, B * H, name, "h0");
  require_buffer(c0, B * H, name, "c0");
  require_buffer(w_ih, 4 * H * I, name, "w_ih");
  require_buffer(w_hh, 4 * H * H, name, "w_hh");
  require_buffer(gates, tb * 4 * H, name, "gates");
  require_buffer(cells, tb * H, name, "cells");
  require_buffer(dx, tb * I, name, "dx");
  require_buffer(dh0, B * H, name, "dh0");
  require_buffer(dc0, B * H, name, "dc0");
  require_buffer(dw_ih, 4 * H * I, name, "dw_ih");
  require_buffer(dw_hh, 4 * H * H, name, "dw_hh");
  require_buffer(dbias, 4 * H, name, "dbias");
  const int64_t needed = cuda::lstm_workspace_floats(true, s);
  require(workspace_floats >= needed, name + ": workspace needs " + std::to_string(needed) + " floats, got " +
                                          std::to_string(workspace_floats));
  require_buffer(workspace, needed, name, "workspace");
  const auto f = [](Pointer p) { return reinterpret_cast<float*>(p); };
  const cuda::LstmBackwardArgs args{f(dy), f(dh_n), f(dc_n), f(x), f(h0), f(c0), f(w_ih), f(w_hh), f(gates),
                                    f(cells), f(dx), f(dh0), f(dc0), f(dw_ih), f(dw_hh), f(dbias), f(workspace)};
  py::gil_scoped_release release;
  return cuda::lstm_backward(args, s, run_mode, stream);
}

}  // namespace cuda_glue

void register_cuda(py::module_& m) {
  m.attr("built") = true;
  m.attr("architectures") = ZENGRAD_CUDA_ARCHS;
  m.def("device_status", &cuda::device_status,
        "empty string when a CUDA device is usable, else the reason it is not");

  // The matmul ladder (kernels/cuda/matmul_rungs.h): c = op(a) @ op(b), float32 row-major device
  // buffers, m×n output; `matmul_rungs` lists (name, idea) in ladder order for the Python side.
  py::list rungs;
#define ZENGRAD_BIND_MATMUL(name, idea)                     \
  cuda_glue::def_matmul<cuda::matmul_##name>(m, #name, idea); \
  rungs.append(py::make_tuple(#name, idea));
  ZENGRAD_MATMUL_RUNGS(ZENGRAD_BIND_MATMUL)
#undef ZENGRAD_BIND_MATMUL
  m.attr("matmul_rungs") = py::tuple(rungs);

  // The LSTM layer (see kernels/cuda/lstm.cu). Sizes T, B, I, H; mode 'auto' | 'stepwise' | 'persistent'.
  m.def("lstm_workspace_floats", &cuda_glue::lstm_workspace, py::arg("backward"), py::arg("T"), py::arg("B"),
        py::arg("I"), py::arg("H"), "floats of scratch memory lstm_forward / lstm_backward need");
  m.def("lstm_persistent_status", &cuda_glue::lstm_persistent_status, py::arg("backward"), py::arg("T"), py::arg("B"),
        py::arg("I"), py::arg("H"),
        "empty string when the persistent kernel runs these sizes on the current device, else why not");
  m.def("lstm_forward", &cuda_glue::lstm_forward, py::arg("x"), py::arg("h0"), py::arg("c0"), py::arg("w_ih"),
        py::arg("w_hh"), py::arg("bias"), py::arg("y"), py::arg("h_n"), py::arg("c_n"), py::arg("gates"),
        py::arg("cells"), py::arg("workspace"), py::arg("workspace_floats"), py::arg("T"), py::arg("B"), py::arg("I"),
        py::arg("H"), py::arg("mode"), py::arg("stream"),
        "LSTM forward over a sequence; returns the path that ran ('persistent', 'stepwise' or 'none')");
  m.def("lstm_backward", &cuda_glue::lstm_backward, py::arg("dy"), py::arg("dh_n"), py::arg("dc_n"), py::arg("x"),
        py::arg("h0"), py::arg("c0"), py::arg("w_ih"), py::arg("w_hh"), py::arg("gates"), py::arg("cells"),
        py::arg("dx"), py::arg("dh0"), py::arg("dc0"), py::arg("dw_ih"), py::arg("dw_hh"), py::arg("dbias"),
        py::arg("workspace"), py::arg("workspace_floats"), py::arg("T"), py::arg("B"), py::arg("I"), py::arg("H"),
        py::arg("mode"), py::arg("stream"),
        "LSTM backward through time; returns the path that ran ('persistent', 'stepwise' or 'none')");
}

#else

void register_cuda(py::module_& m) {
  m.attr("built") = false;
  m.attr("architectures") = "";
  m.attr("matmul_rungs") = py::tuple();
  m.def("device_status", [] { return std::string("zengrad was built without CUDA: ") + ZENGRAD_CUDA_REASON; });
}

#endif

}  // namespace zengrad::bindings
