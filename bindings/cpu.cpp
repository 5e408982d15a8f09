// pybind11 glue for kernels/cpu: argument checks, GIL release, array <-> pointer.
#include "bindings.h"
#include "attention.h"
#include "cross_entropy.h"
#include "ladder.h"
#include "layer_norm.h"
#include "lstm.h"
#include "matmul.h"
#include "peak.h"
#include "relu.h"
#include "rnn.h"
#include "sequence.h"
#include "softmax.h"
#include "threads.h"

#include <pybind11/stl.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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
  if (k != k_b)
    throw std::invalid_argument(std::string(kernel) + ": inner dimensions differ (" + std::to_string(k) +
                                " vs " + std::to_string(k_b) + ")");
  if (out.shape(0) != m || out.shape(1) != n)
    throw std::invalid_argument(std::string(kernel) + ": out must have shape (" + std::to_string(m) + ", " +
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
  if (!out.writeable()) throw std::invalid_argument(std::string(kernel) + ": out must be writeable");
  if (overlaps(out, a) || overlaps(out, b))
    throw std::invalid_argument(std::string(kernel) + ": out must not share memory with a or b (the kernel "
                                "writes out while it still reads them)");
  const GemmShape shape = gemm_shape(a, b, trans_a, trans_b, out, kernel);
  return {a, b, out, shape};
}

// A C++ GEMM with the signature of cpu::matmul_reference, as the Python function
// fn(a, b, out, trans_a, trans_b): checks the arrays (gemm_call), releases the GIL, runs it.
using PlainGemm = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t, bool, bool);

void run_plain_gemm(PlainGemm kernel, const char* name, const py::array& a_in, const py::array& b_in,
                    py::array& out_in, bool trans_a, bool trans_b) {
  GemmCall call = gemm_call(a_in, b_in, out_in, trans_a, trans_b, name);
  const float* a = call.a.data();
  const float* b = call.b.data();
  float* c = call.out.mutable_data();
  py::gil_scoped_release release;
  kernel(a, b, c, call.shape.m, call.shape.n, call.shape.k, trans_a, trans_b);
}

void matmul_reference(const py::array& a_in, const py::array& b_in, py::array& out_in, bool trans_a,
                      bool trans_b) {
  run_plain_gemm(cpu::matmul_reference, "cpu.matmul_reference", a_in, b_in, out_in, trans_a, trans_b);
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
            const std::string& isa, int threads) {
  const cpu::Isa path = checked_isa(isa);
  if (threads < 0)
    throw std::invalid_argument("cpu.matmul: threads must be >= 0 (0: the process setting), got " +
                                std::to_string(threads));
  GemmCall call = gemm_call(a_in, b_in, out_in, trans_a, trans_b, "cpu.matmul");
  const float* a = call.a.data();
  const float* b = call.b.data();
  float* c = call.out.mutable_data();
  py::gil_scoped_release release;
  cpu::matmul(a, b, c, call.shape.m, call.shape.n, call.shape.k, trans_a, trans_b, path, false, threads);
}

// ---- the matmul ladder (kernels/cpu/ladder.h) -----------------------------------------------------
using RungFn = void (*)(const float*, const float*, float*, int64_t, int64_t, int64_t);

// The rungs written as their own files, in ladder order: the one list Python registers from.
const std::pair<const char*, RungFn> kRungs[] = {
    {"naive", cpu::ladder::matmul_naive},
    {"loop_order", cpu::ladder::matmul_loop_order},
    {"blocked", cpu::ladder::matmul_blocked},
    {"register_tile", cpu::ladder::matmul_register_tile},
    {"packed", cpu::ladder::matmul_packed},
};

std::vector<std::string> ladder_rungs() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : kRungs) names.emplace_back(name);
  return names;
}

void ladder_matmul(const std::string& rung, const py::array& a_in, const py::array& b_in, py::array& out_in) {
  RungFn fn = nullptr;
  std::string known;
  for (const auto& [name, rung_fn] : kRungs) {
    if (rung == name) fn = rung_fn;
    known += (known.empty() ? "" : ", ") + std::string(name);
  }
  require(fn != nullptr, "cpu.ladder_matmul: unknown rung '" + rung + "' (expected one of " + known + ")");
  GemmCall call = gemm_call(a_in, b_in, out_in, false, false, "cpu.ladder_matmul");
  const float* a = call.a.data();
  const float* b = call.b.data();
  float* c = call.out.mutable_data();
  py::gil_scoped_release release;
  fn(a, b, c, call.shape.m, call.shape.n, call.shape.k);
}

