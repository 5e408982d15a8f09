"""`zengrad bench`: run the measurements, print a table, write JSON and draw a PNG.

Every figure is a ratio against a reference measured in the same process: NumPy/OpenBLAS (CPU)
or CuPy/cuBLAS (GPU) for the kernels, PyTorch for whole training steps and per-op overhead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from pathlib import Path

import numpy as np

from .. import backend, kernels, kernels_cpu
from ..benchmarking import machine_info, median_seconds
from . import memory, models, overhead

SIZES = {"quick": (128, 256, 512), "full": (512, 1024, 2048)}
LSTM_SHAPES = {"quick": (20, 16, 64, 64), "full": (100, 64, 256, 256)}
RNN_SHAPES = {"quick": (20, 16, 32, 64), "full": (64, 32, 32, 192)}  # full: the char RNN's layer
REFERENCES = {"cpu": "numpy", "cuda": "cupy"}
SLOW_IMPLS = {"cpu:reference": 256, "cuda:naive": 2048}  # largest size worth timing
#: the CPU ladder's rungs below the fast kernel: `zengrad bench matmul --ladder` times them
TEACHING_RUNGS = frozenset(kernels_cpu.LADDER) - {"cpu:native"}


def measured_cpu_peak_gflops() -> float | None:
    """The FMA throughput this machine reached on all of zengrad's threads (``_C.cpu.fma_peak_gflops``):
    a ceiling measured here, never exceeded by a kernel, unlike a figure computed from the base clock."""
    from .._native import native
    return native().cpu.fma_peak_gflops(0, 0.3) if native() is not None else None


def _timer(device: str):
    if device == "cpu":
        return lambda fn, repeats: median_seconds(fn, repeats)
    cupy = backend.cupy()

    def timed(fn, repeats):
        def synced(i):
            fn(i)
            cupy.cuda.get_current_stream().synchronize()
        return median_seconds(synced, repeats)
    return timed


def bench_matmul(device: str, sizes) -> list[dict]:
    """GFLOP/s of every matmul implementation on this device at n×n×n, and % of the reference."""
    xp, timer = backend.array_module(device), _timer(device)
    rows = []
    for n in sizes:
        rng = np.random.default_rng(n)
        a = xp.asarray(rng.standard_normal((n, n), dtype=np.float32))
        b = xp.asarray(rng.standard_normal((n, n), dtype=np.float32))
        reference = None
        for impl in kernels.available()["matmul"].get(device, []):
            if n > SLOW_IMPLS.get(impl, n) or impl in TEACHING_RUNGS:
                continue
            seconds = timer(lambda _, impl=impl: kernels.matmul(a, b, impl=impl), 5 if n >= 1024 else 10)
            gflops = 2 * n ** 3 / seconds / 1e9
            if impl == REFERENCES[device]:
                reference = gflops
            rows.append({"kernel": "matmul", "impl": impl, "n": n, "seconds": seconds, "gflops": gflops})
        for row in rows:
            if row["n"] == n and reference:
                row["percent_of_reference"] = 100 * row["gflops"] / reference
    return rows


def bench_lstm(device: str, shape) -> list[dict]:
    """LSTM forward + backward of every implementation, the composed one and PyTorch's, and the
    time of the matrix products alone: the floor under any LSTM built on the default matmul."""
    from ..benchmarking import lstm_problem, lstm_step
    T, B, I, H = shape
    inputs, dy = lstm_problem(T, B, I, H)
    xp, timer = backend.array_module(device), _timer(device)
    inputs, dy = [xp.asarray(a) for a in inputs], xp.asarray(dy)
    candidates = list(kernels.available().get("lstm_forward", {}).get(device, []))
    rows = []
    for impl in candidates:
        rows.append({"impl": impl, "seconds": timer(lstm_step(impl, inputs, dy), 5)})
    rows.append({"impl": "composed (autograd ops)", "seconds": timer(lstm_step("composed", inputs, dy), 3)})
    rows.append({"impl": "its GEMMs alone (matmul calls)", "seconds": timer(lstm_step("gemms", inputs, dy), 5)})
    if device == "cpu" and _has_torch():
        rows.append({"impl": "torch.nn.LSTM", "seconds": timer(lstm_step("torch", [np.asarray(a) for a in inputs], np.asarray(dy)), 5)})
    return _against_torch(rows, "lstm fwd+bwd", "torch.nn.LSTM", shape)


def bench_rnn(device: str, shape) -> list[dict]:
    """Elman RNN (tanh) forward + backward of every implementation, the composed one and PyTorch's."""
    from ..benchmarking import rnn_problem, rnn_step
    inputs, dy = rnn_problem(*shape)
    xp, timer = backend.array_module(device), _timer(device)
    inputs, dy = [xp.asarray(a) for a in inputs], xp.asarray(dy)
    rows = [{"impl": impl, "seconds": timer(rnn_step(impl, inputs, dy), 5)}
            for impl in kernels.available().get("rnn_forward", {}).get(device, [])]
    rows.append({"impl": "composed (autograd ops)", "seconds": timer(rnn_step("composed", inputs, dy), 3)})
    if device == "cpu" and _has_torch():
        rows.append({"impl": "torch.nn.RNN", "seconds": timer(rnn_step("torch", inputs, dy), 5)})
    return _against_torch(rows, "rnn fwd+bwd", "torch.nn.RNN", shape)


