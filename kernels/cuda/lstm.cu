// One LSTM layer on the GPU: forward over a whole sequence and backward through time.
//
// Gate order and equations follow PyTorch (i, f, g, o):
//   z_t = x_t W_ihᵀ + h_{t-1} W_hhᵀ + bias          (z_t is B×4H)
//   i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)
//   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
// Forward saves the post-activation gates [T,B,4H] and the cells c_t [T,B,H]; backward recomputes
// nothing but h_{t-1} = o_{t-1} ⊙ tanh(c_{t-1}) for the weight gradient.
//
// Three pieces:
//  1. Fused pointwise kernels. Forward: one thread per (b, j) reads the four pre-activations, adds
//     the bias, applies the nonlinearities and writes the gates, c_t and h_t in one pass. Backward:
//     from dh_t (= dy_t + the recurrent gradient), the running dc and the saved gates and cells, one
//     pass writes dz_t (all four gates) and dc_{t-1}.
//  2. The step-by-step driver. The input projection x W_ihᵀ of all T steps is ONE large GEMM, written
//     straight into the gates buffer. Then each step runs the recurrent GEMM h_{t-1} W_hhᵀ (B×4H) and
//     the fused kernel. Backward runs per step the fused kernel and dh_{t-1} = dz_t W_hh, and after the
//     loop the weight gradients as three large GEMMs (dW_ih = dzᵀ x, dW_hh = dzᵀ [h0; h_0..h_{T-2}],
//     dx = dz W_ih) plus a column sum for dbias. Two launches per step: launch latency dominates when
//     B and H are small.
//  3. The persistent kernels. One cooperative launch runs all T steps. Block b owns hidden units
//     [b·U, (b+1)·U) and keeps the W_hh entries those units need in shared memory for the whole
//     sequence: forward, the 4U rows {q·H + j} (the four gates of each unit); backward, the U columns
//     j of W_hh (dh_{t-1}[:, j] = dz_t · W_hh[:, j]). Each step a block reads the previous hidden state
//     (or dz_t) from L2, multiplies it by its on-chip slice, applies the fused cell update to its own
//     units, and the grid meets at one grid-wide barrier (cooperative_groups::grid_group::sync, which
//     also orders the memory). Because a block owns all four gates of its units, the pointwise update
//     needs no second barrier; the running dh and dc of a unit stay with the thread that owns it.
//     It runs only when every block fits on the device at once (cudaOccupancyMaxActiveBlocksPerMultiprocessor
//     × multiprocessors >= blocks) and the device supports cooperative launch; otherwise the driver
//     steps (LstmMode::kAuto) or refuses (kPersistent).
//
// The step-by-step driver's recurrent GEMMs are skinny (B rows): gemm() splits their k across blocks
// (gemm.cuh), so dh = dz·W_hh at B = 64, H = 512 runs on 128 blocks instead of 8.
//
// Measured speed: benchmarks/bench_cuda.py (saved tables in benchmarks/results/); it reports which
// path each call ran and, when the persistent kernel does not fit, why.
#include <cooperative_groups.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "check.cuh"
#include "gemm.cuh"
#include "zengrad_cuda.h"