// ---- LSTM --------------------------------------------------------------------------------------
std::string shape_text(const py::array& array) {
  std::string text = "(";
  for (py::ssize_t d = 0; d < array.ndim(); ++d) text += (d ? ", " : "") + std::to_string(array.shape(d));
  return text + (array.ndim() == 1 ? ",)" : ")");
}

// Requires `array` to have exactly `expected` as its shape, naming the kernel, argument and shapes.
void require_shape(const FloatArray& array, std::initializer_list<int64_t> expected, const char* kernel,
                   const char* name) {
  bool same = array.ndim() == static_cast<py::ssize_t>(expected.size());
  std::string wanted = "(";
  int d = 0;
  for (int64_t size : expected) {
    if (same && array.shape(d) != size) same = false;
    wanted += (d++ ? ", " : "") + std::to_string(size);
  }
  wanted += expected.size() == 1 ? ",)" : ")";
  require(same, std::string(kernel) + ": " + name + " must have shape " + wanted + ", got " +
                    shape_text(array));
}

FloatArray new_array(std::initializer_list<py::ssize_t> shape) {
  return FloatArray(std::vector<py::ssize_t>(shape));
}

// The sizes T, B, I, H read from x and w_hh, with x, h0, w_ih and w_hh checked against them, for a
// recurrent layer with `gates` gate blocks (1 for the RNN, 4 for the LSTM).
struct SequenceInputs {
  cpu::SequenceShape shape;
  FloatArray x, h0, w_ih, w_hh;
};

SequenceInputs sequence_inputs(const py::array& x_in, const py::array& h0_in, const py::array& w_ih_in,
                               const py::array& w_hh_in, int64_t gates, const char* kernel) {
  SequenceInputs in{{}, as_float_array(x_in, 3, kernel, "x"), as_float_array(h0_in, 2, kernel, "h0"),
                    as_float_array(w_ih_in, 2, kernel, "w_ih"), as_float_array(w_hh_in, 2, kernel, "w_hh")};
  const int64_t T = in.x.shape(0), B = in.x.shape(1), I = in.x.shape(2), H = in.w_hh.shape(1);
  require(T >= 1 && B >= 1 && I >= 1 && H >= 1,
          std::string(kernel) + ": every size must be >= 1, got x " + shape_text(in.x) + " and w_hh " +
              shape_text(in.w_hh));
  require_shape(in.w_hh, {gates * H, H}, kernel, "w_hh");
  require_shape(in.w_ih, {gates * H, I}, kernel, "w_ih");
  require_shape(in.h0, {B, H}, kernel, "h0");
  in.shape = {T, B, I, H};
  return in;
}

py::tuple lstm_forward(const py::array& x_in, const py::array& h0_in, const py::array& c0_in,
                       const py::array& w_ih_in, const py::array& w_hh_in, const py::array& bias_in) {
  const char* kernel = "cpu.lstm_forward";
  const SequenceInputs in = sequence_inputs(x_in, h0_in, w_ih_in, w_hh_in, 4, kernel);
  const auto c0 = as_float_array(c0_in, 2, kernel, "c0");
  const auto bias = as_float_array(bias_in, 1, kernel, "bias");
  const auto [T, B, I, H] = in.shape;
  require_shape(c0, {B, H}, kernel, "c0");
  require_shape(bias, {4 * H}, kernel, "bias");
  FloatArray y = new_array({T, B, H}), h_n = new_array({B, H}), c_n = new_array({B, H});
  FloatArray gates = new_array({T, B, 4 * H}), cells = new_array({T, B, H});
  {
    py::gil_scoped_release release;
    cpu::lstm_forward(in.shape, in.x.data(), in.h0.data(), c0.data(), in.w_ih.data(), in.w_hh.data(),
                      bias.data(), y.mutable_data(), h_n.mutable_data(), c_n.mutable_data(),
                      gates.mutable_data(), cells.mutable_data());
  }
  return py::make_tuple(y, h_n, c_n, gates, cells);
}