def _against_torch(rows: list[dict], kernel: str, torch_impl: str, shape) -> list[dict]:
    """Label the rows and add each one's speed relative to PyTorch's row, when there is one."""
    T, B, I, H = shape
    reference = next((r["seconds"] for r in rows if r["impl"] == torch_impl), None)
    for row in rows:
        row.update(kernel=kernel, shape=dict(T=T, B=B, I=I, H=H))
        if reference:
            row["speed_vs_torch"] = reference / row["seconds"]
    return rows


def _has_torch() -> bool:
    return importlib.util.find_spec("torch") is not None


def bench_models(device: str, steps: int, with_memory: bool) -> list[dict]:
    """Seconds per training step (and peak memory) of each model in zengrad and PyTorch."""
    rows = []
    threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    if _has_torch():
        import torch
        torch.set_num_threads(threads)
    timer = _timer(device)
    for model in models.MODELS:
        row = {"model": model, "zengrad_seconds": timer(_as_call(models.zengrad_step(model, device)), steps)}
        if _has_torch():
            row["torch_seconds"] = timer(_as_call(models.torch_step(model, device)), steps)
            row["ratio_to_torch"] = row["zengrad_seconds"] / row["torch_seconds"]
        if with_memory:
            row["zengrad_peak_bytes"] = memory.peak_step_memory("zengrad", model, device, threads=threads)
            if _has_torch():
                row["torch_peak_bytes"] = memory.peak_step_memory("torch", model, device, threads=threads)
                if row["zengrad_peak_bytes"] and row["torch_peak_bytes"]:
                    row["memory_ratio_to_torch"] = row["zengrad_peak_bytes"] / row["torch_peak_bytes"]
        rows.append(row)
    return rows


def _as_call(step):
    return lambda _: step()


def bench_overhead() -> list[dict]:
    ours = overhead.measure("zengrad")
    theirs = overhead.measure("torch") if _has_torch() else {}
    return [{"workload": name, "zengrad_us_per_op": us, "torch_us_per_op": theirs.get(name),
             "ratio_to_torch": us / theirs[name] if name in theirs else None} for name, us in ours.items()]


def measure_and_report(what: str = "all", device: str = "cpu", quick: bool = False, out: str | None = None) -> dict:
    """Run the chosen measurements; print the tables; write ``bench.json`` and ``bench.png`` to ``out``."""
    mode = "quick" if quick else "full"
    results = {"machine": machine_info(), "device": device, "mode": mode,
               "measured_cpu_peak_gflops": measured_cpu_peak_gflops() if device == "cpu" else None}
    started = time.perf_counter()
    if what in ("all", "matmul"):
        results["matmul"] = bench_matmul(device, SIZES[mode])
    if what in ("all", "lstm"):
        results["lstm"] = bench_lstm(device, LSTM_SHAPES[mode])
    if what in ("all", "rnn"):
        results["rnn"] = bench_rnn(device, RNN_SHAPES[mode])
    if what in ("all", "models"):
        results["models"] = bench_models(device, steps=3 if quick else 10, with_memory=not quick)
    if what in ("all", "overhead"):
        results["overhead"] = bench_overhead()
    results["seconds"] = time.perf_counter() - started
    print(format_tables(results))
    if out:
        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
        (path / "bench.json").write_text(json.dumps(results, indent=2, default=str))
        draw(results, path / "bench.png")
        print(f"\nwrote {path / 'bench.json'} and {path / 'bench.png'}")
    return results


