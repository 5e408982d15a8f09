"""Run every CUDA kernel of zengrad once on small, awkward shapes and check the results.

The workload for compute-sanitizer (tools/gpu_run.sh runs it under memcheck and racecheck): small
enough to finish under instrumentation, yet it reaches every code path — every matmul rung with all
transpose flags, edge tiles, full tiles (the float4 paths) and misaligned views (the scalar
fallbacks); the LSTM step-by-step driver and both persistent kernels, including H not a multiple of 4
and a backward pass that stages dz in more than one chunk. CuPy's memory pool is switched off, so
each array is its own cudaMalloc and an out-of-bounds access cannot hide inside a pooled block.

Exit status 0 when every result matched, 1 otherwise.  Usage: python3 tools/cuda_smoke.py
"""

from __future__ import annotations

import sys

import numpy as np

from zengrad import backend, kernels_cuda

cp = backend.cupy()
cp.cuda.set_allocator(None)

failures: list[str] = []


def check(label: str, got, want, rtol: float) -> None:
    got = cp.asnumpy(got).astype(np.float64)
    want = cp.asnumpy(want).astype(np.float64)
    if got.shape != want.shape:
        failures.append(f"{label}: shape {got.shape} != {want.shape}")
    elif np.isnan(got).any():
        failures.append(f"{label}: NaN in output")
    elif want.size and np.linalg.norm(got - want) > rtol * max(np.linalg.norm(want), 1e-30):
        failures.append(f"{label}: relative error {np.linalg.norm(got - want) / np.linalg.norm(want):.2e}")


def matmul_cases(rng):
    shapes = [(1, 1, 1), (7, 5, 3), (33, 65, 17), (130, 129, 40), (256, 256, 64), (0, 3, 2), (3, 3, 0)]
    for variant in kernels_cuda.MATMUL_VARIANTS:
        fn = kernels_cuda.gemm(variant)
        for m, n, k in shapes:
            for trans_a in (False, True):
                for trans_b in (False, True):
                    a = cp.asarray(rng.standard_normal((k, m) if trans_a else (m, k), dtype=np.float32))
                    b = cp.asarray(rng.standard_normal((n, k) if trans_b else (k, n), dtype=np.float32))
                    out = cp.full((m, n), cp.nan, dtype=cp.float32)
                    fn(a, b, out, trans_a, trans_b)
                    want = (a.T if trans_a else a).astype(cp.float64) @ (b.T if trans_b else b).astype(cp.float64)
                    check(f"matmul {variant} {(m, n, k)} ta={trans_a} tb={trans_b}", out, want, 1e-5)
        # misaligned views: every operand starts 4 bytes into its buffer
        m, n, k = 128, 132, 32
        a = cp.asarray(rng.standard_normal(m * k + 1, dtype=np.float32))[1:].reshape(m, k)
        b = cp.asarray(rng.standard_normal(k * n + 1, dtype=np.float32))[1:].reshape(k, n)
        out = cp.full(m * n + 1, cp.nan, dtype=cp.float32)[1:].reshape(m, n)
        fn(a, b, out, False, False)
        check(f"matmul {variant} misaligned", out, a.astype(cp.float64) @ b.astype(cp.float64), 1e-5)


def lstm_cases(rng):
    sizes = [(3, 5, 7, 33), (4, 6, 8, 64), (2, 3, 4, 301), (2, 70, 3, 9), (1, 1, 1, 1)]
    for T, B, I, H in sizes:
        scale = 1 / np.sqrt(H)
        x = cp.asarray(rng.standard_normal((T, B, I), dtype=np.float32))
        h0 = cp.asarray(rng.standard_normal((B, H), dtype=np.float32))
        c0 = cp.asarray(rng.standard_normal((B, H), dtype=np.float32))
        w_ih = cp.asarray(rng.uniform(-scale, scale, (4 * H, I)).astype(np.float32))
        w_hh = cp.asarray(rng.uniform(-scale, scale, (4 * H, H)).astype(np.float32))
        bias = cp.asarray(rng.uniform(-scale, scale, 4 * H).astype(np.float32))
        dy = cp.asarray(rng.standard_normal((T, B, H), dtype=np.float32))
        dh_n = cp.asarray(rng.standard_normal((B, H), dtype=np.float32))
        dc_n = cp.asarray(rng.standard_normal((B, H), dtype=np.float32))
        results = {}
        for mode in ("stepwise", "persistent"):
            fits = all(kernels_cuda.persistent_status(T, B, I, H, backward=bw) == "" for bw in (False, True))
            if mode == "persistent" and not fits:
                continue
            try:
                fwd = kernels_cuda.lstm_forward(x, h0, c0, w_ih, w_hh, bias, mode=mode)
                back = kernels_cuda.lstm_backward(dy, dh_n, dc_n, x, h0, c0, w_ih, w_hh, fwd[3], fwd[4], mode=mode)
            except RuntimeError as error:  # a sanitizer may leave too few SMs for a cooperative grid
                if "refused the cooperative launch" not in str(error):
                    raise
                print(f"note: lstm {mode} {(T, B, I, H)} did not run: {error}")
                continue
            results[mode] = (*fwd, *back)
        # forward values against a float64 CuPy recurrence
        h, c = h0.astype(cp.float64), c0.astype(cp.float64)
        for t in range(T):
            z = x[t].astype(cp.float64) @ w_ih.T.astype(cp.float64) + h @ w_hh.T.astype(cp.float64) + bias
            i, f = 1 / (1 + cp.exp(-z[:, :H])), 1 / (1 + cp.exp(-z[:, H:2 * H]))
            g, o = cp.tanh(z[:, 2 * H:3 * H]), 1 / (1 + cp.exp(-z[:, 3 * H:]))
            c = f * c + i * g
            h = o * cp.tanh(c)
        for mode, outs in results.items():
            check(f"lstm {mode} {(T, B, I, H)} h_n", outs[1], h, 2e-4)
            check(f"lstm {mode} {(T, B, I, H)} c_n", outs[2], c, 2e-4)
        if len(results) == 2:
            names = ("y", "h_n", "c_n", "gates", "cells", "dx", "dh0", "dc0", "dw_ih", "dw_hh", "dbias")
            for name, a, b in zip(names, results["stepwise"], results["persistent"]):
                check(f"lstm persistent vs stepwise {(T, B, I, H)} {name}", b, a, 1e-4)


def main() -> int:
    if not backend.cuda_is_available() or not kernels_cuda.built():
        print(f"cuda_smoke: CUDA unavailable ({backend.cuda_unavailable_reason() or 'built without CUDA'})")
        return 1
    rng = np.random.default_rng(2024)
    matmul_cases(rng)
    lstm_cases(rng)
    cp.cuda.Device().synchronize()
    for failure in failures:
        print("FAIL", failure)
    print(f"cuda_smoke: {'OK' if not failures else f'{len(failures)} failures'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
