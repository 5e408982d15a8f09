"""Forward (and whole training step) of the default character transformer against its PyTorch twin
(``zengrad.bench.models``), in one process, alternating rounds of back-to-back calls.

    OMP_NUM_THREADS=1 python benchmarks/bench_transformer_step.py --rounds 7 --calls 5

Prints, per row, the median over rounds of the wall time and of the process CPU time per call on
each side, and the zengrad/PyTorch ratio of each. ``--base KERNEL=IMPL …`` adds a third side, zengrad
with those kernel choices (``zg.kernels.use``), for an A/B of a kernel against its predecessor:

    OMP_NUM_THREADS=1 python benchmarks/bench_transformer_step.py --rounds 15 --base self_attention_forward=numpy On a machine shared with other jobs the wall
times wait for the CPU; with one thread the CPU time still measures the work done (with more
threads it also counts their spinning). Results are kept in ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import time

import numpy as np

import zengrad as zg
from zengrad.bench import models
from zengrad.benchmarking import per_call


def _under(choices: dict, step):
    """``step`` run with the kernel choices ``choices`` (none: the defaults)."""
    def run():
        with zg.kernels.use(**choices) if choices else contextlib.nullcontext():
            step()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--rows", nargs="+", default=["transformer-forward", "transformer"])
    parser.add_argument("--base", nargs="*", default=[], metavar="KERNEL=IMPL",
                        help="also time zengrad with these kernel choices (the 'base' side)")
    parser.add_argument("--out", default=None, help="a JSON file for the results")
    args = parser.parse_args()
    base = dict(choice.split("=", 1) for choice in args.base)
    import torch
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    results = []
    for row in args.rows:
        steps = {"zengrad": models.zengrad_step(row), "torch": models.torch_step(row)}
        if base:
            steps["base"] = _under(base, models.zengrad_step(row))
        for step in steps.values():
            per_call(step, 2)
        times = {side: [] for side in steps}
        for _ in range(args.rounds):
            for side, step in steps.items():
                times[side].append(per_call(step, args.calls))
        median = {side: np.median(np.array(values), axis=0) for side, values in times.items()}
        results.append({"row": row, "threads": threads,
                        "zengrad_ms": 1e3 * median["zengrad"][0], "torch_ms": 1e3 * median["torch"][0],
                        "wall_ratio": median["zengrad"][0] / median["torch"][0],
                        "zengrad_cpu_ms": 1e3 * median["zengrad"][1], "torch_cpu_ms": 1e3 * median["torch"][1],
                        "cpu_ratio": median["zengrad"][1] / median["torch"][1]})
        if base:
            results[-1].update({"base_ms": 1e3 * median["base"][0], "base_cpu_ms": 1e3 * median["base"][1],
                                "cpu_ratio_to_base": median["zengrad"][1] / median["base"][1],
                                "load": os.getloadavg()[0]})
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results[-1].items()}),
              flush=True)
    if args.out:
        with open(args.out, "w") as stream:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M %Z"), "torch": torch.__version__, "rows": results},
                      stream, indent=2)


if __name__ == "__main__":
    main()
