// Plain C++ interface to zengrad's CUDA kernels (compiled by nvcc into a static library).
// Pointers are device pointers; `stream` is a cudaStream_t passed as an integer (CuPy's current
// stream). Every CUDA call and launch is checked: failures throw std::runtime_error; arguments the
// kernels cannot take throw std::invalid_argument. Callers (bindings/cuda.cpp, after the Python
// side) have already checked shapes, so sizes here are trusted to match the buffers.
#pragma once
#include <cstdint>
#include <string>

#include "matmul_rungs.h"

namespace zengrad::cuda {

// Empty when a CUDA device can be used; otherwise why not (no driver, no device, ...).
std::string device_status();

// ---- matmul ladder: C = op(A) · op(B), row-major float32, C is m×n ----------------------------
// op(A) is m×k (stored k×m when trans_a), op(B) is k×n (stored n×k when trans_b). Any sizes >= 0;
// C must not overlap A or B. One function matmul_<name> per rung of matmul_rungs.h.
#define ZENGRAD_DECLARE_MATMUL(name, idea)                                                        \
  void matmul_##name(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a, \
                     bool trans_b, std::uintptr_t stream);
ZENGRAD_MATMUL_RUNGS(ZENGRAD_DECLARE_MATMUL)
#undef ZENGRAD_DECLARE_MATMUL

// ---- LSTM (one layer, PyTorch gate order i, f, g, o; float32, C-contiguous) --------------------
// Shapes: x[T,B,I], h0/c0[B,H], w_ih[4H,I], w_hh[4H,H], bias[4H]; outputs y[T,B,H], h_n/c_n[B,H],
// gates[T,B,4H] (post-activation), cells[T,B,H]. See lstm.cu for the algorithm.
struct LstmSizes {
  int64_t T, B, I, H;
};

// How the recurrence runs: kAuto uses the persistent kernel when it fits on this device, else the
// step-by-step driver; kStepwise always steps; kPersistent requires the persistent kernel and
// throws std::invalid_argument when it does not fit.
enum class LstmMode { kAuto, kStepwise, kPersistent };

// Floats of scratch memory the caller must pass to lstm_forward / lstm_backward.
int64_t lstm_workspace_floats(bool backward, LstmSizes s);

// Empty when the persistent kernel can run these sizes on the current device; else the reason.
std::string lstm_persistent_status(bool backward, LstmSizes s);

struct LstmForwardArgs {
  const float *x, *h0, *c0, *w_ih, *w_hh, *bias;
  float *y, *h_n, *c_n, *gates, *cells;
  float* workspace;  // lstm_workspace_floats(false, sizes) floats
};

struct LstmBackwardArgs {
  const float *dy, *dh_n, *dc_n, *x, *h0, *c0, *w_ih, *w_hh, *gates, *cells;
  float *dx, *dh0, *dc0, *dw_ih, *dw_hh, *dbias;
  float* workspace;  // lstm_workspace_floats(true, sizes) floats
};

// Both return the path that ran: "stepwise", "persistent" or "none" (nothing to recur over).
std::string lstm_forward(const LstmForwardArgs& args, LstmSizes s, LstmMode mode, std::uintptr_t stream);
std::string lstm_backward(const LstmBackwardArgs& args, LstmSizes s, LstmMode mode, std::uintptr_t stream);

}  // namespace zengrad::cuda
