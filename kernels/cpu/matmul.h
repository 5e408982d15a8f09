// CPU matrix multiplication kernels: C = op(A) · op(B), float32, row-major, contiguous.
// op(A) is A (M×K) or, with trans_a, the transpose of a stored K×M matrix; likewise op(B) is K×N.
// No Python headers here: bindings/ validates arguments and releases the GIL.
#pragma once
#include <cstdint>
#include <memory>

namespace zengrad::cpu {

// The textbook triple loop in i-k-j order (the inner loop walks rows of B and C contiguously).
// It is the correctness reference for the fast kernels, not a fast kernel itself.
void matmul_reference(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k,
                      bool trans_a, bool trans_b);

// CPU vector extensions this processor supports, as a space-separated list ("avx512f avx2 fma").
const char* cpu_features();

// Instruction sets the fast matmul can run on. Auto picks the best one this CPU supports.
enum class Isa { Auto, Avx512, Avx2, Portable };

// The names of the explicit paths, best first ("avx512", "avx2", "portable"): the one list that
// Python (kernels_cpu.py registers cpu:<name> for each) and the error messages are made from.
const char* const* isa_names();
constexpr int kIsaCount = 3;

// "auto" or one of isa_names() -> Isa; throws std::invalid_argument for anything else.
Isa parse_isa(const char* name);

// Whether this CPU can run the given path (Auto and Portable always can).
bool isa_supported(Isa isa);

// The path Auto resolves to on this CPU, as a name ("avx512", "avx2" or "portable").
const char* best_isa();

// The fast matmul (kernels/cpu/matmul.cpp): packing + register-blocked micro-kernel, OpenMP.
// With accumulate, C += op(A)·op(B); otherwise C is overwritten (and zeroed when k == 0).
// `threads` caps the thread count (0: max_threads(); 1 is the ladder's one-thread "simd" rung).
// Throws std::invalid_argument for negative sizes and std::runtime_error for an ISA the CPU lacks.
void matmul(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool trans_a,
            bool trans_b, Isa isa = Isa::Auto, bool accumulate = false, int threads = 0);

// op(B) (k×n) packed once, in the order the micro-kernel of `isa` reads it, for many products with
// different A: an RNN multiplies by the same recurrent weights at every step.
class PackedMatrix {
 public:
  PackedMatrix(const float* b, int64_t k, int64_t n, bool trans_b, Isa isa = Isa::Auto);
  int64_t rows() const { return k_; }
  int64_t cols() const { return n_; }
  Isa isa() const { return isa_; }
  const float* data() const { return data_; }

 private:
  Isa isa_;
  int64_t k_, n_;
  std::unique_ptr<float[]> storage_;
  float* data_ = nullptr;  // storage_ aligned to 64 bytes
};

// C (m×n, =|+=) op(A) · B for a pre-packed B; the same kernel as matmul above, minus packing B.
void matmul(const float* a, const PackedMatrix& b, float* c, int64_t m, bool trans_a,
            bool accumulate = false);

}  // namespace zengrad::cpu
