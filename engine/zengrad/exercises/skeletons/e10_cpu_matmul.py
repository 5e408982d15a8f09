"""Exercise 10: a blocked matmul in C++, compiled on the fly (fill in the TODO in CPP_SOURCE).

Check it with:  zengrad exercise check 10 --file e10_cpu_matmul.py
The checker compiles CPP_SOURCE with your system's C++ compiler (``$CXX``, else c++/g++/clang++).
"""

CPP_SOURCE = r"""
#include <algorithm>

// C (M x N) = A (M x K) @ B (K x N), all row-major float32. Overwrite every entry of C.
extern "C" void matmul(const float* A, const float* B, float* C, int M, int N, int K) {
    // TODO: zero C, then loop over blocks of K and N (e.g. 64 x 256) so that a block of B stays in
    // cache while every row of A uses it; the innermost loop walks a row of B and of C (unit stride).
}
"""
