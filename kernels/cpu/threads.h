// How many OpenMP threads a CPU kernel may use — the one place that decides it. Every parallel
// region in kernels/cpu asks max_threads() and passes it as num_threads.
//
// set_max_threads(n) is the process-wide setting behind zengrad.set_num_threads (like PyTorch's
// torch.set_num_threads); until it is called, OpenMP's own default (OMP_NUM_THREADS or one per CPU)
// holds. zengrad/threads.py chooses the default and explains it.
//
// GNU libgomp's thread pool does not survive fork(): a child process that enters a parallel region
// after its parent had started the pool waits forever for threads that were never copied (a
// multiprocessing worker forked after one native matmul hung this way). So, as PyTorch does, a
// process forked after this library was loaded runs every kernel on one thread: its parallel
// regions get if(false), which libgomp runs on the calling thread without touching the pool.
//
// Whether a call runs on threads at all is decided here too (threads_for): a parallel region wakes
// the sleeping workers (OMP_WAIT_POLICY=PASSIVE, zengrad/threads.py), and on a VM that wake-up and
// the join cost tens of microseconds, more than a small product gains from a second core.
#pragma once
#include <cstdint>

namespace zengrad::cpu {

// The default of parallel_threshold(): calls doing fewer multiply-adds (a matmul's m·n·k, a recurrent
// kernel's whole sequence) run on one thread. Measured in docs/kernels/cpu-matmul.md ("Threads").
constexpr int64_t kParallelThreshold = int64_t{1} << 22;

// The set thread count (else omp_get_max_threads()), or 1 in a forked child (and without OpenMP).
// Also 1 inside an active parallel region: a kernel called from one (the recurrent kernels' per-thread
// step GEMMs, sequence.h) runs on the calling thread instead of cutting its work for a team it
// does not get (OpenMP does not nest parallel regions by default).
int max_threads();

// Sets the thread count for all later kernel calls; n < 1 throws std::invalid_argument.
void set_max_threads(int n);

// The work threshold in force (kParallelThreshold until set; set_parallel_threshold(0) threads every
// call, for measuring where threads start to pay); a negative value throws std::invalid_argument.
int64_t parallel_threshold();
void set_parallel_threshold(int64_t work);

// The threads a call doing `work` multiply-adds runs on: 1 below parallel_threshold(), else max_threads().
int threads_for(int64_t work);

}  // namespace zengrad::cpu
