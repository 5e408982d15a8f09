"""Old code against new in one process: per-op overhead and the GAN step of a base commit's
zengrad, of the working tree's, and of PyTorch, in alternating blocks of back-to-back calls.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_overhead_ab.py --base main

The base commit's ``engine/zengrad`` is unpacked (``git archive``) into a temporary folder as the
package ``zgbase``, next to a copy of the built extension ``zengrad._C`` (so commits that change
the bindings' Python-facing API cannot be compared this way). Each row prints the median over
rounds of the wall time and of the process CPU time per call, with the interquartile range of the
wall times, and the ratios new/base and new/PyTorch. Results are kept in ``benchmarks/results/``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from zengrad.benchmarking import per_call

ROWS = {"matmul_forward": 10000, "matmul_forward_backward": 2000, "chain_forward_backward": 2000, "gan": 20}


def unpack_base(commit: str, folder: str):
    """The package ``zgbase``: ``engine/zengrad`` at ``commit`` with the built ``_C`` beside it."""
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.run(["git", "-C", root, "archive", commit, "engine/zengrad"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", folder], input=archive, check=True)
    shutil.move(os.path.join(folder, "engine", "zengrad"), os.path.join(folder, "zgbase"))
    import zengrad._native
    extension = zengrad._native.native()
    if extension is not None:
        shutil.copy(extension.__file__, os.path.join(folder, "zgbase"))
    sys.path.insert(0, folder)
    return importlib.import_module("zgbase")


def step(lib, row: str):
    """One call of ``row`` for zengrad-like ``lib`` (or torch)."""
    if row == "gan":
        from zengrad.bench import models
        if lib.__name__ == "torch":
            return models.torch_step("gan")
        gan = importlib.import_module(lib.__name__ + ".models.gan")
        s, (a, b) = models.SHAPES["gan"], models._batches("gan")
        lib.manual_seed(0)
        generator, discriminator = gan.Generator(s["latent"], s["pixels"]), gan.Discriminator(s["pixels"])
        return models._gan_step(generator, discriminator,
                                lib.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                                lib.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999)),
                                lib.nn.BCEWithLogitsLoss(), lib.tensor(a), lib.tensor(b),
                                lib.ones(s["batch"], 1), lib.zeros(s["batch"], 1))
    rng = np.random.default_rng(0)
    x, w = (lib.tensor(rng.standard_normal((16, 16), dtype=np.float32), requires_grad=True) for _ in range(2))
    if row == "matmul_forward":
        return lambda: x @ w
    if row == "matmul_forward_backward":
        return lambda: (x @ w).sum().backward()
    return lambda: ((x * 2 + 1).tanh() * x).sum().backward()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="main", help="the commit to compare the working tree with")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    args = parser.parse_args()
    import torch
    import zengrad
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as folder:
        libs = {"base": unpack_base(args.base, folder), "new": zengrad, "torch": torch}
        print(f"base {args.base}, threads {threads}, load average {os.getloadavg()[0]:.2f}")
        for row in args.rows:
            steps = {side: step(lib, row) for side, lib in libs.items()}
            for fn in steps.values():
                per_call(fn, max(1, ROWS[row] // 4))
            times = {side: [] for side in steps}
            for _ in range(args.rounds):
                for side, fn in steps.items():
                    times[side].append(per_call(fn, ROWS[row]))
            med = {side: np.median(np.array(v), axis=0) * 1e6 for side, v in times.items()}
            print(row)
            for side, v in times.items():
                q1, q3 = np.percentile(np.array(v)[:, 0] * 1e6, [25, 75])
                print(f"  {side:5s} wall {med[side][0]:10.2f} µs (IQR {q1:.2f}-{q3:.2f})  CPU {med[side][1]:10.2f} µs")
            print("  " + "   ".join(f"{a}/{b} wall {med[a][0] / med[b][0]:.3f} CPU {med[a][1] / med[b][1]:.3f}"
                                    for a, b in (("new", "base"), ("base", "torch"), ("new", "torch"))), flush=True)


if __name__ == "__main__":
    main()