def _table(headers, rows) -> str:
    cells = [[str(h) for h in headers]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def format_tables(results: dict) -> str:
    m = results["machine"]
    parts = [f"zengrad bench — {results['device']}, {results['mode']} — {m['cpu']}, {m['date']}, "
             f"OMP_NUM_THREADS={m['omp_num_threads']}"]
    peak = results.get("measured_cpu_peak_gflops")
    if "matmul" in results:
        parts.append("\nmatmul (float32, n×n×n)")
        parts.append(_table(["impl", "n", "ms", "GFLOP/s", "% of reference", "% of measured peak"],
                            [[r["impl"], r["n"], 1e3 * r["seconds"], r["gflops"], r.get("percent_of_reference"),
                              100 * r["gflops"] / peak if peak else None] for r in results["matmul"]]))
    for key, title in (("lstm", "LSTM"), ("rnn", "Elman RNN (tanh)")):
        if key in results:
            s = results[key][0]["shape"]
            parts.append(f"\n{title} forward+backward (T={s['T']}, B={s['B']}, I={s['I']}, H={s['H']})")
            parts.append(_table(["impl", "ms", "× faster than torch"],
                                [[r["impl"], 1e3 * r["seconds"], r.get("speed_vs_torch")] for r in results[key]]))
    if "models" in results:
        parts.append("\ntraining step")
        parts.append(_table(["model", "zengrad ms", "torch ms", "time ratio", "zengrad MiB", "torch MiB", "memory ratio"],
                            [[r["model"], 1e3 * r["zengrad_seconds"], _ms(r.get("torch_seconds")), r.get("ratio_to_torch"),
                              _mib(r.get("zengrad_peak_bytes")), _mib(r.get("torch_peak_bytes")),
                              r.get("memory_ratio_to_torch")] for r in results["models"]]))
    if "overhead" in results:
        parts.append("\nper-op overhead (16×16 float32)")
        parts.append(_table(["workload", "zengrad µs/op", "torch µs/op", "ratio"],
                            [[r["workload"], r["zengrad_us_per_op"], r["torch_us_per_op"], r["ratio_to_torch"]]
                             for r in results["overhead"]]))
    parts.append(f"\n({results['seconds']:.0f} s)")
    return "\n".join(parts)


def _ms(seconds):
    return None if seconds is None else 1e3 * seconds


def _mib(count):
    return None if count is None else count / 2**20


def draw(results: dict, path) -> None:
    """Left: matmul GFLOP/s against arithmetic intensity (n/6 flop/byte for n×n×n float32), with the
    measured compute roof; right: training-step time, zengrad against PyTorch."""
    from ..models.run import pyplot
    plt = pyplot()
    figure, (roof, bars) = plt.subplots(1, 2, figsize=(12, 4.5))
    for impl in dict.fromkeys(r["impl"] for r in results.get("matmul", [])):
        rows = [r for r in results["matmul"] if r["impl"] == impl]
        roof.plot([r["n"] / 6 for r in rows], [r["gflops"] for r in rows], "o-", label=impl)
    if results.get("measured_cpu_peak_gflops"):
        roof.axhline(results["measured_cpu_peak_gflops"], color="k", ls="--", label="measured FMA peak")
    roof.set(xscale="log", yscale="log", xlabel="arithmetic intensity (flop/byte)", ylabel="GFLOP/s",
             title=f"matmul on {results['device']}")
    roof.legend(fontsize=7)
    rows = results.get("models", [])
    x = np.arange(len(rows))
    bars.bar(x - 0.2, [1e3 * r["zengrad_seconds"] for r in rows], 0.4, label="zengrad")
    if rows and "torch_seconds" in rows[0]:
        bars.bar(x + 0.2, [1e3 * r["torch_seconds"] for r in rows], 0.4, label="PyTorch")
    bars.set(xticks=x, xticklabels=[r["model"] for r in rows], ylabel="ms per training step", yscale="log",
             title="training step")
    bars.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
