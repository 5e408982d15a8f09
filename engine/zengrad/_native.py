"""Loads the compiled extension ``zengrad._C`` with its OpenMP settings (the wait policy before it
loads, the default thread count after; ``zengrad.threads`` explains both and lets the user change
the count); zengrad still works (NumPy/CuPy only) without it."""

from __future__ import annotations

import functools
import math
import os
import time


@functools.lru_cache(maxsize=None)
def _load():
    prepare_openmp_environment()
    try:
        from . import _C
    except ImportError as error:
        return None, f"the native extension zengrad._C did not import: {error}"
    apply_default(_C)
    return _C, ""


def native():
    """The ``zengrad._C`` module, or None when it is not built."""
    return _load()[0]


def native_unavailable_reason() -> str:
    """Why ``zengrad._C`` is missing ("" when it loaded)."""
    return _load()[1]


#: how zengrad's thread settings were chosen, for ``zengrad info``
CHOSEN_SETTINGS = {"num_threads": "OpenMP's default", "wait_policy": "OpenMP's default"}


def prepare_openmp_environment() -> None:
    """Set ``OMP_WAIT_POLICY=PASSIVE`` unless the user chose a policy; call before ``_C`` loads
    (the OpenMP runtime reads its environment once, when it is loaded)."""
    if "OMP_WAIT_POLICY" in os.environ:
        CHOSEN_SETTINGS["wait_policy"] = "set by the user"
    else:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        CHOSEN_SETTINGS["wait_policy"] = "zengrad's default"


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask), or all CPUs where that is unknown."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _runnable_now(samples: int = 5, pause: float = 0.001) -> int | None:
    """Tasks runnable on the whole machine right now, this one excluded: the fewest of a few reads of
    /proc/loadavg's fourth field ("running/total"). A process that computes is runnable in every read;
    a short-lived one rarely is in all of them. None where /proc is missing."""
    counts = []
    for _ in range(samples):
        try:
            with open("/proc/loadavg") as handle:
                counts.append(int(handle.read().split()[3].split("/")[0]) - 1)
        except (OSError, ValueError, IndexError):
            return None
        time.sleep(pause)
    return max(0, min(counts))


def busy_cpus() -> float:
    """About how many CPUs other processes keep busy: the tasks runnable right now besides this one.
    Not the load average: it lags both ways (a job started seconds ago is missing from it, one that
    ended a minute ago still counts, zengrad's own last run included). Where /proc is missing
    (macOS) the 1-minute load average stands in; 0 if neither is known."""
    runnable = _runnable_now()
    if runnable is not None:
        return float(runnable)
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
        CHOSEN_SETTINGS["num_threads"] = f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
        return
    cpus, load = usable_cpus(), busy_cpus()
    count = default_num_threads(cpus, load)
    native_module.cpu.set_num_threads(count)
    CHOSEN_SETTINGS["num_threads"] = (f"zengrad's default: {cpus} usable CPUs, {load:.1f} of {os.cpu_count()} CPUs "
                                      f"busy when zengrad loaded")
