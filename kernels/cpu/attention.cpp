// Multi-head self-attention, forward and backward, on the CPU (float32).
//
// Idea: the NumPy path (kernels_reference.py) runs the heads as batched products through memory:
// the (N, h, L, L) scores are written by one product, read and written again to add the mask,
// twice more by the softmax, and read by the product with V; with a causal mask half of that
// work is on entries that end as zeros. Here one batch entry and head is done at a time, one
// query row at a time while it sits in L1: its scores c · q_i · k_j for the columns it may see
// only (j ≤ i when causal), their softmax (fast_exp.h's polynomial exponential), the weights
// written once, and the row's output Σ_j w_ij v_j. K is first copied transposed (d × L, a few
// kilobytes) so that a row of scores is d vector multiply-adds over sixteen columns at a time.
// Backward is the same walk: per row ∂W = g_i Vᵀ over the seen columns, ∂S, ∂Q's row, and ∂K,
// ∂V summed for the head in small buffers written into the packed gradient at the end.
// What made it fast (each measured): sums held in GCC vector-extension registers, four of them
// independent (one alone waits out the multiply-add latency at every step: the first version
// was slower than NumPy); the softmax of a row on whole vectors, its tail padded with −∞ (with a
// causal mask most rows are not a multiple of 16 long, and the scalar remainders cost more than
// the rest of the row); horizontal sums and maxima as trees. The head width d is a compile-time
// constant for 16, 32 and 64; any other width runs the same code with a run-time width. The heads
// go on OpenMP threads (threads_for), each head's work independent.
//
// Speed (AMD EPYC Zen 4 VM, shared, load average 5 on 2 vCPUs, 1 thread, 2026-12-03, least
// process CPU time of 7 blocks), the transformer's layer (32 × 64 positions, 4 heads of 16,
// causal): forward 0.8–1.0 ms against 1.1–1.4 ms for the NumPy path (with the native row
// softmax) and 1.1–1.3 ms for torch's scaled_dot_product_attention; backward 1.3–1.4 ms against
// 1.4–1.8 ms. The default transformer step: benchmarks/results/transformer_step_2026-12-03c.md.
// Checks: tests/test_attention_kernel.py.
#include "attention.h"

#include "fast_exp.h"
#include "lanes.h"
#include "threads.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace zengrad::cpu {