namespace zengrad::cuda {
namespace {

namespace cg = cooperative_groups;

// ---- cell math, shared by the step-by-step and persistent kernels ------------------------------

__device__ __forceinline__ float sigmoid(float x) { return 1.f / (1.f + expf(-x)); }

struct Gates {
  float i, f, g, o;
};

// From pre-activations z and c_{t-1}: the gates, c_t and h_t.
__device__ __forceinline__ Gates cell_forward(float zi, float zf, float zg, float zo, float c_prev, float& c,
                                              float& h) {
  const Gates a{sigmoid(zi), sigmoid(zf), tanhf(zg), sigmoid(zo)};
  c = a.f * c_prev + a.i * a.g;
  h = a.o * tanhf(c);
  return a;
}

// From dh_t (total), dc_t (carried from step t+1), the saved gates, c_t and c_{t-1}: dz_t (returned
// as a Gates of gradients) and dc_{t-1}.
__device__ __forceinline__ Gates cell_backward(Gates a, float c, float c_prev, float dh, float dc,
                                               float& dc_prev) {
  const float tanh_c = tanhf(c);
  const float dc_total = dc + dh * a.o * (1.f - tanh_c * tanh_c);
  dc_prev = dc_total * a.f;
  return {dc_total * a.g * a.i * (1.f - a.i),     // dz_i = dc·g·σ'(z_i)
          dc_total * c_prev * a.f * (1.f - a.f),  // dz_f = dc·c_{t-1}·σ'(z_f)
          dc_total * a.i * (1.f - a.g * a.g),     // dz_g = dc·i·tanh'(z_g)
          dh * tanh_c * a.o * (1.f - a.o)};       // dz_o = dh·tanh(c)·σ'(z_o)
}

// ---- piece 1: fused pointwise kernels (one thread per (b, j), grid-stride) ----------------------

constexpr int kPointwiseThreads = 256;

unsigned pointwise_blocks(int64_t n) {
  return static_cast<unsigned>(std::min<int64_t>((n + kPointwiseThreads - 1) / kPointwiseThreads, 1 << 20));
}

// gates_t holds the input projection x_t W_ihᵀ on entry and the activations on exit; recurrent holds
// h_{t-1} W_hhᵀ. Both are B×4H.
__global__ void lstm_step_forward_kernel(float* gates_t, const float* __restrict__ recurrent,
                                         const float* __restrict__ bias, const float* __restrict__ c_prev,
                                         float* __restrict__ c_t, float* __restrict__ h_t, int64_t B,
                                         int64_t H) {
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < B * H;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t b = idx / H, j = idx % H;
    float* z = gates_t + b * 4 * H;
    const float* r = recurrent + b * 4 * H;
    float c, h;
    const Gates a = cell_forward(z[j] + r[j] + bias[j], z[H + j] + r[H + j] + bias[H + j],
                                 z[2 * H + j] + r[2 * H + j] + bias[2 * H + j],
                                 z[3 * H + j] + r[3 * H + j] + bias[3 * H + j], c_prev[idx], c, h);
    z[j] = a.i;
    z[H + j] = a.f;
    z[2 * H + j] = a.g;
    z[3 * H + j] = a.o;
    c_t[idx] = c;
    h_t[idx] = h;
  }
}

// dh_rec is the recurrent part of dh_t (dz_{t+1} W_hh, or dh_n at the last step); dc carries dc_t in
// and dc_{t-1} out.
__global__ void lstm_step_backward_kernel(const float* __restrict__ dy_t, const float* __restrict__ dh_rec,
                                          float* __restrict__ dc, const float* __restrict__ gates_t,
                                          const float* __restrict__ c_t, const float* __restrict__ c_prev,
                                          float* __restrict__ dz_t, int64_t B, int64_t H) {
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < B * H;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t b = idx / H, j = idx % H;
    const float* a = gates_t + b * 4 * H;
    float dc_prev;
    const Gates d = cell_backward({a[j], a[H + j], a[2 * H + j], a[3 * H + j]}, c_t[idx], c_prev[idx],
                                  dy_t[idx] + dh_rec[idx], dc[idx], dc_prev);
    float* dz = dz_t + b * 4 * H;
    dz[j] = d.i;
    dz[H + j] = d.f;
    dz[2 * H + j] = d.g;
    dz[3 * H + j] = d.o;
    dc[idx] = dc_prev;
  }
}

// h_prev[t] = h_{t-1} for t = 0..T-1: h0, then o_{t-1} ⊙ tanh(c_{t-1}) recomputed from the saved
// gates and cells (the same expression forward used, so the same values).
__global__ void lstm_hidden_kernel(const float* __restrict__ h0, const float* __restrict__ gates,
                                   const float* __restrict__ cells, float* __restrict__ h_prev, int64_t T,
                                   int64_t B, int64_t H) {
  const int64_t bh = B * H;
  for (int64_t idx = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; idx < T * bh;
       idx += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t t = idx / bh, rem = idx % bh;
    if (t == 0) {
      h_prev[idx] = h0[rem];
    } else {
      const int64_t b = rem / H, j = rem % H;
      const float o = gates[((t - 1) * B + b) * 4 * H + 3 * H + j];
      h_prev[idx] = o * tanhf(cells[(t - 1) * bh + rem]);
    }
  }
}

// dbias = column sums of dz (rows × cols), in two deterministic passes: kColumnSplits partial sums
// per column (split s takes rows s, s + kColumnSplits, ...), then their sum.
constexpr int kColumnSplits = 64;