py::tuple lstm_backward(const py::array& dy_in, const py::array& dh_n_in, const py::array& dc_n_in,
                        const py::array& x_in, const py::array& h0_in, const py::array& c0_in,
                        const py::array& w_ih_in, const py::array& w_hh_in, const py::array& gates_in,
                        const py::array& cells_in) {
  const char* kernel = "cpu.lstm_backward";
  const SequenceInputs in = sequence_inputs(x_in, h0_in, w_ih_in, w_hh_in, 4, kernel);
  const auto c0 = as_float_array(c0_in, 2, kernel, "c0");
  const auto [T, B, I, H] = in.shape;
  require_shape(c0, {B, H}, kernel, "c0");
  const auto dy = as_float_array(dy_in, 3, kernel, "dy");
  const auto dh_n = as_float_array(dh_n_in, 2, kernel, "dh_n");
  const auto dc_n = as_float_array(dc_n_in, 2, kernel, "dc_n");
  const auto gates = as_float_array(gates_in, 3, kernel, "gates");
  const auto cells = as_float_array(cells_in, 3, kernel, "cells");
  require_shape(dy, {T, B, H}, kernel, "dy");
  require_shape(dh_n, {B, H}, kernel, "dh_n");
  require_shape(dc_n, {B, H}, kernel, "dc_n");
  require_shape(gates, {T, B, 4 * H}, kernel, "gates");
  require_shape(cells, {T, B, H}, kernel, "cells");
  FloatArray dx = new_array({T, B, I}), dh0 = new_array({B, H}), dc0 = new_array({B, H});
  FloatArray dw_ih = new_array({4 * H, I}), dw_hh = new_array({4 * H, H}), dbias = new_array({4 * H});
  {
    py::gil_scoped_release release;
    cpu::lstm_backward(in.shape, dy.data(), dh_n.data(), dc_n.data(), in.x.data(), in.h0.data(),
                       c0.data(), in.w_ih.data(), in.w_hh.data(), gates.data(), cells.data(),
                       dx.mutable_data(), dh0.mutable_data(), dc0.mutable_data(), dw_ih.mutable_data(),
                       dw_hh.mutable_data(), dbias.mutable_data());
  }
  return py::make_tuple(dx, dh0, dc0, dw_ih, dw_hh, dbias);
}

// ---- RNN ---------------------------------------------------------------------------------------
cpu::Activation activation(const std::string& nonlinearity, const char* kernel) {
  if (nonlinearity == "tanh") return cpu::Activation::Tanh;
  if (nonlinearity == "relu") return cpu::Activation::Relu;
  throw std::invalid_argument(std::string(kernel) + ": nonlinearity must be 'tanh' or 'relu', got '" +
                              nonlinearity + "'");
}

FloatArray rnn_forward(const py::array& x_in, const py::array& h0_in, const py::array& w_ih_in,
                       const py::array& w_hh_in, const py::array& bias_in, const std::string& nonlinearity) {
  const char* kernel = "cpu.rnn_forward";
  const cpu::Activation act = activation(nonlinearity, kernel);
  const SequenceInputs in = sequence_inputs(x_in, h0_in, w_ih_in, w_hh_in, 1, kernel);
  const auto bias = as_float_array(bias_in, 1, kernel, "bias");
  const auto [T, B, I, H] = in.shape;
  require_shape(bias, {H}, kernel, "bias");
  FloatArray y = new_array({T, B, H});
  {
    py::gil_scoped_release release;
    cpu::rnn_forward(in.shape, act, in.x.data(), in.h0.data(), in.w_ih.data(), in.w_hh.data(),
                     bias.data(), y.mutable_data());
  }
  return y;
}

py::tuple rnn_backward(const py::array& dy_in, const py::array& dh_n_in, const py::array& x_in,
                       const py::array& h0_in, const py::array& w_ih_in, const py::array& w_hh_in,
                       const py::array& y_in, const std::string& nonlinearity) {
  const char* kernel = "cpu.rnn_backward";
  const cpu::Activation act = activation(nonlinearity, kernel);
  const SequenceInputs in = sequence_inputs(x_in, h0_in, w_ih_in, w_hh_in, 1, kernel);
  const auto [T, B, I, H] = in.shape;
  const auto dy = as_float_array(dy_in, 3, kernel, "dy");
  const auto dh_n = as_float_array(dh_n_in, 2, kernel, "dh_n");
  const auto y = as_float_array(y_in, 3, kernel, "y");
  require_shape(dy, {T, B, H}, kernel, "dy");
  require_shape(dh_n, {B, H}, kernel, "dh_n");
  require_shape(y, {T, B, H}, kernel, "y");
  FloatArray dx = new_array({T, B, I}), dh0 = new_array({B, H});
  FloatArray dw_ih = new_array({H, I}), dw_hh = new_array({H, H}), dbias = new_array({H});
  {
    py::gil_scoped_release release;
    cpu::rnn_backward(in.shape, act, dy.data(), dh_n.data(), in.x.data(), in.h0.data(), in.w_ih.data(),
                      in.w_hh.data(), y.data(), dx.mutable_data(), dh0.mutable_data(),
                      dw_ih.mutable_data(), dw_hh.mutable_data(), dbias.mutable_data());
  }
  return py::make_tuple(dx, dh0, dw_ih, dw_hh, dbias);
}

