"""Per-op overhead: the time of ops so small that the framework's own bookkeeping dominates.

Two workloads, each in zengrad and in PyTorch eager on the same 16×16 float32 inputs:
a chain of five elementwise ops (``((x·2 + 1).tanh() · x).sum()``) and one tiny matmul, forward
only and forward + backward. Reported as microseconds per op.
"""

from __future__ import annotations

import numpy as np

from ..benchmarking import median_seconds

CHAIN_OPS = 5  # mul, add, tanh, mul, sum


def _workloads(lib, x, w):
    def chain():
        return ((x * 2 + 1).tanh() * x).sum()

    def chain_backward():
        chain().backward()

    def tiny_matmul():
        return x @ w

    def tiny_matmul_backward():
        (x @ w).sum().backward()

    return {"chain_forward": (chain, CHAIN_OPS), "chain_forward_backward": (chain_backward, CHAIN_OPS),
            "matmul_forward": (tiny_matmul, 1), "matmul_forward_backward": (tiny_matmul_backward, 2)}


def _inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((16, 16), dtype=np.float32), rng.standard_normal((16, 16), dtype=np.float32)


def measure(framework: str, repeats: int = 200) -> dict:
    """{workload: microseconds per op} for "zengrad" or "torch"."""
    a, b = _inputs()
    if framework == "torch":
        import torch
        x, w = (torch.tensor(v, requires_grad=True) for v in (a, b))
        lib = torch
    else:
        import zengrad as zg
        x, w = (zg.tensor(v, requires_grad=True) for v in (a, b))
        lib = zg
    results = {}
    for name, (fn, ops) in _workloads(lib, x, w).items():
        rounds = [median_seconds(lambda _, f=fn: [f() for _ in range(20)], repeats // 10, warmup_s=0.1) / 20
                  for _ in range(3)]
        results[name] = min(rounds) / ops * 1e6  # the best of three rounds: noise only ever adds time
    return results