namespace {

// The sizes of one call, copied into locals by each head (a float behind a reference could alias
// the arrays written and would be reloaded in every loop).
struct Shape {
  int64_t length, heads, d;
  float scale;
  bool causal;
};

// The softmax of row[0, cols), in place, returned as e^{x − max} and the factor 1 / Σ that
// normalises it. The row is padded with −∞ to whole Lanes (it has the room), whose
// e^{−∞} = 0 change nothing: every loop runs on whole vectors, none on a scalar remainder (with
// a causal mask most rows are not a multiple of 16 long). Sums in float, sixteen partial sums.
inline float exponentiate_row(int64_t cols, float* row) {
  const int64_t end = padded(cols);
  const Lanes last = load(row + end - kLanes), minus_infinity = Lanes{} - std::numeric_limits<float>::infinity();
  store(row + end - kLanes, kIota < static_cast<int32_t>(cols - (end - kLanes)) ? last : minus_infinity);
  Lanes top = load(row);
  for (int64_t j = kLanes; j < end; j += kLanes) {
    const Lanes v = load(row + j);
    top = v > top ? v : top;
  }
  const float shift = horizontal_max(top);
  Lanes sum = {};
  for (int64_t j = 0; j < end; j += kLanes) {
#pragma omp simd
    for (int l = 0; l < kLanes; ++l) row[j + l] = exp_nonpositive(row[j + l] - shift);  // NaN for NaN, +∞
    sum += load(row + j);
  }
  return 1.0f / horizontal_sum(sum);
}

// row[j] = Σ_p x[p] · t[p·lp + j] for K whole Lanes of columns: K independent register sums (one
// alone would wait out the multiply-add's latency at every p).
template <int K>
__attribute__((always_inline)) inline void product_lanes(int64_t d, int64_t lp, const float* x, const float* t,
                                                         float* row) {
  Lanes acc[K] = {};
  for (int64_t p = 0; p < d; ++p)
    for (int k = 0; k < K; ++k) acc[k] += x[p] * load(t + p * lp + k * kLanes);
  for (int k = 0; k < K; ++k) store(row + k * kLanes, acc[k]);
}

// row[j] = Σ_p x[p] · t[p·lp + j] for j < cols rounded up to whole Lanes (t zero-padded to lp
// columns): the product of one row with a transposed block, up to 64 columns at a time.
inline void row_times_transposed(int64_t d, int64_t cols, int64_t lp, const float* x, const float* t, float* row) {
  int64_t lanes = (cols + kLanes - 1) / kLanes, j = 0;
  for (; lanes >= 4; lanes -= 4, j += 4 * kLanes) product_lanes<4>(d, lp, x, t + j, row + j);
  switch (lanes) {
    case 3: product_lanes<3>(d, lp, x, t + j, row + j); break;
    case 2: product_lanes<2>(d, lp, x, t + j, row + j); break;
    case 1: product_lanes<1>(d, lp, x, t + j, row + j); break;
    default: break;
  }
}

// out[p] = Σ_{j < cols} a[j] · rows[j·stride + p] for p < d. D, d as a constant multiple of 16:
// the sum in registers, split over S streams of j (four independent register sums in all);
// D = 0: any d, a plain loop.
template <int D>
__attribute__((always_inline)) inline void weighted_rows(int64_t d, int64_t cols, const float* a, const float* rows,
                                                         int64_t stride, float* out) {
  if constexpr (D > 0) {
    constexpr int V = D / kLanes, S = V >= 4 ? 1 : 4 / V;
    Lanes acc[S][V] = {};
    int64_t j = 0;
    for (; j + S <= cols; j += S)
      for (int s = 0; s < S; ++s)
        for (int k = 0; k < V; ++k) acc[s][k] += a[j + s] * load(rows + (j + s) * stride + k * kLanes);
    for (; j < cols; ++j)
      for (int k = 0; k < V; ++k) acc[0][k] += a[j] * load(rows + j * stride + k * kLanes);
    for (int s = 1; s < S; ++s)
      for (int k = 0; k < V; ++k) acc[0][k] += acc[s][k];
    for (int k = 0; k < V; ++k) store(out + k * kLanes, acc[0][k]);
  } else {
    for (int64_t p = 0; p < d; ++p) out[p] = 0.0f;
    for (int64_t j = 0; j < cols; ++j)
      for (int64_t p = 0; p < d; ++p) out[p] += a[j] * rows[j * stride + p];
  }
}

// t[p·lp + j] = rows[j·stride + p]: a (length, d) block of the packed rows transposed.
inline void transpose_block(int64_t length, int64_t d, int64_t lp, const float* rows, int64_t stride, float* t) {
  for (int64_t j = 0; j < length; ++j)
    for (int64_t p = 0; p < d; ++p) t[p * lp + j] = rows[j * stride + p];
}

// One head of one batch entry: qkv rows at `packed` (Q at +0, K at +E, V at +2E, row stride 3E),
// output rows at `out` (stride E), weights (L, L) at `w`. Scratch: K transposed (d × lp, padding
// zero), then a row of scores (lp), then the row's scaled query (d).
template <int D>
__attribute__((always_inline)) inline void forward_head(const Shape& shape, const float* packed, float* out, float* w,
                                                        float* scratch) {
  const int64_t length = shape.length, d = D ? D : shape.d, e = shape.heads * d, stride = 3 * e, lp = padded(length);
  const float scale = shape.scale;
  const bool causal = shape.causal;
  float *kt = scratch, *scores = scratch + d * lp, *q = scores + lp;  // scores: lp floats
  transpose_block(length, d, lp, packed + e, stride, kt);
  for (int64_t i = 0; i < length; ++i) {
    const int64_t cols = causal ? i + 1 : length;
    for (int64_t p = 0; p < d; ++p) q[p] = packed[i * stride + p] * scale;
    row_times_transposed(d, cols, lp, q, kt, scores);
    const float inverse = exponentiate_row(cols, scores);
    float* __restrict wi = w + i * length;
    const int64_t end = std::min(padded(cols), length);  // past cols: e^{−∞} · inverse = 0
    for (int64_t j = 0; j < end; j += kLanes) {
      if (j + kLanes <= length) {
        store(wi + j, load(scores + j) * inverse);
      } else {
        for (int64_t l = j; l < end; ++l) wi[l] = scores[l] * inverse;
      }
    }
    std::fill(wi + end, wi + length, 0.0f);
    weighted_rows<D>(d, cols, wi, packed + 2 * e, stride, out + i * e);
  }
}

// Backward of one head: `g` the rows of its output's gradient (stride E), `grad` its rows of the
// packed gradient (stride 3E). Scratch: V transposed (d × lp, padding zero), ∂K and ∂V (L × d), one
// row of ∂S and one of weights (lp each).
template <int D>
__attribute__((always_inline)) inline void backward_head(const Shape& shape, const float* packed, const float* w,
                                                         const float* g, float* grad, float* scratch) {
  const int64_t length = shape.length, d = D ? D : shape.d, e = shape.heads * d, stride = 3 * e, lp = padded(length);
  const float scale = shape.scale;
  const bool causal = shape.causal;
  float *vt = scratch, *dk = vt + d * lp, *dv = dk + length * d, *ds = dv + length * d, *wrow = ds + lp;
  transpose_block(length, d, lp, packed + 2 * e, stride, vt);
  std::fill(dk, dk + 2 * length * d, 0.0f);
  for (int64_t i = 0; i < length; ++i) {
    const float* __restrict wi = w + i * length;
    const float* __restrict gi = g + i * e;
    const float* __restrict qi = packed + i * stride;
    const int64_t cols = causal ? i + 1 : length;
    for (int64_t j = 0; j < cols; ++j) {  // ∂V_j += w_ij g_i
      const float wij = wi[j];
#pragma omp simd
      for (int64_t p = 0; p < d; ++p) dv[j * d + p] += wij * gi[p];
    }
    row_times_transposed(d, cols, lp, gi, vt, ds);  // ∂W_ij = g_i · v_j
    const int64_t end = padded(cols);  // whole Lanes: the weights past cols are 0
    const float* weights = wi;
    if (end > length) {  // the row's last Lanes would run past it: a copy padded with zeros
      std::copy(wi, wi + cols, wrow);
      std::fill(wrow + cols, wrow + end, 0.0f);
      weights = wrow;
    }
    Lanes dot = {};
    for (int64_t j = 0; j < end; j += kLanes) dot += load(ds + j) * load(weights + j);
    const float centre = horizontal_sum(dot);
    for (int64_t j = 0; j < end; j += kLanes)  // c ∂S_ij
      store(ds + j, scale * load(weights + j) * (load(ds + j) - centre));
    weighted_rows<D>(d, cols, ds, packed + e, stride, grad + i * stride);  // ∂Q_i = c Σ_j ∂S_ij k_j
    for (int64_t j = 0; j < cols; ++j) {  // ∂K_j += c ∂S_ij q_i
      const float sij = ds[j];
#pragma omp simd
      for (int64_t p = 0; p < d; ++p) dk[j * d + p] += sij * qi[p];
    }
  }
  for (int64_t j = 0; j < length; ++j)
    for (int64_t p = 0; p < d; ++p) {
      grad[j * stride + e + p] = dk[j * d + p];
      grad[j * stride + 2 * e + p] = dv[j * d + p];
    }
}

// Scratch floats per thread: the larger of forward's and backward's needs.
inline int64_t scratch_size(int64_t length, int64_t d) { return d * padded(length) + 2 * length * d + 2 * padded(length) + d; }

__attribute__((target_clones("avx512f", "avx2", "default"))) void forward_one(const Shape& shape, const float* packed,
                                                                             float* out, float* w, float* scratch) {
  switch (shape.d) {
    case 16: forward_head<16>(shape, packed, out, w, scratch); break;
    case 32: forward_head<32>(shape, packed, out, w, scratch); break;
    case 64: forward_head<64>(shape, packed, out, w, scratch); break;
    default: forward_head<0>(shape, packed, out, w, scratch);
  }
}

__attribute__((target_clones("avx512f", "avx2", "default"))) void backward_one(const Shape& shape, const float* packed,
                                                                              const float* w, const float* g,
                                                                              float* grad, float* scratch) {
  switch (shape.d) {
    case 16: backward_head<16>(shape, packed, w, g, grad, scratch); break;
    case 32: backward_head<32>(shape, packed, w, g, grad, scratch); break;
    case 64: backward_head<64>(shape, packed, w, g, grad, scratch); break;
    default: backward_head<0>(shape, packed, w, g, grad, scratch);
  }
}

}  // namespace