// ---- layer normalisation -----------------------------------------------------------------------
// γ or β as a pointer (null when absent), after checking it is a float32 vector of length n.
const float* optional_vector(const std::optional<py::array>& v, int64_t n, std::optional<FloatArray>& keep,
                             const char* kernel, const char* name) {
  if (!v) return nullptr;
  keep = as_float_array(*v, 1, kernel, name);
  require(keep->shape(0) == n, std::string(kernel) + ": " + name + " must have shape (" + std::to_string(n) +
                                   ",), got (" + std::to_string(keep->shape(0)) + ",)");
  return keep->data();
}

std::string rows_shape(const FloatArray& a) {
  return "(" + std::to_string(a.shape(0)) + ", " + std::to_string(a.shape(1)) + ")";
}

py::tuple layer_norm_forward(const py::array& x_in, const std::optional<py::array>& weight_in,
                             const std::optional<py::array>& bias_in, double eps) {
  const char* kernel = "cpu.layer_norm_forward";
  const auto x = as_float_array(x_in, 2, kernel, "x");
  const int64_t rows = x.shape(0), n = x.shape(1);
  require(n >= 1, std::string(kernel) + ": x must have at least one column, got " + rows_shape(x));
  require(eps >= 0, std::string(kernel) + ": eps must be >= 0, got " + std::to_string(eps));
  std::optional<FloatArray> weight, bias;
  const float* w = optional_vector(weight_in, n, weight, kernel, "weight");
  const float* b = optional_vector(bias_in, n, bias, kernel, "bias");
  FloatArray y = new_array({rows, n}), mean = new_array({rows}), rstd = new_array({rows});
  {
    py::gil_scoped_release release;
    cpu::layer_norm_forward(rows, n, static_cast<float>(eps), x.data(), w, b, y.mutable_data(),
                            mean.mutable_data(), rstd.mutable_data());
  }
  return py::make_tuple(y, mean, rstd);
}

py::tuple layer_norm_backward(const py::array& dy_in, const py::array& x_in, const py::array& mean_in,
                              const py::array& rstd_in, const std::optional<py::array>& weight_in) {
  const char* kernel = "cpu.layer_norm_backward";
  const auto dy = as_float_array(dy_in, 2, kernel, "dy");
  const auto x = as_float_array(x_in, 2, kernel, "x");
  const auto mean = as_float_array(mean_in, 1, kernel, "mean");
  const auto rstd = as_float_array(rstd_in, 1, kernel, "rstd");
  const int64_t rows = x.shape(0), n = x.shape(1);
  require(n >= 1, std::string(kernel) + ": x must have at least one column, got " + rows_shape(x));
  require(dy.shape(0) == rows && dy.shape(1) == n,
          std::string(kernel) + ": dy " + rows_shape(dy) + " must have x's shape " + rows_shape(x));
  require(mean.shape(0) == rows && rstd.shape(0) == rows,
          std::string(kernel) + ": mean (" + std::to_string(mean.shape(0)) + ",) and rstd (" +
              std::to_string(rstd.shape(0)) + ",) must have one entry per row of x " + rows_shape(x));
  std::optional<FloatArray> weight;
  const float* w = optional_vector(weight_in, n, weight, kernel, "weight");
  FloatArray dx = new_array({rows, n}), dweight = new_array({n}), dbias = new_array({n});
  {
    py::gil_scoped_release release;
    cpu::layer_norm_backward(rows, n, dy.data(), x.data(), mean.data(), rstd.data(), w, dx.mutable_data(),
                             dweight.mutable_data(), dbias.mutable_data());
  }
  return py::make_tuple(dx, dweight, dbias);
}

