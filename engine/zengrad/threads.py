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
sleep at once) before the extension loads, unless the user set it. Both settings are shown by
``zengrad info``; their effect is measured by ``zengrad bench threads`` (see
``benchmarks/results/ladder.md``).
"""

from __future__ import annotations

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
    return [f"threads: {get_num_threads()} for the native CPU kernels ({CHOSEN_SETTINGS['num_threads']}; "
            f"change with zg.set_num_threads)",
            f"OpenMP wait policy: {os.environ.get('OMP_WAIT_POLICY', 'unset')} ({CHOSEN_SETTINGS['wait_policy']}); "
            f"CPUs usable by this process: {usable_cpus()} of {os.cpu_count()}"]
