"""Where two threads start to pay: native matmuls of growing m·n·k and training steps, on one
thread against two, idle or next to one busy process, for each OpenMP wait setting.

    python benchmarks/bench_parallel_threshold.py [--busy] [--rounds 9] [--models gan ...] [--json out.json]

Each wait setting runs in a fresh process (the OpenMP runtime reads its environment once, when it
loads) with ``OMP_NUM_THREADS=2``. There, every matmul shape is timed with
``_C.cpu.set_parallel_threshold(0)`` (every product on threads) on 1 and on 2 threads, and the
training steps of ``zengrad bench models`` (:data:`MODELS`) on 1 thread and on 2 threads under
several thresholds, in
alternating blocks of back-to-back calls; each row reports the median over the rounds of the ratio
two-thread time ÷ one-thread time with its interquartile range. "Busy" starts one extra process that
spins on a CPU for the whole run. Before each setting the script waits (up to a minute) for the
machine's other jobs to leave the CPUs idle, and it prints the load average with the table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys

#: matmul shapes (m, n, k): the GAN's layers at batch 64, then squares
SHAPES = ((64, 128, 32), (64, 256, 64), (64, 256, 128), (128, 128, 128), (64, 256, 256), (160, 160, 160),
          (64, 512, 256), (192, 192, 192), (256, 256, 256), (64, 1024, 512), (384, 384, 384), (512, 512, 512))
#: the training steps of ``zengrad bench models`` timed
MODELS = ("gan", "dcgan", "rnn", "lstm", "transformer")
#: thresholds (multiply-adds) the training steps are timed under on 2 threads
STEP_THRESHOLDS = (1 << 18, 1 << 20, 1 << 22, 1 << 23, 1 << 24)
#: name -> environment of the child process
SETTINGS = {"PASSIVE": {"OMP_WAIT_POLICY": "PASSIVE"},
            "PASSIVE + GOMP_SPINCOUNT=10000": {"OMP_WAIT_POLICY": "PASSIVE", "GOMP_SPINCOUNT": "10000"}}

_CHILD = r'''
import json, statistics, sys, time
import numpy as np
import zengrad as zg
from zengrad._native import native
from zengrad.bench.models import zengrad_step
cpu = native().cpu
rounds = int(sys.argv[1])

def block(fn, calls):
    begin = time.perf_counter()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - begin) / calls

def compare(variants, block_s):
    """name -> median seconds per call, and the ratios to the first, in alternating blocks."""
    for setup, fn in variants.values():
        setup(); fn(); fn()
    first = next(iter(variants.values()))
    first[0]()
    calls = max(3, int(block_s / max(block(first[1], 3), 1e-7)))
    times = {name: [] for name in variants}
    for r in range(rounds):
        order = list(variants.items()) if r % 2 == 0 else list(variants.items())[::-1]
        for name, (setup, fn) in order:
            setup()
            times[name].append(block(fn, calls))
    base = times[next(iter(variants))]
    out = {}
    for name, values in times.items():
        ratios = sorted(v / b for v, b in zip(values, base))
        out[name] = {"us": 1e6 * statistics.median(values), "ratio": statistics.median(ratios),
                     "q1": ratios[len(ratios) // 4], "q3": ratios[(3 * len(ratios)) // 4]}
    return out

def threads(n, threshold=0):
    return lambda: (zg.set_num_threads(n), cpu.set_parallel_threshold(threshold))

rng = np.random.default_rng(0)
result = {"matmul": [], "steps": {}}
for m, n, k in json.loads(sys.argv[2]):
    a, b = rng.standard_normal((m, k), dtype=np.float32), rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), np.float32)
    call = lambda: cpu.matmul(a, b, c, False, False, "auto", 0)
    row = compare({"1": (threads(1), call), "2": (threads(2), call)}, 0.02)
    result["matmul"].append({"shape": [m, n, k], "work": m * n * k, **row})
for model in json.loads(sys.argv[4]):
    step = zengrad_step(model)
    variants = {"1": (threads(1), step)}
    variants.update({str(t): (threads(2, t), step) for t in json.loads(sys.argv[3])})
    result["steps"][model] = compare(variants, 0.1)
print(json.dumps(result))
'''


def run_setting(env_changes: dict, rounds: int, models=MODELS) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS")}
    env.update(env_changes, OMP_NUM_THREADS="2")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(rounds), json.dumps(SHAPES), json.dumps(STEP_THRESHOLDS),
                           json.dumps(models)],
                          env=env, capture_output=True, text=True, check=True, timeout=600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(row: dict) -> str:
    return f"{row['ratio']:.2f} [{row['q1']:.2f}–{row['q3']:.2f}]"


def report(results: dict) -> str:
    names = list(results["settings"])
    lines = [f"{results['machine']['cpu']}, {results['machine']['date']}, {'one busy process' if results['busy'] else 'idle'}, "
             f"load average {results['load_before']} before, {results['load_after']} after; "
             f"{results['rounds']} rounds; cells: two-thread ÷ one-thread time, median [IQR]", "",
             "| m×n×k | m·n·k | 1 thread µs | " + " | ".join(names) + " |", "|---|---:|---:|" + "---:|" * len(names)]
    for i, shape in enumerate(SHAPES):
        first = results["settings"][names[0]]["matmul"][i]
        lines.append(f"| {'×'.join(map(str, shape))} | 2^{math.log2(first['work']):.1f} | {first['1']['us']:.1f} | "
                     + " | ".join(_cell(results["settings"][n]["matmul"][i]["2"]) for n in names) + " |")
    for model, row in results["settings"][names[0]]["steps"].items():
        lines.append(f"| {model} training step, 2 threads, threshold 2^k | | {row['1']['us']:.0f} |" + " |" * len(names))
        for t in STEP_THRESHOLDS:
            lines.append(f"| … k = {t.bit_length() - 1} | | | "
                         + " | ".join(_cell(results["settings"][n]["steps"][model][str(t)]) for n in names) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", action="store_true", help="measure next to one process spinning on a CPU")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    from zengrad.benchmarking import machine_info, wait_until_idle

    results = {"machine": machine_info(), "busy": args.busy, "rounds": args.rounds, "settings": {}}
    wait_until_idle(timeout_s=60)
    results["load_before"] = [round(x, 2) for x in os.getloadavg()]
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if args.busy else None
    try:
        for name, env in SETTINGS.items():
            results["settings"][name] = run_setting(env, args.rounds, args.models)
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(report(results))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2, default=str)


if __name__ == "__main__":
    main()
