#include "threads.h"

#include <pthread.h>

#include <atomic>
#include <stdexcept>
#include <string>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace zengrad::cpu {

namespace {

std::atomic<bool> in_forked_child{false};
std::atomic<int> chosen_threads{0};  // 0: OpenMP's default
std::atomic<int64_t> threshold{kParallelThreshold};

void mark_forked_child() { in_forked_child.store(true, std::memory_order_relaxed); }

// Registered when the library loads, so it covers every fork() that comes after.
const int fork_handler_registered = pthread_atfork(nullptr, nullptr, mark_forked_child);

}  // namespace

int max_threads() {
  (void)fork_handler_registered;
#ifdef _OPENMP
  if (omp_in_parallel()) return 1;
  if (!in_forked_child.load(std::memory_order_relaxed)) {
    const int chosen = chosen_threads.load(std::memory_order_relaxed);
    return chosen > 0 ? chosen : omp_get_max_threads();
  }
#endif
  return 1;
}

void set_max_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads: the thread count must be >= 1, got " + std::to_string(n));
  chosen_threads.store(n, std::memory_order_relaxed);
}

int64_t parallel_threshold() { return threshold.load(std::memory_order_relaxed); }

void set_parallel_threshold(int64_t work) {
  if (work < 0)
    throw std::invalid_argument("set_parallel_threshold: the work must be >= 0, got " + std::to_string(work));
  threshold.store(work, std::memory_order_relaxed);
}

int threads_for(int64_t work) { return work < parallel_threshold() ? 1 : max_threads(); }

}  // namespace zengrad::cpu
