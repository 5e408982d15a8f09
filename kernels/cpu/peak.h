// The machine's own ceilings, measured rather than taken from a data sheet: how many float32
// multiply-adds per second the cores can issue, and how fast memory streams into them. A kernel's
// "% of peak" is read against these (`zengrad bench matmul --ladder`), so it can never pass 100%
// the way a percentage of /proc/cpuinfo's base clock can (turbo clocks run faster than it).
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// float32 GFLOP/s (2 per multiply-add) of a loop of independent FMA instructions on the widest
// vectors this CPU runs (matmul's best_isa()), on `threads` threads (0: max_threads()), over
// about `seconds`: the sum over threads of each one's fastest few-millisecond window. Each thread
// keeps enough independent accumulators in flight to hide the FMA latency, so the loop measures
// throughput: what a perfect matmul micro-kernel could reach.
double fma_peak_gflops(int threads, double seconds);

// Read bandwidth from memory in GB/s: the sum of a buffer of `bytes` (make it several times the
// last-level cache), on `threads` threads (0: max_threads()); the best of `repeats` passes.
double memory_read_gbs(int64_t bytes, int threads, int repeats);

}  // namespace zengrad::cpu