// ---- row softmax ---------------------------------------------------------------------------------
FloatArray softmax_forward(const py::array& x_in) {
  const auto x = as_float_array(x_in, 2, "cpu.softmax_forward", "x");
  const int64_t rows = x.shape(0), n = x.shape(1);
  FloatArray y = new_array({rows, n});
  {
    py::gil_scoped_release release;
    cpu::softmax_forward(rows, n, x.data(), y.mutable_data());
  }
  return y;
}

FloatArray softmax_backward(const py::array& y_in, const py::array& dy_in) {
  const char* kernel = "cpu.softmax_backward";
  const auto y = as_float_array(y_in, 2, kernel, "y");
  const auto dy = as_float_array(dy_in, 2, kernel, "dy");
  require(dy.shape(0) == y.shape(0) && dy.shape(1) == y.shape(1),
          std::string(kernel) + ": dy " + rows_shape(dy) + " must have y's shape " + rows_shape(y));
  const int64_t rows = y.shape(0), n = y.shape(1);
  FloatArray dx = new_array({rows, n});
  {
    py::gil_scoped_release release;
    cpu::softmax_backward(rows, n, y.data(), dy.data(), dx.mutable_data());
  }
  return dx;
}

// ---- cross-entropy's forward -------------------------------------------------------------------
py::tuple cross_entropy_forward(const py::array& x_in, const py::array& target_in) {
  const char* kernel = "cpu.cross_entropy_forward";
  const auto x = as_float_array(x_in, 2, kernel, "x");
  require(target_in.dtype().equal(py::dtype::of<int64_t>()) && target_in.ndim() == 1 &&
              (target_in.flags() & py::array::c_style),
          std::string(kernel) + ": target must be a C-contiguous 1-D int64 array");
  const auto target = py::reinterpret_borrow<py::array_t<int64_t, py::array::c_style>>(target_in);
  const int64_t rows = x.shape(0), n = x.shape(1);
  require(target.shape(0) == rows, std::string(kernel) + ": target must have one entry per row of x " + rows_shape(x));
  const int64_t* t = target.data();
  for (int64_t i = 0; i < rows; ++i)
    if (t[i] < 0 || t[i] >= n)  // (the message is built only on failure)
      throw std::invalid_argument(std::string(kernel) + ": target " + std::to_string(t[i]) + " is out of range for " +
                                  std::to_string(n) + " classes");
  FloatArray e = new_array({rows, n}), sums = new_array({rows}), losses = new_array({rows});
  {
    py::gil_scoped_release release;
    cpu::cross_entropy_forward(rows, n, x.data(), t, e.mutable_data(), sums.mutable_data(), losses.mutable_data());
  }
  return py::make_tuple(e, sums, losses);
}

// ---- self-attention on packed projections -------------------------------------------------------
// The head width d of a packed (N, L, 3E) qkv for `heads` heads, or a ValueError.
int64_t head_width(const FloatArray& qkv, int64_t heads, const char* kernel) {
  require(heads >= 1 && qkv.shape(2) % (3 * heads) == 0,
          std::string(kernel) + ": qkv's last size " + std::to_string(qkv.shape(2)) + " must be 3 · heads · d (heads " +
              std::to_string(heads) + ")");
  return qkv.shape(2) / (3 * heads);
}

py::tuple self_attention_forward(const py::array& qkv_in, int64_t heads, float scale, bool causal) {
  const char* kernel = "cpu.self_attention_forward";
  const auto qkv = as_float_array(qkv_in, 3, kernel, "qkv");
  const int64_t d = head_width(qkv, heads, kernel), n = qkv.shape(0), length = qkv.shape(1);
  FloatArray out = new_array({n, length, heads * d}), weights = new_array({n, heads, length, length});
  {
    py::gil_scoped_release release;
    cpu::self_attention_forward(n, length, heads, d, scale, causal, qkv.data(), out.mutable_data(),
                                weights.mutable_data());
  }
  return py::make_tuple(out, weights);
}

