// Multi-head self-attention of a sequence on itself, from its packed projections, forward and
// backward, on the CPU (kernels/cpu/attention.cpp). Float32, C-contiguous:
//
//   qkv (N, L, 3E): [Q | K | V], each split into h heads of width d = E/h;
//   W_i = softmax(c · Q_i K_iᵀ + M) per batch entry and head, out = [W_1 V_1 … W_h V_h]  (N, L, E),
//
// with M the causal mask (0 for j ≤ i, −∞ for j > i) when `causal`, else no mask. The weights are
// written to `weights` (N, h, L, L), zero above the diagonal when causal, for backward:
//
//   ∂V = Wᵀ G,   ∂W = G Vᵀ,   ∂S = W ⊙ (∂W − rowsum(∂W ⊙ W)),   ∂Q = c ∂S K,   ∂K = c ∂Sᵀ Q,
//
// written into one (N, L, 3E) gradient in qkv's layout. Backward reads only the weights, so with
// causal = false it serves any mask that was folded into them (zeros where masked).
// No Python headers here: bindings/ validates arguments, allocates outputs and releases the GIL.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// out[N,L,E] and weights[N,h,L,L] (caller-allocated) from qkv[N,L,3E]; E = heads · d.
void self_attention_forward(int64_t n, int64_t length, int64_t heads, int64_t d, float scale, bool causal,
                            const float* qkv, float* out, float* weights);

// grad[N,L,3E] (caller-allocated) from qkv, forward's weights and the gradient g[N,L,E] of out.
void self_attention_backward(int64_t n, int64_t length, int64_t heads, int64_t d, float scale, bool causal,
                             const float* qkv, const float* weights, const float* g, float* grad);

}  // namespace zengrad::cpu