__global__ void column_sum_partial_kernel(const float* __restrict__ x, float* __restrict__ partial,
                                          int64_t rows, int64_t cols) {
  const int64_t col = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (col >= cols) return;
  float acc = 0.f;
  for (int64_t r = blockIdx.y; r < rows; r += kColumnSplits) acc += x[r * cols + col];
  partial[blockIdx.y * cols + col] = acc;
}

__global__ void column_sum_final_kernel(const float* __restrict__ partial, float* __restrict__ out,
                                        int64_t cols) {
  const int64_t col = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (col >= cols) return;
  float acc = 0.f;
  for (int s = 0; s < kColumnSplits; ++s) acc += partial[s * cols + col];
  out[col] = acc;
}

// ---- piece 3: persistent kernels ---------------------------------------------------------------

constexpr int kPersistentThreads = 256;
constexpr int kMinChunk = 64;    // the activation is staged in chunks of 64·2^n k-values (at most 1024)
constexpr int kMaxChunk = 1024;
constexpr int kMaxItems = 2;     // work items (4×4 output tiles × k-groups) per thread

// How a persistent launch splits the work; the shared memory holds, in floats:
//   w     rows/4 × group_stride   this block's slice of W_hh, zero-padded to a multiple of chunk,
//                                 in groups of 4 rows (row r at (r/4)·group_stride + (r%4)·row_stride)
//   act   b4 × (chunk + 4)        one chunk of the activation (h_{t-1} forward, dz_t backward)
//   part  kgroups × b4 × rows     per-k-group partial sums of act · wᵀ
// Rows are padded by 4 floats, and each group of 4 rows by pad_floats more, so that the float4
// weight reads of the 8 lanes of a shared-memory phase (kgroups consecutive k-quads of
// 8 / kgroups consecutive row groups) fall in 8 distinct bank quads.
struct PersistentLayout {
  int units;       // hidden units per block (U)
  int rows;        // rows of the on-chip slice: 4U forward, U rounded up to 4 backward
  int row_stride;  // floats per slice row
  int group_stride;  // floats per group of 4 slice rows
  int chunk;       // k-values of the activation staged per round (a multiple of 64)
  int kgroups;     // threads splitting the k-sum of one 4×4 output tile
  int b4;          // batch rounded up to 4
  bool vec;        // the activation rows allow float4 loads (row length a multiple of 4)
};

// Where element k of slice row r sits in shared memory.
__device__ __forceinline__ int slice_index(const PersistentLayout& lay, int r, int k) {
  return (r / 4) * lay.group_stride + (r % 4) * lay.row_stride + k;
}

// Extra floats per group of 4 slice rows: row_stride is 4 more than a multiple of 64, so 4 rows span
// 16 banks more than a multiple of 32; the pad makes consecutive groups start 4·kgroups banks apart.
int group_pad_floats(int kgroups) { return ((4 * kgroups - 16) % 32 + 32) % 32; }

struct PersistentPlan {
  PersistentLayout layout{};
  int blocks = 0;
  size_t smem_bytes = 0;
  std::string why_not;  // empty when the plan can run
};

