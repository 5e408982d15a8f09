// Peak probes (peak.h). Idea: a matmul micro-kernel is a stream of FMA instructions on registers;
// the fastest such stream this CPU can run, with no memory traffic at all, is the compute roof.
// The FMA loop keeps 12 independent accumulators (an FMA has a latency of about 4 cycles and two
// can start per cycle, so at least 8 must be in flight) and runs them for a fixed count many times
// over, timed in windows of a few milliseconds: the fastest window counts, because on a shared
// machine other processes can only slow a window down, never speed it up. The memory probe sums a buffer far larger than the caches with 8 independent partial sums.
// Measured values: benchmarks/results/ladder.md and `zengrad bench matmul --ladder`.
#include "peak.h"

#include "matmul.h"
#include "threads.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace zengrad::cpu {

namespace {

constexpr int kChains = 12;           // independent accumulators
constexpr int64_t kRound = 1 << 14;   // FMA steps per call of a round function
constexpr int kWindowRounds = 16;     // rounds per timed window (~1-3 ms)

using Clock = std::chrono::steady_clock;

// Runs kRound steps of kChains multiply-adds on vectors of LANES floats (a GCC/Clang vector type)
// and returns a value that depends on all of them, so the compiler cannot drop any. Inlined into
// the three functions below, each compiled for its instruction set: there the multiply and add
// become one FMA instruction on AVX2 and AVX-512 (GCC contracts them: -ffp-contract=fast is its
// default in the GNU dialect the build uses), and two SSE instructions on
// baseline x86-64, which has no FMA.
template <int LANES> struct VectorOf;  // (GCC ignores vector_size on a type that depends on LANES)
template <> struct VectorOf<4> { typedef float type __attribute__((vector_size(16))); };
template <> struct VectorOf<8> { typedef float type __attribute__((vector_size(32))); };
template <> struct VectorOf<16> { typedef float type __attribute__((vector_size(64))); };

template <int LANES>
__attribute__((always_inline)) inline float multiply_add_round(float seed) {
  using Vec = typename VectorOf<LANES>::type;
  Vec acc[kChains];
  const Vec x = Vec{} + 0.999999f, y = Vec{} + 1e-7f;
  for (int c = 0; c < kChains; ++c) acc[c] = Vec{} + (seed + c);
  for (int64_t s = 0; s < kRound; ++s)
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * x + y;
  float sum = 0;
  for (int c = 0; c < kChains; ++c)
    for (int l = 0; l < LANES; ++l) sum += acc[c][l];
  return sum;
}

__attribute__((target("avx512f"))) float fma_round_avx512(float seed) { return multiply_add_round<16>(seed); }
__attribute__((target("avx2,fma"))) float fma_round_avx2(float seed) { return multiply_add_round<8>(seed); }
float fma_round_portable(float seed) { return multiply_add_round<4>(seed); }

struct FmaLoop {
  float (*round)(float);
  int lanes;
};

FmaLoop fma_loop() {
  if (isa_supported(Isa::Avx512)) return {fma_round_avx512, 16};
  if (isa_supported(Isa::Avx2)) return {fma_round_avx2, 8};
  return {fma_round_portable, 4};
}

int resolved(int threads) { return threads > 0 ? threads : max_threads(); }

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

double fma_peak_gflops(int threads, double seconds) {
  const FmaLoop loop = fma_loop();
  const int team = resolved(threads);
  const double flops_per_round = 2.0 * loop.lanes * kChains * kRound;
  std::vector<double> best(team, 0.0);  // each thread's fastest window, in rounds per second
  volatile float sink = 0;
#pragma omp parallel num_threads(team) if (team > 1)
  {
#ifdef _OPENMP
    const int self = omp_get_thread_num();
#else
    const int self = 0;
#endif
    float value = 0;
    const auto start = Clock::now();
    while (seconds_since(start) < seconds) {
      const auto window = Clock::now();
      for (int r = 0; r < kWindowRounds; ++r) value += loop.round(value * 1e-9f + self);
      best[self] = std::max(best[self], kWindowRounds / seconds_since(window));
    }
    sink = sink + value;
  }
  double total = 0;
  for (double rate : best) total += rate;
  return flops_per_round * total / 1e9;
}

double memory_read_gbs(int64_t bytes, int threads, int repeats) {
  const int64_t count = std::max<int64_t>(bytes / static_cast<int64_t>(sizeof(float)), 64) / 64 * 64;
  std::unique_ptr<float[]> data(new float[count]);
  const int team = resolved(threads);
#pragma omp parallel for num_threads(team) if (team > 1) schedule(static)
  for (int64_t i = 0; i < count; ++i) data[i] = 1.0f;  // each thread touches the pages it reads
  double best = 0;
  volatile float sink = 0;
  for (int r = 0; r < std::max(repeats, 1); ++r) {
    float total = 0;
    const auto start = Clock::now();
#pragma omp parallel for num_threads(team) if (team > 1) schedule(static) reduction(+ : total)
    for (int64_t block = 0; block < count; block += 64) {
      float partial[8] = {};
      for (int64_t i = block; i < block + 64; i += 8)
        for (int l = 0; l < 8; ++l) partial[l] += data[i + l];
      for (float v : partial) total += v;
    }
    const double elapsed = seconds_since(start);
    sink = sink + total;
    best = std::max(best, static_cast<double>(count) * sizeof(float) / elapsed / 1e9);
  }
  return best;
}

}  // namespace zengrad::cpu
