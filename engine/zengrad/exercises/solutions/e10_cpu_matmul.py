"""Reference solution of exercise 10: block K and N, stream rows of B into rows of C (i-k-j order)."""

CPP_SOURCE = r"""
#include <algorithm>

extern "C" void matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    const int KB = 64, NB = 256;
    std::fill(C, C + static_cast<long>(M) * N, 0.0f);
    for (int k0 = 0; k0 < K; k0 += KB) {
        const int k1 = std::min(K, k0 + KB);
        for (int n0 = 0; n0 < N; n0 += NB) {
            const int n1 = std::min(N, n0 + NB);
            for (int i = 0; i < M; ++i) {
                float* c = C + static_cast<long>(i) * N;
                for (int k = k0; k < k1; ++k) {
                    const float a = A[static_cast<long>(i) * K + k];
                    const float* b = B + static_cast<long>(k) * N;
                    for (int j = n0; j < n1; ++j) c[j] += a * b[j];
                }
            }
        }
    }
}
"""