// part[g][b][r] = Σ_{k in group g} act[b, k] · w[r, k] for b < b4, r < rows; act is B×K in global
// memory with row stride ld, written by other blocks of this launch (read with __ldcg, through L2).
// Each work item is a 4×4 tile (4 batch rows × 4 slice rows) and one k-group; its k-values are the
// float4 columns 4g, 4g + 4·kgroups, ... of each chunk, so neighbouring lanes read neighbouring
// float4s. Starts and ends with a block barrier. The sums are chains of fmaf (one FFMA each).
__device__ void block_matvec(const float* act, int64_t ld, int B, int64_t K, const float* w, float* act_s,
                             float* part, const PersistentLayout& lay) {
  const int tid = threadIdx.x;
  const int rtiles = lay.rows / 4;
  const int items = (lay.b4 / 4) * rtiles * lay.kgroups;
  const int act_stride = lay.chunk + 4;
  float acc[kMaxItems][4][4] = {};
  for (int64_t kc = 0; kc < K; kc += lay.chunk) {
    __syncthreads();  // the previous chunk (or the previous user of act_s) is done
    if (lay.vec) {  // K and ld are multiples of 4: a float4 is either wholly inside or wholly past K
      const int quads = lay.chunk / 4;
      for (int idx = tid; idx < lay.b4 * quads; idx += kPersistentThreads) {
        const int b = idx / quads, kk = (idx % quads) * 4;
        const float4 v = (b < B && kc + kk < K)
                             ? __ldcg(reinterpret_cast<const float4*>(act + b * ld + kc + kk))
                             : make_float4(0.f, 0.f, 0.f, 0.f);
        *reinterpret_cast<float4*>(act_s + b * act_stride + kk) = v;
      }
    } else {
      for (int idx = tid; idx < lay.b4 * lay.chunk; idx += kPersistentThreads) {
        const int b = idx / lay.chunk, kk = idx % lay.chunk;
        act_s[b * act_stride + kk] = (b < B && kc + kk < K) ? __ldcg(act + b * ld + kc + kk) : 0.f;
      }
    }
    __syncthreads();
#pragma unroll
    for (int s = 0; s < kMaxItems; ++s) {
      const int item = tid + s * kPersistentThreads;
      if (item < items) {
        const int g = item % lay.kgroups, tile = item / lay.kgroups;
        const float* a_rows = act_s + (tile / rtiles) * 4 * act_stride;
        const float* w_rows = w + static_cast<int64_t>(tile % rtiles) * lay.group_stride + kc;
        for (int kk = 4 * g; kk < lay.chunk; kk += 4 * lay.kgroups) {
          float4 av[4], wv[4];
#pragma unroll
          for (int e = 0; e < 4; ++e) {
            av[e] = *reinterpret_cast<const float4*>(a_rows + e * act_stride + kk);
            wv[e] = *reinterpret_cast<const float4*>(w_rows + e * lay.row_stride + kk);
          }
#pragma unroll
          for (int e = 0; e < 4; ++e)
#pragma unroll
            for (int q = 0; q < 4; ++q) {
              float sum = acc[s][e][q];
              sum = fmaf(av[e].x, wv[q].x, sum);
              sum = fmaf(av[e].y, wv[q].y, sum);
              sum = fmaf(av[e].z, wv[q].z, sum);
              acc[s][e][q] = fmaf(av[e].w, wv[q].w, sum);
            }
        }
      }
    }
  }
#pragma unroll
  for (int s = 0; s < kMaxItems; ++s) {
    const int item = tid + s * kPersistentThreads;
    if (item < items) {
      const int g = item % lay.kgroups, tile = item / lay.kgroups;
      const int b = (tile / rtiles) * 4, r = (tile % rtiles) * 4;
#pragma unroll
      for (int e = 0; e < 4; ++e)
        *reinterpret_cast<float4*>(part + (g * lay.b4 + b + e) * lay.rows + r) =
            make_float4(acc[s][e][0], acc[s][e][1], acc[s][e][2], acc[s][e][3]);
    }
  }
  __syncthreads();
}

struct PersistentForwardParams {
  const float *w_hh, *bias, *h0, *c0;
  float *gates, *y, *cells;  // gates holds x W_ihᵀ on entry
  int T, B, H;
  PersistentLayout lay;
};

__global__ void __launch_bounds__(kPersistentThreads, 1) lstm_persistent_forward_kernel(PersistentForwardParams p) {
  extern __shared__ float4 smem4[];
  const PersistentLayout lay = p.lay;
  float* w = reinterpret_cast<float*>(smem4);
  float* act_s = w + (lay.rows / 4) * lay.group_stride;
  float* part = act_s + lay.b4 * (lay.chunk + 4);
  cg::grid_group grid = cg::this_grid();
  const int64_t H = p.H, B = p.B, bh = B * H;
  const int j0 = blockIdx.x * lay.units;
  const int units = min(lay.units, p.H - j0);
  // Slice row jl·4 + q is W_hh row q·H + j0 + jl (gate q of unit j0 + jl); zero past H.
  for (int idx = threadIdx.x; idx < lay.rows * lay.row_stride; idx += kPersistentThreads) {
    const int r = idx / lay.row_stride, k = idx % lay.row_stride;
    const int jl = r / 4, q = r % 4;
    w[slice_index(lay, r, k)] = (jl < units && k < p.H) ? __ldg(p.w_hh + (q * H + j0 + jl) * H + k) : 0.f;
  }
  for (int t = 0; t < p.T; ++t) {
    const float* h_prev = t == 0 ? p.h0 : p.y + (t - 1) * bh;
    block_matvec(h_prev, H, p.B, H, w, act_s, part, lay);
    for (int e = threadIdx.x; e < p.B * units; e += kPersistentThreads) {
      const int b = e / units, jl = e % units;
      const int64_t j = j0 + jl;
      float z[4];
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        float sum = 0.f;
        for (int g = 0; g < lay.kgroups; ++g) sum += part[(g * lay.b4 + b) * lay.rows + jl * 4 + q];
        z[q] = sum + p.gates[(t * B + b) * 4 * H + q * H + j] + __ldg(p.bias + q * H + j);
      }
      const float c_prev = t == 0 ? __ldg(p.c0 + b * H + j) : p.cells[(t - 1) * bh + b * H + j];
      float c, h;
      const Gates a = cell_forward(z[0], z[1], z[2], z[3], c_prev, c, h);
      float* out = p.gates + (t * B + b) * 4 * H + j;
      out[0] = a.i;
      out[H] = a.f;
      out[2 * H] = a.g;
      out[3 * H] = a.o;
      p.cells[t * bh + b * H + j] = c;
      p.y[t * bh + b * H + j] = h;
    }
    grid.sync();  // h_t of every unit is written before any block reads it in step t + 1
  }
}

