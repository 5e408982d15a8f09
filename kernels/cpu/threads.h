// How many OpenMP threads a CPU kernel may use — the one place that decides it.
//
// GNU libgomp's thread pool does not survive fork(): a child process that enters a parallel region
// after its parent had started the pool waits forever for threads that were never copied (a
// multiprocessing worker forked after one native matmul hung this way). So, as PyTorch does, a
// process forked after this library was loaded runs every kernel on one thread: its parallel
// regions get if(false), which libgomp runs on the calling thread without touching the pool.
#pragma once

namespace zengrad::cpu {

// omp_get_max_threads(), or 1 in a forked child (and in a build without OpenMP).
int max_threads();

}  // namespace zengrad::cpu
