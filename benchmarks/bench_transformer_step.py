"""Forward (and whole training step) of the default character transformer against its PyTorch twin
(``zengrad.bench.models``), in one process, alternating rounds of back-to-back calls.

    OMP_NUM_THREADS=1 python benchmarks/bench_transformer_step.py --rounds 7 --calls 5

Prints, per row, the median over rounds of the wall time and of the process CPU time per call on
each side, and the zengrad/PyTorch ratio of each. On a machine shared with other jobs the wall
times wait for the CPU; with one thread the CPU time still measures the work done (with more
threads it also counts their spinning). Results are kept in ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np

from zengrad.bench import models
from zengrad.benchmarking import per_call


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=5)
    parser.add_argument("--rows", nargs="+", default=["transformer-forward", "transformer"])
    parser.add_argument("--out", default=None, help="a JSON file for the results")
    args = parser.parse_args()
    import torch
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    results = []
    for row in args.rows:
        steps = {"zengrad": models.zengrad_step(row), "torch": models.torch_step(row)}
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
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in results[-1].items()}),
              flush=True)
    if args.out:
        with open(args.out, "w") as stream:
            json.dump({"date": time.strftime("%Y-%m-%d %H:%M %Z"), "torch": torch.__version__, "rows": results},
                      stream, indent=2)


if __name__ == "__main__":
    main()