struct PersistentBackwardParams {
  const float *dy, *w_hh, *gates, *cells, *c0;
  float *dz, *dh, *dc;  // dh, dc hold dh_n, dc_n on entry and dh0, dc0 on exit
  int T, B, H;
  PersistentLayout lay;
};

__global__ void __launch_bounds__(kPersistentThreads, 1) lstm_persistent_backward_kernel(PersistentBackwardParams p) {
  extern __shared__ float4 smem4[];
  const PersistentLayout lay = p.lay;
  float* w = reinterpret_cast<float*>(smem4);
  float* act_s = w + (lay.rows / 4) * lay.group_stride;
  float* part = act_s + lay.b4 * (lay.chunk + 4);
  cg::grid_group grid = cg::this_grid();
  const int64_t H = p.H, B = p.B, bh = B * H, four_h = 4 * H;
  const int j0 = blockIdx.x * lay.units;
  const int units = min(lay.units, p.H - j0);
  // Slice row jl is column j0 + jl of W_hh (length 4H); zero past the block's units and past 4H.
  for (int idx = threadIdx.x; idx < lay.rows * lay.row_stride; idx += kPersistentThreads) {
    const int jl = idx / lay.row_stride, k = idx % lay.row_stride;
    w[slice_index(lay, jl, k)] = (jl < units && k < four_h) ? __ldg(p.w_hh + k * H + j0 + jl) : 0.f;
  }
  for (int t = p.T - 1; t >= 0; --t) {
    for (int e = threadIdx.x; e < p.B * units; e += kPersistentThreads) {
      const int b = e / units, jl = e % units;
      const int64_t j = j0 + jl, at = b * H + j;
      const float* a = p.gates + (t * B + b) * four_h + j;
      const float c_prev = t == 0 ? __ldg(p.c0 + at) : __ldg(p.cells + (t - 1) * bh + at);
      float dc_prev;
      const Gates d = cell_backward({__ldg(a), __ldg(a + H), __ldg(a + 2 * H), __ldg(a + 3 * H)},
                                    __ldg(p.cells + t * bh + at), c_prev, __ldg(p.dy + t * bh + at) + p.dh[at],
                                    p.dc[at], dc_prev);
      float* dz = p.dz + (t * B + b) * four_h + j;
      dz[0] = d.i;
      dz[H] = d.f;
      dz[2 * H] = d.g;
      dz[3 * H] = d.o;
      p.dc[at] = dc_prev;
    }
    grid.sync();  // dz_t of every unit is written before any block multiplies it
    block_matvec(p.dz + t * B * four_h, four_h, p.B, four_h, w, act_s, part, lay);
    for (int e = threadIdx.x; e < p.B * units; e += kPersistentThreads) {
      const int b = e / units, jl = e % units;
      float sum = 0.f;
      for (int g = 0; g < lay.kgroups; ++g) sum += part[(g * lay.b4 + b) * lay.rows + jl];
      p.dh[b * H + j0 + jl] = sum;  // read back in step t - 1 by this same thread
    }
  }
}

// ---- planning the persistent launch ------------------------------------------------------------

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

