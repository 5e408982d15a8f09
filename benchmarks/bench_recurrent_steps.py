"""The recurrent models against PyTorch, in one process: char RNN / char LSTM training steps and the
LSTM layer's forward + backward at large shapes, on 1 and 2 threads.

    python benchmarks/bench_recurrent_steps.py [--threads 1 2] [--rounds 7] [--json out.json]

Each row times zengrad and PyTorch in alternating blocks of back-to-back calls (zengrad block,
PyTorch block, repeated ``--rounds`` times), so a change in the machine's load hits both sides; the
figure of each side is the median over its blocks of the mean call time in a block. The training
steps are those of ``zengrad bench models`` (``zengrad.bench.models``: embedding, recurrent layer,
linear head, cross-entropy, clipping, Adam, at the trainers' default shapes); the layer rows are
``zengrad.benchmarking.lstm_step`` (the native kernel, all input and weight gradients) against
``torch.nn.LSTM`` with the same weights. The machine's CPU, load average and date go with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

#: the training steps, at the trainers' default shapes (zengrad.bench.models.SHAPES)
STEPS = ("rnn", "lstm")
#: LSTM layer shapes (T, B, I, H) timed forward + backward
LAYERS = ((100, 64, 256, 256), (100, 32, 256, 256))


def _block_seconds(fn, calls: int) -> float:
    begin = time.perf_counter()
    for i in range(calls):
        fn(i)
    return (time.perf_counter() - begin) / calls


def compare(ours, theirs, rounds: int, block_s: float = 0.6) -> dict:
    """Median per-call seconds of ``ours`` and ``theirs``, timed in alternating blocks."""
    for fn in (ours, theirs):
        fn(0)
    once = max(_block_seconds(ours, 1), _block_seconds(theirs, 1), 1e-6)
    calls = max(1, int(block_s / once))
    mine, other = [], []
    for _ in range(rounds):
        mine.append(_block_seconds(ours, calls))
        other.append(_block_seconds(theirs, calls))
    zg, pt = statistics.median(mine), statistics.median(other)
    return {"zengrad_ms": 1e3 * zg, "torch_ms": 1e3 * pt, "ratio": zg / pt, "calls_per_block": calls}


def measure(threads: int, rounds: int) -> list[dict]:
    import torch

    import zengrad as zg
    from zengrad.bench import models
    from zengrad.benchmarking import lstm_problem, lstm_step

    zg.set_num_threads(threads)
    torch.set_num_threads(threads)
    rows = []
    for model in STEPS:
        ours, theirs = models.zengrad_step(model), models.torch_step(model)
        row = compare(lambda _: ours(), lambda _: theirs(), rounds)
        rows.append({"what": f"char {model} training step", "shape": models.SHAPES[model], "threads": threads, **row})
    for shape in LAYERS:
        inputs, dy = lstm_problem(*shape)
        row = compare(lstm_step("cpu:native", inputs, dy), lstm_step("torch", inputs, dy), rounds)
        rows.append({"what": "LSTM layer fwd+bwd", "shape": dict(zip("TBIH", shape)), "threads": threads, **row})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", help="also write the rows and the machine to this file")
    args = parser.parse_args()
    from zengrad.benchmarking import machine_info

    before = os.getloadavg()
    rows = [row for threads in args.threads for row in measure(threads, args.rounds)]
    machine = machine_info()
    machine["load_average_before"] = [round(x, 2) for x in before]
    print(f"{machine['cpu']}, {machine['cores']} CPUs, {machine['date']}, load average before "
          f"{machine['load_average_before']} after {machine['load_average_1_5_15min']}")
    print("| what | shape | threads | zengrad ms | PyTorch ms | ratio |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        shape = " ".join(f"{k}={v}" for k, v in row["shape"].items())
        print(f"| {row['what']} | {shape} | {row['threads']} | {row['zengrad_ms']:.1f} | {row['torch_ms']:.1f} "
              f"| {row['ratio']:.2f}× |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"machine": machine, "rows": rows}, out, indent=1)


if __name__ == "__main__":
    main()
