// CPU matrix multiplication kernels: C = op(A) · op(B), float32, row-major, contiguous.
// op(A) is A (M×K) or, with trans_a, the transpose of a stored K×M matrix; likewise op(B) is K×N.
// No Python headers here: bindings/ validates arguments and releases the GIL.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// The textbook triple loop in i-k-j order (the inner loop walks rows of B and C contiguously).
// It is the correctness reference for the fast kernels, not a fast kernel itself.
void matmul_reference(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                      bool trans_a, bool trans_b);

// CPU vector extensions this processor supports, as a space-separated list ("avx512f avx2 fma").
const char* cpu_features();

}  // namespace zengrad::cpu
