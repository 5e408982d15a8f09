"""How many threads zengrad's CPU kernels use, and how its OpenMP threads wait between calls.

``zg.set_num_threads(n)`` / ``zg.get_num_threads()`` work like PyTorch's: one process-wide count
for every native CPU kernel (matmul, LSTM, RNN). The default is chosen when ``zengrad._C`` loads:

* ``OMP_NUM_THREADS``, when the user set it;
* otherwise the CPUs this process may run on (its affinity mask, e.g. ``taskset`` or a container's
  cpuset), less the CPUs other processes keep busy — the tasks runnable at that moment besides
  zengrad's own (not the load average, which lags: it misses a job started seconds ago and still
  counts one that ended a minute ago) — and at least 1. On an idle 2-CPU machine that is 2; with one other busy process, 1.

OpenMP's worker threads, after a parallel region, by default spin for a while waiting for the next
one; on a machine where something else runs, those spinning threads take the cores the other
program (or zengrad's own next call) needs. So zengrad sets ``OMP_WAIT_POLICY=PASSIVE`` (workers
sleep at once) before the extension loads, unless the user set it.

A sleeping worker costs its wake-up: on a VM, waking a vCPU that has gone idle and joining it again
took ~50 µs per parallel region (AMD EPYC Zen 4, 2 vCPUs, 2026-12-03), as long as a 2^20
multiply-add product on one core. So a kernel call goes on threads only from
``_C.cpu.parallel_threshold()`` multiply-adds of work on (the whole call's: all T steps of a
recurrent layer), where half the call saves more than the wake-up costs; below it every call runs on
the calling thread. A bounded spin instead (``GOMP_SPINCOUNT``, which zengrad leaves to the user)
saved the wake-up between back-to-back products, but erratically, and next to a busy process the
spinning worker took the other program's core: GAN steps 5× slower, measured. All three settings are shown by ``zengrad info``; their effect is measured by
``zengrad bench threads`` and ``benchmarks/bench_parallel_threshold.py``
(docs/kernels/cpu-matmul.md, "Threads").
"""

from __future__ import annotations

import math
import os

from ._native import CHOSEN_SETTINGS, default_num_threads, native, usable_cpus

__all__ = ["default_num_threads", "describe", "get_num_threads", "set_num_threads", "usable_cpus"]

def set_num_threads(n: int) -> None:
    """Use ``n`` threads in every native CPU kernel from now on (like ``torch.set_num_threads``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: expected an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads: the thread count must be >= 1, got {n}")
    if native() is not None:
        native().cpu.set_num_threads(n)
    CHOSEN_SETTINGS["num_threads"] = f"set_num_threads({n})"


def get_num_threads() -> int:
    """The number of threads a native CPU kernel uses now (1 without the native extension)."""
    return native().cpu.get_num_threads() if native() is not None else 1


def describe() -> list[str]:
    """The thread settings in force, as lines for ``zengrad info``."""
    spin = f", GOMP_SPINCOUNT={os.environ['GOMP_SPINCOUNT']} set by the user" if "GOMP_SPINCOUNT" in os.environ else ""
    lines = [f"threads: {get_num_threads()} for the native CPU kernels ({CHOSEN_SETTINGS['num_threads']}; "
             f"change with zg.set_num_threads)",
             f"OpenMP wait policy: {os.environ.get('OMP_WAIT_POLICY', 'unset')} ({CHOSEN_SETTINGS['wait_policy']}{spin}); "
             f"CPUs usable by this process: {usable_cpus()} of {os.cpu_count()}"]
    if native() is not None:
        work = native().cpu.parallel_threshold()
        lines.append(f"parallel threshold: kernel calls of fewer than {work} (2^{math.log2(max(work, 1)):.3g}) "
                     f"multiply-adds run on one thread")
    return lines