PersistentPlan plan_persistent(bool backward, LstmSizes s) {
  PersistentPlan plan;
  if (s.T == 0 || s.B == 0 || s.H == 0) {
    plan.why_not = "nothing to run (T, B or H is 0)";
    return plan;
  }
  int device = 0, cooperative = 0, sms = 0, smem_optin = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  check(cudaDeviceGetAttribute(&cooperative, cudaDevAttrCooperativeLaunch, device), "cudaDeviceGetAttribute");
  check(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device), "cudaDeviceGetAttribute");
  check(cudaDeviceGetAttribute(&smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, device),
        "cudaDeviceGetAttribute");
  if (!cooperative) {
    plan.why_not = "the device does not support cooperative launches";
    return plan;
  }
  const void* kernel = backward ? reinterpret_cast<const void*>(&lstm_persistent_backward_kernel)
                                : reinterpret_cast<const void*>(&lstm_persistent_forward_kernel);
  const int64_t K = backward ? 4 * s.H : s.H;
  const int64_t b4 = round_up(s.B, 4);
  // One block per multiprocessor at most: every block reads the whole activation from L2 each step,
  // so more blocks than multiprocessors would add L2 traffic without adding FMA throughput. Fewer
  // blocks trade FMA throughput for L2 traffic; ZENGRAD_LSTM_PERSISTENT_BLOCKS caps the count for
  // tuning runs (kernels/cuda/NOTES.md).
  int64_t max_blocks = sms;
  if (const char* cap = std::getenv("ZENGRAD_LSTM_PERSISTENT_BLOCKS")) {
    const long value = std::strtol(cap, nullptr, 10);
    if (value > 0) max_blocks = std::min<int64_t>(max_blocks, value);
  }
  const int64_t units = (s.H + max_blocks - 1) / max_blocks;
  const int64_t rows = backward ? round_up(units, 4) : 4 * units;
  const int64_t tiles = (b4 / 4) * (rows / 4);
  if (tiles > static_cast<int64_t>(kMaxItems) * kPersistentThreads) {
    plan.why_not = "the batch is too large for the persistent kernel's register tiles";
    return plan;
  }
  int64_t kgroups = 1;
  while (2 * kgroups * tiles <= kPersistentThreads && 2 * kgroups <= kMinChunk / 4) kgroups *= 2;
  // The largest activation chunk that fits next to the weights: fewer barriers per step.
  const int64_t k_padded = round_up(K, kMinChunk);
  int64_t bytes = 0, chunk = 0;
  for (int64_t c = std::min<int64_t>(kMaxChunk, k_padded); c >= kMinChunk; c = round_up(c / 2, kMinChunk)) {
    const int64_t floats = (rows / 4) * (4 * (round_up(K, c) + 4) + group_pad_floats(static_cast<int>(kgroups))) +
                           b4 * (c + 4) + kgroups * b4 * rows;
    bytes = floats * static_cast<int64_t>(sizeof(float));
    if (bytes <= smem_optin) {
      chunk = c;
      break;
    }
    if (c == kMinChunk) break;
  }
  if (chunk == 0) {
    plan.why_not = "the working set does not fit in shared memory: " + std::to_string(units) +
                   " hidden units per block (their W_hh slice, a 64-wide chunk of the batch's activations and "
                   "the partial sums) need " + std::to_string(bytes) + " bytes; a block may have " +
                   std::to_string(smem_optin);
    return plan;
  }
  const int64_t blocks = (s.H + units - 1) / units;
  // Allow the device's maximum once and for all (not this call's size: another host thread may be
  // about to launch with a larger one); the launch itself asks for `bytes`.
  check(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, smem_optin),
        "cudaFuncSetAttribute(MaxDynamicSharedMemorySize)");
  int per_sm = 0;
  check(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, kernel, kPersistentThreads, static_cast<size_t>(bytes)),
        "cudaOccupancyMaxActiveBlocksPerMultiprocessor");
  if (blocks > static_cast<int64_t>(per_sm) * sms) {
    plan.why_not = "the blocks do not all fit on the device at once";
    return plan;
  }
  const int row_stride = static_cast<int>(round_up(K, chunk) + 4);
  // The activation rows (h: H floats, dz: 4H floats) allow float4 loads when their length is a
  // multiple of 4: always backward, forward when H is.
  plan.layout = {static_cast<int>(units), static_cast<int>(rows), row_stride,
                 4 * row_stride + group_pad_floats(static_cast<int>(kgroups)), static_cast<int>(chunk),
                 static_cast<int>(kgroups), static_cast<int>(b4), backward || s.H % 4 == 0};
  plan.blocks = static_cast<int>(blocks);
  plan.smem_bytes = static_cast<size_t>(bytes);
  return plan;
}