FloatArray self_attention_backward(const py::array& qkv_in, const py::array& weights_in, const py::array& g_in,
                                   int64_t heads, float scale, bool causal) {
  const char* kernel = "cpu.self_attention_backward";
  const auto qkv = as_float_array(qkv_in, 3, kernel, "qkv");
  const auto weights = as_float_array(weights_in, 4, kernel, "weights");
  const auto g = as_float_array(g_in, 3, kernel, "g");
  const int64_t d = head_width(qkv, heads, kernel), n = qkv.shape(0), length = qkv.shape(1);
  require(weights.shape(0) == n && weights.shape(1) == heads && weights.shape(2) == length &&
              weights.shape(3) == length && g.shape(0) == n && g.shape(1) == length && g.shape(2) == heads * d,
          std::string(kernel) + ": weights must be (N, heads, L, L) and g (N, L, E) for qkv (N, L, 3E)");
  FloatArray grad = new_array({n, length, 3 * heads * d});
  {
    py::gil_scoped_release release;
    cpu::self_attention_backward(n, length, heads, d, scale, causal, qkv.data(), weights.data(), g.data(),
                                 grad.mutable_data());
  }
  return grad;
}

// ---- ReLU --------------------------------------------------------------------------------------
FloatArray relu_forward(const py::array& x_in) {
  const auto x = as_float_array(x_in, 1, "cpu.relu_forward", "x");
  const int64_t n = x.shape(0);
  FloatArray y = new_array({n});
  {
    py::gil_scoped_release release;
    cpu::relu_forward(n, x.data(), y.mutable_data());
  }
  return y;
}

FloatArray relu_backward(const py::array& y_in, const py::array& dy_in) {
  const char* kernel = "cpu.relu_backward";
  const auto y = as_float_array(y_in, 1, kernel, "y");
  const auto dy = as_float_array(dy_in, 1, kernel, "dy");
  const int64_t n = y.shape(0);
  require(dy.shape(0) == n, std::string(kernel) + ": dy (" + std::to_string(dy.shape(0)) +
                                ",) must have y's shape (" + std::to_string(n) + ",)");
  FloatArray dx = new_array({n});
  {
    py::gil_scoped_release release;
    cpu::relu_backward(n, y.data(), dy.data(), dx.mutable_data());
  }
  return dx;
}

}  // namespace

