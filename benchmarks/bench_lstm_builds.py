"""A/B of several builds of the native LSTM kernel (and torch.nn.LSTM) in one process, by CPU time.

    cp <venv>/.../zengrad/_C*.so /tmp/base/        # keep a copy of each build to compare
    python benchmarks/bench_lstm_builds.py /tmp/base /tmp/new [--torch] [--what layer|forward|backward]
                                           [--shape T,B,I,H] [--threads 1] [--rounds 15] [--calls 2]

Each build is a folder holding a copy of the built extension (``_C.cpython-*.so``). All are loaded
into this process, each under its own module name: CPython keeps a single-phase extension module
by its name, so a second copy loaded as ``_C`` silently *is* the first one, and an A/B of the two
compares a build with itself. The sides are timed in blocks of ``--calls`` calls, the order
rotated and reversed from round to round so that a change in the machine's load hits every side;
the figure is ``time.process_time`` (this process's CPU time: on a machine shared with other jobs
it moves far less than wall time). Printed per side: the median CPU ms per call with its range,
the median over rounds of its ratio to the first build (and to PyTorch with ``--torch``), and the
rounds in which it was faster than the first build. The first call's results of every build are
compared with the first build's (the largest difference relative to each output's largest value).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import statistics
import time

import numpy as np


def load_build(folder: str, index: int):
    """The extension module in ``folder``, loaded under a name of its own."""
    path = next(pathlib.Path(folder).glob("_C.*.so"))
    spec = importlib.util.spec_from_file_location(f"zengrad_build{index}._C", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kernel_call(module, what: str, inputs, dy):
    """A no-argument call of the build's LSTM kernels: forward + backward, forward, or backward."""
    cpu = module.cpu
    zeros = np.zeros(inputs[1].shape, np.float32)
    if what == "forward":
        return lambda: cpu.lstm_forward(*inputs)
    if what == "backward":
        _, _, _, gates, cells = cpu.lstm_forward(*inputs)
        return lambda: cpu.lstm_backward(dy, zeros, zeros, *inputs[:5], gates, cells)

    def layer():
        _, _, _, gates, cells = cpu.lstm_forward(*inputs)
        return cpu.lstm_backward(dy, zeros, zeros, *inputs[:5], gates, cells)
    return layer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("builds", nargs="+", help="folders, each with a copy of a built _C")
    parser.add_argument("--what", choices=("layer", "forward", "backward"), default="layer")
    parser.add_argument("--shape", default="100,64,256,256", help="T,B,I,H")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=2, help="calls per timed block")
    parser.add_argument("--torch", action="store_true", help="also time torch.nn.LSTM (layer only)")
    args = parser.parse_args()

    import zengrad as zg
    from zengrad.benchmarking import lstm_problem, lstm_step

    zg.set_num_threads(args.threads)
    T, B, I, H = (int(n) for n in args.shape.split(","))
    inputs, dy = lstm_problem(T, B, I, H)
    sides = {}
    for index, folder in enumerate(args.builds):
        module = load_build(folder, index)
        module.cpu.set_num_threads(args.threads)
        sides[f"{index}:{pathlib.Path(folder).name}"] = kernel_call(module, args.what, inputs, dy)
    names = list(sides)
    first = sides[names[0]]()
    for name in names[1:]:
        difference = max(float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a))), 1e-30))
                         for a, b in zip(first, sides[name]()))
        print(f"{name}: largest relative difference from {names[0]}: {difference:.2e}")
    if args.torch and args.what == "layer":
        torch_step = lstm_step("torch", inputs, dy)
        sides["torch"] = lambda: torch_step(0)
        names.append("torch")
        torch_step(0)

    cpu_ms = {name: [] for name in names}
    load_before = os.getloadavg()[0]
    for round_ in range(args.rounds):
        shift = round_ % len(names)
        order = names[shift:] + names[:shift]
        for name in order if round_ % 2 == 0 else order[::-1]:
            begin = time.process_time()
            for _ in range(args.calls):
                sides[name]()
            cpu_ms[name].append((time.process_time() - begin) / args.calls * 1e3)

    reference = cpu_ms[names[0]]
    for name in names:
        times = cpu_ms[name]
        ratios = [t / r for t, r in zip(times, reference)]
        line = (f"{name:16s} CPU {statistics.median(times):8.2f} ms [{min(times):.1f}-{max(times):.1f}]"
                f"  /{names[0]} {statistics.median(ratios):.4f} (faster {sum(r < 1 for r in ratios)}/{len(ratios)})")
        if "torch" in cpu_ms and name != "torch":
            line += f"  /torch {statistics.median([t / p for t, p in zip(times, cpu_ms['torch'])]):.4f}"
        print(line)
    print(f"{args.what} T,B,I,H={args.shape} threads={args.threads} rounds={args.rounds} "
          f"load {load_before:.2f}->{os.getloadavg()[0]:.2f} {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


if __name__ == "__main__":
    main()