// Launches a planned persistent kernel. Returns false (and clears the error) only when the driver
// refuses the grid as too large for co-residency (e.g. another process holds multiprocessors).
template <class Params>
bool launch_persistent(void (*kernel)(Params), const PersistentPlan& plan, Params& params, cudaStream_t stream,
                       const char* what) {
  void* args[] = {&params};
  const cudaError_t status =
      cudaLaunchCooperativeKernel(kernel, dim3(plan.blocks), dim3(kPersistentThreads), args, plan.smem_bytes, stream);
  if (status == cudaErrorCooperativeLaunchTooLarge) {
    cudaGetLastError();
    return false;
  }
  check(status, what);
  check_launch(what);
  return true;
}

bool aligned16(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

void copy_async(float* dst, const float* src, int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  check(cudaMemcpyAsync(dst, src, count * sizeof(float), cudaMemcpyDeviceToDevice, stream), "cudaMemcpyAsync");
}

}  // namespace

int64_t lstm_workspace_floats(bool backward, LstmSizes s) {
  // forward: the recurrent GEMM result of one step, and the split-k partials of that GEMM
  if (!backward) return s.B * 4 * s.H + gemm_workspace_floats(s.B, 4 * s.H);
  const int64_t rows = s.T * s.B;
  // dz, h_prev, column partial sums, split-k partials of dh = dz_t W_hh
  return rows * 4 * s.H + rows * s.H + kColumnSplits * 4 * s.H + gemm_workspace_floats(s.B, s.H);
}

std::string lstm_persistent_status(bool backward, LstmSizes s) { return plan_persistent(backward, s).why_not; }

std::string lstm_forward(const LstmForwardArgs& p, LstmSizes s, LstmMode mode, std::uintptr_t stream_handle) {
  const auto stream = reinterpret_cast<cudaStream_t>(stream_handle);
  const int64_t T = s.T, B = s.B, I = s.I, H = s.H, bh = B * H, rows = T * B;
  if (T == 0 || bh == 0) {
    copy_async(p.h_n, p.h0, bh, stream);
    copy_async(p.c_n, p.c0, bh, stream);
    return "none";
  }
  PersistentPlan plan;
  if (mode != LstmMode::kStepwise) {
    plan = plan_persistent(false, s);
    plan.layout.vec = plan.layout.vec && aligned16(p.h0) && aligned16(p.y);
    if (mode == LstmMode::kPersistent && !plan.why_not.empty())
      throw std::invalid_argument("lstm_forward: persistent kernel unavailable: " + plan.why_not);
  }
  // The input projection of every step at once, straight into the gates buffer.
  gemm(p.x, p.w_ih, p.gates, rows, 4 * H, I, false, true, stream);
  std::string path = "stepwise";
  bool done = false;
  if (mode != LstmMode::kStepwise && plan.why_not.empty()) {
    PersistentForwardParams params{p.w_hh, p.bias, p.h0, p.c0, p.gates, p.y, p.cells,
                                   static_cast<int>(T), static_cast<int>(B), static_cast<int>(H), plan.layout};
    done = launch_persistent(lstm_persistent_forward_kernel, plan, params, stream, "lstm_persistent_forward_kernel");
    if (!done && mode == LstmMode::kPersistent)
      throw std::runtime_error("lstm_forward: the device refused the cooperative launch (too many blocks)");
    if (done) path = "persistent";
  }
  if (!done) {
    for (int64_t t = 0; t < T; ++t) {
      const float* h_prev = t == 0 ? p.h0 : p.y + (t - 1) * bh;
      const float* c_prev = t == 0 ? p.c0 : p.cells + (t - 1) * bh;
      gemm(h_prev, p.w_hh, p.workspace, B, 4 * H, H, false, true, stream, p.workspace + B * 4 * H,
           gemm_workspace_floats(B, 4 * H));
      lstm_step_forward_kernel<<<pointwise_blocks(bh), kPointwiseThreads, 0, stream>>>(
          p.gates + t * B * 4 * H, p.workspace, p.bias, c_prev, p.cells + t * bh, p.y + t * bh, B, H);
      check_launch("lstm_step_forward_kernel");
    }
  }
  copy_async(p.h_n, p.y + (T - 1) * bh, bh, stream);
  copy_async(p.c_n, p.cells + (T - 1) * bh, bh, stream);
  return path;
}