void register_cpu(py::module_& m) {
  m.def("features", &cpu::cpu_features, "CPU vector extensions detected at run time");
  m.def("matmul_reference", &matmul_reference, py::arg("a"), py::arg("b"), py::arg("out"),
        py::arg("trans_a") = false, py::arg("trans_b") = false,
        "out = op(a) @ op(b) by the reference triple loop (float32, C-contiguous)");
  m.def("matmul", &matmul, py::arg("a"), py::arg("b"), py::arg("out"), py::arg("trans_a") = false,
        py::arg("trans_b") = false, py::arg("isa") = "auto", py::arg("threads") = 0,
        "out = op(a) @ op(b), packed and register-blocked (float32, C-contiguous); isa is 'auto' or "
        "one of isas(); threads caps the thread count (0: get_num_threads())");
  m.def("best_isa", &cpu::best_isa, "the matmul path isa='auto' runs on this CPU");
  m.def("isas", [] { return std::vector<std::string>(cpu::isa_names(), cpu::isa_names() + cpu::kIsaCount); },
        "the explicit matmul paths, best first (whether or not this CPU runs them)");
  m.def("ladder_rungs", &ladder_rungs, "the one-idea matmul rungs of kernels/cpu/ladder.h, in ladder order");
  m.def("ladder_matmul", &ladder_matmul, py::arg("rung"), py::arg("a"), py::arg("b"), py::arg("out"),
        "out = a @ b by one rung of the ladder (float32, C-contiguous, no transposes, one thread)");
  m.def("set_num_threads", &cpu::set_max_threads, py::arg("n"),
        "the number of OpenMP threads every CPU kernel uses from now on (n >= 1)");
  m.def("get_num_threads", &cpu::max_threads, "the number of OpenMP threads a CPU kernel uses now");
  m.def("parallel_threshold", &cpu::parallel_threshold,
        "the fewest multiply-adds a kernel call must do to run on more than one thread");
  m.def("set_parallel_threshold", &cpu::set_parallel_threshold, py::arg("work"),
        "change parallel_threshold() (0: every call on threads; for measuring where threads pay)");
  m.def("default_parallel_threshold", [] { return cpu::kParallelThreshold; },
        "parallel_threshold() until set_parallel_threshold is called");
  m.def("threads_for", &cpu::threads_for, py::arg("work"),
        "the threads a kernel call doing `work` multiply-adds runs on now");
  m.def("sequence_threads", [](int64_t steps, int64_t batch, int64_t input, int64_t hidden, int64_t gates) {
        return cpu::sequence::sequence_parts({steps, batch, input, hidden}, gates); },
        py::arg("steps"), py::arg("batch"), py::arg("input"), py::arg("hidden"), py::arg("gates"),
        "the threads a recurrent kernel call (T, B, I, H) runs on now; gates is G, 4H for the LSTM, H for the RNN");
  m.def("fma_peak_gflops", &cpu::fma_peak_gflops, py::arg("threads") = 0, py::arg("seconds") = 0.2,
        py::call_guard<py::gil_scoped_release>(),
        "float32 GFLOP/s of independent FMAs on the widest vectors this CPU runs (threads 0: all)");
  m.def("memory_read_gbs", &cpu::memory_read_gbs, py::arg("bytes") = int64_t{128} << 20, py::arg("threads") = 0,
        py::arg("repeats") = 3, py::call_guard<py::gil_scoped_release>(),
        "read bandwidth in GB/s: the best of `repeats` sums of a `bytes`-sized buffer");
  m.def("isa_supported", [](const std::string& isa) { return cpu::isa_supported(cpu::parse_isa(isa.c_str())); },
        py::arg("isa"), "whether this CPU can run the named matmul path");
  m.def("lstm_forward", &lstm_forward, py::arg("x"), py::arg("h0"), py::arg("c0"), py::arg("w_ih"),
        py::arg("w_hh"), py::arg("bias"),
        "whole-sequence LSTM (gates i, f, g, o) -> (y, h_n, c_n, gates, cells); float32, C-contiguous");
  m.def("lstm_backward", &lstm_backward, py::arg("dy"), py::arg("dh_n"), py::arg("dc_n"), py::arg("x"),
        py::arg("h0"), py::arg("c0"), py::arg("w_ih"), py::arg("w_hh"), py::arg("gates"), py::arg("cells"),
        "backward through time of lstm_forward -> (dx, dh0, dc0, dw_ih, dw_hh, dbias)");
  m.def("rnn_forward", &rnn_forward, py::arg("x"), py::arg("h0"), py::arg("w_ih"), py::arg("w_hh"),
        py::arg("bias"), py::arg("nonlinearity") = "tanh",
        "whole-sequence Elman RNN -> y (every h_t); float32, C-contiguous");
  m.def("rnn_backward", &rnn_backward, py::arg("dy"), py::arg("dh_n"), py::arg("x"), py::arg("h0"),
        py::arg("w_ih"), py::arg("w_hh"), py::arg("y"), py::arg("nonlinearity") = "tanh",
        "backward through time of rnn_forward -> (dx, dh0, dw_ih, dw_hh, dbias)");
  m.def("layer_norm_forward", &layer_norm_forward, py::arg("x"), py::arg("weight"), py::arg("bias"),
        py::arg("eps"), "layer norm of each row of x (rows, n) -> (y, mean, rstd); weight, bias None or (n,)");
  m.def("layer_norm_backward", &layer_norm_backward, py::arg("dy"), py::arg("x"), py::arg("mean"),
        py::arg("rstd"), py::arg("weight"), "backward of layer_norm_forward -> (dx, dweight, dbias)");
  m.def("softmax_forward", &softmax_forward, py::arg("x"), "softmax of each row of x (rows, n) -> y");
  m.def("softmax_backward", &softmax_backward, py::arg("y"), py::arg("dy"),
        "backward of softmax_forward from its output y -> dx = y * (dy - rowsum(dy * y))");
  m.def("cross_entropy_forward", &cross_entropy_forward, py::arg("x"), py::arg("target"),
        "cross-entropy of each row of logits x (rows, n) with its int64 class -> (e^{x - max}, row sums, losses)");
  m.def("self_attention_forward", &self_attention_forward, py::arg("qkv"), py::arg("heads"), py::arg("scale"),
        py::arg("causal"), "multi-head self-attention of packed qkv (N, L, 3E) -> (out (N, L, E), weights (N, h, L, L))");
  m.def("self_attention_backward", &self_attention_backward, py::arg("qkv"), py::arg("weights"), py::arg("g"),
        py::arg("heads"), py::arg("scale"), py::arg("causal"),
        "backward of self_attention_forward -> gradient of qkv (N, L, 3E)");
  m.def("relu_forward", &relu_forward, py::arg("x"), "max(x, 0) of a 1-D array (NaN stays NaN) -> y");
  m.def("relu_backward", &relu_backward, py::arg("y"), py::arg("dy"),
        "backward of relu_forward from its output y -> dx = 0 where y <= 0, else dy");
}

}  // namespace zengrad::bindings