void self_attention_forward(int64_t n, int64_t length, int64_t heads, int64_t d, float scale, bool causal,
                            const float* qkv, float* out, float* weights) {
  const Shape s{length, heads, d, scale, causal};
  const int64_t e = heads * d, blocks = n * heads;
  const int team = threads_for(blocks * length * length * d);
#pragma omp parallel num_threads(team) if (team > 1)
  {
    std::vector<float> scratch(static_cast<size_t>(scratch_size(length, d)));
#pragma omp for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t b = block / heads, h = block % heads;
      forward_one(s, qkv + b * length * 3 * e + h * d, out + b * length * e + h * d,
                  weights + block * length * length, scratch.data());
    }
  }
}

void self_attention_backward(int64_t n, int64_t length, int64_t heads, int64_t d, float scale, bool causal,
                             const float* qkv, const float* weights, const float* g, float* grad) {
  const Shape s{length, heads, d, scale, causal};
  const int64_t e = heads * d, blocks = n * heads;
  const int team = threads_for(2 * blocks * length * length * d);
#pragma omp parallel num_threads(team) if (team > 1)
  {
    std::vector<float> scratch(static_cast<size_t>(scratch_size(length, d)));
#pragma omp for schedule(static)
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t b = block / heads, h = block % heads;
      backward_one(s, qkv + b * length * 3 * e + h * d, weights + block * length * length,
                   g + b * length * e + h * d, grad + b * length * 3 * e + h * d, scratch.data());
    }
  }
}

}  // namespace zengrad::cpu
