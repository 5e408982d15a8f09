"""float32 n×n×n matmul, each side timed in its own process, the sides alternating round by round.

Each round starts one fresh process per side; the process warms up, then times one block of
back-to-back calls and prints its GFLOP/s (wall) and its CPU seconds per call. A side is either
``blas[:CORE]`` (NumPy's matmul, OpenBLAS; CORE sets OPENBLAS_CORETYPE, e.g. Haswell for
its AVX2 kernel on an AVX-512 CPU) or ``native[:PATH][:ISA]``: the native matmul of the zengrad
extension module at PATH (default: the installed ``zengrad._C``; a saved copy of another build
gives an A/B of two builds) on path ISA (default ``auto``). Separate processes keep OpenBLAS's
spinning threads off the native kernel's cores (with --one-process, on one thread only, the sides
alternate in this process instead: no process start-up between blocks, the tightest A/B). The report is the median over rounds of each
side's GFLOP/s, the spread ((max - min) / median) and the ratio of each side to the first.

    OMP_NUM_THREADS=1 python benchmarks/bench_matmul_processes.py --threads 1 --sizes 1024 2048 \
        --sides blas native
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def _load_native(path: str):
    import importlib.util

    if not path:
        from zengrad._native import native

        return native()
    spec = importlib.util.spec_from_file_location("_C", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _caller(side: str, n: int, threads: int):
    """A function that computes one n×n×n product on `side` (operands made once)."""
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    if side.startswith("blas"):
        return lambda: np.matmul(a, b, out=out)
    _, path, isa = (side.split(":") + ["", ""])[:3]
    cpu = _load_native(path).cpu
    cpu.set_num_threads(threads)
    return lambda: cpu.matmul(a, b, out, False, False, isa or "auto", threads)


def _block(call, n: int, seconds: float) -> dict:
    """Warms up, then times back-to-back calls for about `seconds`."""
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    calls = max(3, int(seconds / max(first, 1e-6)))
    call()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(calls):
        call()
    wall, cpu_time = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"gflops": 2.0 * n ** 3 * calls / wall / 1e9, "cpu_s_per_call": cpu_time / calls,
            "wall_s_per_call": wall / calls, "calls": calls}


def _worker(side: str, n: int, threads: int, seconds: float) -> None:
    print(json.dumps(_block(_caller(side, n, threads), n, seconds)))


def _run_block(side: str, n: int, threads: int, seconds: float) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    if side.startswith("blas:"):
        env["OPENBLAS_CORETYPE"] = side.split(":")[1]
    result = subprocess.run([sys.executable, __file__, "--worker", side, str(n), str(threads), str(seconds)],
                            env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--sides", nargs="+", default=["blas", "native"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one timed block")
    parser.add_argument("--one-process", action="store_true",
                        help="alternate the sides in this process instead (one thread only: OpenBLAS then "
                             "starts no threads; OPENBLAS_CORETYPE must be set before the run)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_process and (args.threads != [1] or any(":" in s for s in args.sides if s.startswith("blas"))):
        parser.error("--one-process takes --threads 1 and plain 'blas' (set OPENBLAS_CORETYPE outside)")
    if args.worker:
        side, n, threads, seconds = args.worker
        _worker(side, int(n), int(threads), float(seconds))
        return
    cpu = _load_native("").cpu
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}, load average {os.getloadavg()}, "
          f"best isa {cpu.best_isa()}, FMA peak GFLOP/s: "
          + ", ".join(f"{t} thread(s) {cpu.fma_peak_gflops(t):.1f}" for t in args.threads), flush=True)
    for threads in args.threads:
        for n in args.sizes:
            blocks = {side: [] for side in args.sides}
            callers = {side: _caller(side, n, threads) for side in args.sides} if args.one_process else {}
            for r in range(args.rounds):
                order = args.sides[r % len(args.sides):] + args.sides[:r % len(args.sides)]
                for side in order:
                    blocks[side].append(_block(callers[side], n, args.seconds) if args.one_process
                                        else _run_block(side, n, threads, args.seconds))
            medians = {s: statistics.median(b["gflops"] for b in blocks[s]) for s in args.sides}
            cpu_ms = {s: 1e3 * statistics.median(b["cpu_s_per_call"] for b in blocks[s]) for s in args.sides}
            first = args.sides[0]
            parts = []
            for s in args.sides:
                g = [b["gflops"] for b in blocks[s]]
                parts.append(f"{s} {medians[s]:.1f} ({100 * (max(g) - min(g)) / medians[s]:.0f}%, "
                             f"cpu {cpu_ms[s]:.1f} ms/call) x{medians[s] / medians[first]:.3f}")
            print(f"n={n} threads={threads}: " + "; ".join(parts), flush=True)


if __name__ == "__main__":
    main()
