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

#include <immintrin.h>

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

// Runs kRound steps of kChains FMAs of `lanes` floats; returns a value depending on all of them.
__attribute__((target("avx512f"))) float fma_round_avx512(float seed) {
  __m512 acc[kChains];
  const __m512 x = _mm512_set1_ps(0.999999f), y = _mm512_set1_ps(1e-7f);
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(seed + c);
  for (int64_t s = 0; s < kRound; ++s)
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], x, y);
  for (int c = 1; c < kChains; ++c) acc[0] = _mm512_add_ps(acc[0], acc[c]);
  return _mm512_reduce_add_ps(acc[0]);
}

__attribute__((target("avx2,fma"))) float fma_round_avx2(float seed) {
  __m256 acc[kChains];
  const __m256 x = _mm256_set1_ps(0.999999f), y = _mm256_set1_ps(1e-7f);
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(seed + c);
  for (int64_t s = 0; s < kRound; ++s)
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], x, y);
  alignas(32) float lanes[8];
  for (int c = 1; c < kChains; ++c) acc[0] = _mm256_add_ps(acc[0], acc[c]);
  _mm256_store_ps(lanes, acc[0]);
  float sum = 0;
  for (float v : lanes) sum += v;
  return sum;
}

// Baseline x86-64 has no FMA: a multiply and an add on 4-wide SSE vectors, which the compiler
// makes of this loop.
float fma_round_portable(float seed) {
  float acc[kChains][4];
  for (int c = 0; c < kChains; ++c)
    for (float& v : acc[c]) v = seed + c;
  for (int64_t s = 0; s < kRound; ++s)
    for (int c = 0; c < kChains; ++c)
      for (float& v : acc[c]) v = v * 0.999999f + 1e-7f;
  float sum = 0;
  for (int c = 0; c < kChains; ++c)
    for (float v : acc[c]) sum += v;
  return sum;
}

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
