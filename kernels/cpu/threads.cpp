#include "threads.h"

#include <pthread.h>

#include <atomic>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace zengrad::cpu {

namespace {

std::atomic<bool> in_forked_child{false};

void mark_forked_child() { in_forked_child.store(true, std::memory_order_relaxed); }

// Registered when the library loads, so it covers every fork() that comes after.
const int fork_handler_registered = pthread_atfork(nullptr, nullptr, mark_forked_child);

}  // namespace

int max_threads() {
  (void)fork_handler_registered;
#ifdef _OPENMP
  if (!in_forked_child.load(std::memory_order_relaxed)) return omp_get_max_threads();
#endif
  return 1;
}

}  // namespace zengrad::cpu