std::string lstm_backward(const LstmBackwardArgs& p, LstmSizes s, LstmMode mode, std::uintptr_t stream_handle) {
  const auto stream = reinterpret_cast<cudaStream_t>(stream_handle);
  const int64_t T = s.T, B = s.B, I = s.I, H = s.H, bh = B * H, rows = T * B, four_h = 4 * H;
  float* dz = p.workspace;                     // rows × 4H
  float* h_prev = dz + rows * four_h;          // rows × H
  float* partial = h_prev + rows * H;          // kColumnSplits × 4H
  float* split_k = partial + kColumnSplits * four_h;  // gemm_workspace_floats(B, H)
  // dh0 and dc0 carry the running gradients through the loop.
  copy_async(p.dh0, p.dh_n, bh, stream);
  copy_async(p.dc0, p.dc_n, bh, stream);
  std::string path = "none";
  if (T > 0 && bh > 0) {
    PersistentPlan plan;
    if (mode != LstmMode::kStepwise) {
      plan = plan_persistent(true, s);
      plan.layout.vec = plan.layout.vec && aligned16(dz);
      if (mode == LstmMode::kPersistent && !plan.why_not.empty())
        throw std::invalid_argument("lstm_backward: persistent kernel unavailable: " + plan.why_not);
    }
    bool done = false;
    if (mode != LstmMode::kStepwise && plan.why_not.empty()) {
      PersistentBackwardParams params{p.dy, p.w_hh, p.gates, p.cells, p.c0, dz, p.dh0, p.dc0,
                                      static_cast<int>(T), static_cast<int>(B), static_cast<int>(H), plan.layout};
      done = launch_persistent(lstm_persistent_backward_kernel, plan, params, stream,
                               "lstm_persistent_backward_kernel");
      if (!done && mode == LstmMode::kPersistent)
        throw std::runtime_error("lstm_backward: the device refused the cooperative launch (too many blocks)");
      if (done) path = "persistent";
    }
    if (!done) {
      path = "stepwise";
      for (int64_t t = T - 1; t >= 0; --t) {
        const float* c_prev = t == 0 ? p.c0 : p.cells + (t - 1) * bh;
        float* dz_t = dz + t * B * four_h;
        lstm_step_backward_kernel<<<pointwise_blocks(bh), kPointwiseThreads, 0, stream>>>(
            p.dy + t * bh, p.dh0, p.dc0, p.gates + t * B * four_h, p.cells + t * bh, c_prev, dz_t, B, H);
        check_launch("lstm_step_backward_kernel");
        gemm(dz_t, p.w_hh, p.dh0, B, H, four_h, false, false, stream, split_k,
             gemm_workspace_floats(B, H));  // dh_{t-1} = dz_t W_hh
      }
    }
  }
  // Weight and input gradients as large GEMMs over all T·B rows at once.
  if (rows * H > 0) {
    lstm_hidden_kernel<<<pointwise_blocks(rows * H), kPointwiseThreads, 0, stream>>>(p.h0, p.gates, p.cells, h_prev,
                                                                                   T, B, H);
    check_launch("lstm_hidden_kernel");
  }
  gemm(dz, p.x, p.dw_ih, four_h, I, rows, true, false, stream);      // dW_ih = dzᵀ x
  gemm(dz, h_prev, p.dw_hh, four_h, H, rows, true, false, stream);   // dW_hh = dzᵀ h_prev
  gemm(dz, p.w_ih, p.dx, rows, I, four_h, false, false, stream);     // dx = dz W_ih
  if (four_h > 0) {
    const unsigned col_blocks = static_cast<unsigned>((four_h + kPointwiseThreads - 1) / kPointwiseThreads);
    column_sum_partial_kernel<<<dim3(col_blocks, kColumnSplits), kPointwiseThreads, 0, stream>>>(dz, partial, rows,
                                                                                               four_h);
    check_launch("column_sum_partial_kernel");
    column_sum_final_kernel<<<col_blocks, kPointwiseThreads, 0, stream>>>(partial, p.dbias, four_h);
    check_launch("column_sum_final_kernel");
  }
  return path;
}

}  // namespace zengrad::cuda
