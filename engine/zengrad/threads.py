"""How many threads zengrad's CPU kernels use, and how its OpenMP threads wait between calls.

``zg.set_num_threads(n)`` / ``zg.get_num_threads()`` work like PyTorch's: one process-wide count
for every native CPU kernel (matmul, LSTM, RNN). The default is chosen when ``zengrad._C`` loads:

* ``OMP_NUM_THREADS``, when the user set it;
* otherwise the CPUs this process may run on (its affinity mask, e.g. ``taskset`` or a container's
  cpuset), less the CPUs other processes keep busy (the 1-minute load average, rounded), and at
  least 1. On an idle 2-CPU machine that is 2; with one other busy process, 1.

OpenMP's worker threads, after a parallel region, by default spin for a while waiting for the next
one; on a machine where something else runs, those spinning threads take the cores the other
program (or zengrad's own next call) needs. So zengrad sets ``OMP_WAIT_POLICY=PASSIVE`` (workers
sleep at once) before the extension loads, unless the user set it. Both settings are shown by
``zengrad info``; their effect is measured by ``zengrad bench threads`` (see
``benchmarks/results/ladder.md``).
"""

from __future__ import annotations

import math
import os

#: how zengrad's thread settings were chosen, for ``zengrad info``
_CHOSEN = {"num_threads": "OpenMP's default", "wait_policy": "OpenMP's default"}


def prepare_openmp_environment() -> None:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless the user chose a policy; call before ``_C`` loads
    (the OpenMP runtime reads its environment once, when it is loaded)."""
    if "OMP_WAIT_POLICY" in os.environ:
        _CHOSEN["wait_policy"] = "set by the user"
    else:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        _CHOSEN["wait_policy"] = "zengrad's default"


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask), or all CPUs where that is unknown."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def busy_cpus() -> float:
    """The 1-minute load average: about how many CPUs other processes keep busy (0 if unknown)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def default_num_threads(cpus: int | None = None, load: float | None = None) -> int:
    """min(usable CPUs, all CPUs − busy CPUs), at least 1: the thread count that leaves the
    cores other processes are using to them."""
    cpus = usable_cpus() if cpus is None else cpus
    load = busy_cpus() if load is None else load
    free = (os.cpu_count() or cpus) - load
    return max(1, min(cpus, math.floor(free + 0.5)))


def apply_default(native_module) -> None:
    """Give the freshly loaded ``_C`` its default thread count (unless ``OMP_NUM_THREADS`` is set)."""
    if os.environ.get("OMP_NUM_THREADS"):
        _CHOSEN["num_threads"] = f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
        return
    cpus, load = usable_cpus(), busy_cpus()
    count = default_num_threads(cpus, load)
    native_module.cpu.set_num_threads(count)
    _CHOSEN["num_threads"] = (f"zengrad's default: {cpus} usable CPUs, load average {load:.1f} "
                              f"of {os.cpu_count()} CPUs when zengrad loaded")


def set_num_threads(n: int) -> None:
    """Use ``n`` threads in every native CPU kernel from now on (like ``torch.set_num_threads``)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"set_num_threads: expected an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"set_num_threads: the thread count must be >= 1, got {n}")
    from ._native import native
    if native() is not None:
        native().cpu.set_num_threads(n)
    _CHOSEN["num_threads"] = f"set_num_threads({n})"


def get_num_threads() -> int:
    """The number of threads a native CPU kernel uses now (1 without the native extension)."""
    from ._native import native
    return native().cpu.get_num_threads() if native() is not None else 1


def describe() -> list[str]:
    """The thread settings in force, as lines for ``zengrad info``."""
    return [f"threads: {get_num_threads()} for the native CPU kernels ({_CHOSEN['num_threads']}; "
            f"change with zg.set_num_threads)",
            f"OpenMP wait policy: {os.environ.get('OMP_WAIT_POLICY', 'unset')} ({_CHOSEN['wait_policy']}); "
            f"CPUs usable by this process: {usable_cpus()} of {os.cpu_count()}"]
