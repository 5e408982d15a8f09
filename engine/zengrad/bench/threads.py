"""`zengrad bench threads`: two workloads on an idle machine and next to a busy process — a loop of
native matmuls, and the GAN's training steps (a whole model: matmuls, the elementwise ops around
them, the optimizer), the two loads the busy-machine target is stated for.

Each setting runs in a fresh Python process (the OpenMP runtime reads ``OMP_WAIT_POLICY`` once, when
it loads), which times back-to-back calls — n×n×n ``cpu:native`` products, or GAN steps of
``zengrad bench models`` (batch 64) — and reports their median. That is one round; the settings
take turns for several rounds (in reversed order every other round), so a burst of another job on a
shared machine hits all of them, and each row reports the median over the rounds, the spread of
the round medians, and the median over rounds of its ratio to the one-thread time of the same
round, with the load average before and after each condition.
"Busy" starts one extra process that spins on a CPU for the whole measurement, as a compiler, a
browser tab or another training run would. The figure to read is each setting's time against the
one-thread time under the same conditions: with spinning OpenMP workers (``ACTIVE``) two threads
next to a busy process can be many times slower than one; zengrad's default should stay close to it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np

from ..benchmarking import machine_info
from ..threads import usable_cpus

_LOOP = """
import json, sys, time
import numpy as np
import zengrad as zg
workload, n, calls = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if workload == "gan":
    from zengrad.bench.models import zengrad_step
    call = zengrad_step("gan")
else:
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    call = lambda: zg.kernels.matmul(a, b, impl="cpu:native")
for _ in range(3):
    call()
times = []
for _ in range(calls):
    start = time.perf_counter()
    call()
    times.append(time.perf_counter() - start)
print(json.dumps({"times": times, "threads": zg.get_num_threads()}))
"""

WORKLOADS = ("matmul", "gan")

_SPIN = "while True: pass"


def settings(thread_count: int) -> dict[str, dict]:
    """name -> environment changes (None removes a variable)."""
    return {"1 thread": {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": None},
            f"{thread_count} threads, ACTIVE (spinning) workers": {"OMP_NUM_THREADS": str(thread_count),
                                                                   "OMP_WAIT_POLICY": "ACTIVE"},
            f"{thread_count} threads, PASSIVE workers": {"OMP_NUM_THREADS": str(thread_count),
                                                         "OMP_WAIT_POLICY": "PASSIVE"},
            "zengrad's default": {"OMP_NUM_THREADS": None, "OMP_WAIT_POLICY": None}}


def _run_loop(changes: dict, n: int, calls: int, workload: str = "matmul") -> dict:
    env = {key: value for key, value in os.environ.items() if key not in changes}
    env.update({key: value for key, value in changes.items() if value is not None})
    result = subprocess.run([sys.executable, "-c", _LOOP, workload, str(n), str(calls)], env=env,
                            capture_output=True, text=True, timeout=600, check=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    times = data["times"]
    return {"seconds": float(np.median(times)), "spread_percent": 100 * (max(times) - min(times)) / np.median(times),
            "threads": data["threads"]}


def bench_threads(n: int = 512, calls: int = 30, thread_count: int | None = None,
                  workloads=WORKLOADS, rounds: int = 5) -> dict:
    """Median seconds per call of every setting and workload, idle and next to one busy process."""
    thread_count = thread_count or max(2, usable_cpus())
    names = list(settings(thread_count))
    rows, loads = [], {}
    for busy in (False, True):
        loads[busy] = [[round(x, 2) for x in os.getloadavg()]]
        spinner = subprocess.Popen([sys.executable, "-c", _SPIN]) if busy else None
        try:
            for workload in workloads:
                runs = {name: [] for name in names}
                for round_ in range(rounds):
                    for name in (names if round_ % 2 == 0 else names[::-1]):
                        runs[name].append(_run_loop(settings(thread_count)[name], n, calls, workload))
                rows += [_row(workload, name, busy, runs[name], runs["1 thread"]) for name in names]
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
        loads[busy].append([round(x, 2) for x in os.getloadavg()])
    return {"machine": machine_info(), "n": n, "calls": calls, "rounds": rounds, "rows": rows,
            "load_idle": loads[False], "load_busy": loads[True]}


def _row(workload: str, name: str, busy: bool, runs: list[dict], one_thread: list[dict]) -> dict:
    """One setting's rounds summed up against the one-thread rounds of the same condition."""
    seconds = [run["seconds"] for run in runs]
    median = float(np.median(seconds))
    return {"workload": workload, "setting": name, "busy": busy, "seconds": median,
            "spread_percent": 100 * (max(seconds) - min(seconds)) / median,
            "threads": runs[0]["threads"],
            "vs_one_thread": float(np.median([run["seconds"] / one["seconds"] for run, one in zip(runs, one_thread)]))}


def format_threads(results: dict) -> str:
    from .report import _table
    m = results["machine"]
    loads = (f"load average {results['load_idle'][0]} → {results['load_idle'][1]} idle, "
             f"{results['load_busy'][0]} → {results['load_busy'][1]} busy" if "load_idle" in results
             else f"load average {m['load_average_1_5_15min']}")
    return "\n".join([
        f"threads — {results.get('rounds', 1)} rounds of {results['calls']} back-to-back calls per setting (cpu:native "
        f"{results['n']}³ products, or GAN training steps of batch 64), each in a fresh process — {m['cpu']}, "
        f"{m['date']}, {loads}; ms: median over rounds of each round's median, spread: of the round medians, "
        f"÷ one-thread time: median over rounds",
        _table(["workload", "setting", "other busy process", "threads used", "ms per call", "spread %",
                "÷ one-thread time"],
               [[r.get("workload", "matmul"), r["setting"], "yes" if r["busy"] else "no", r["threads"],
                 1e3 * r["seconds"], r["spread_percent"], r["vs_one_thread"]] for r in results["rows"]])])


def measure_and_report(quick: bool = False, out: str | None = None, thread_count: int | None = None) -> dict:
    from pathlib import Path
    results = bench_threads(n=256 if quick else 512, calls=15 if quick else 30, thread_count=thread_count,
                            rounds=3 if quick else 5)
    print(format_threads(results))
    if out:
        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
        (path / "threads.json").write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwrote {path / 'threads.json'}")
    return results
