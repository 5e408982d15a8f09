"""Benchmark zengrad's CUDA kernels against cuBLAS and cuDNN, side by side in one process.

Two tables:

* the matmul ladder — every rung and cuBLAS (CuPy, float32, TF32 off) at 1024³, 2048³ and 4096³:
  TFLOP/s and percent of cuBLAS;
* the LSTM — forward, and forward + backward, for zengrad (the default ``cuda:fused`` and each path
  forced), torch.nn.LSTM (cuDNN, TF32 off) and a PyTorch per-step LSTMCell loop, at
  (T, B, I, H) = (64, 32, 128, 256), (128, 64, 256, 512), (256, 128, 512, 1024).

Method: fresh random inputs (never zeros); at least 0.5 s of warm-up calls; then batches of
back-to-back calls, each batch between ONE pair of CUDA events (a batch lasts about 25 ms), so the
per-call Python work overlaps the GPU instead of landing inside a timed gap of its own (at 1024³
cuBLAS takes ~64 µs); the figure is the median over batches of batch time / calls. GEMM inputs
rotate among enough sets to exceed the L2 cache. cuBLAS and cuDNN run in this same process as the
baselines, in true FP32: CUPY_TF32=0 is forced before CuPy loads and PyTorch's TF32 switches are
turned off. Each matmul result is also checked against cuBLAS and the error recorded. For every
zengrad LSTM row the table names the path that ran (persistent or stepwise) and, when the persistent
kernel did not fit, why. The results, with the device, versions and date, go to the JSON file named
on the command line, and a markdown table beside it (.md).

Targets for the GPU session that runs this (goals, not results): the best rung >= 90% of cuBLAS at
4096³ (published hand-written FP32 kernels reach ~71% on an H100); LSTM forward + backward at
(128, 64, 256, 512) no slower than cuDNN and at least 5x faster than the LSTMCell loop.

Usage: python3 benchmarks/bench_cuda.py results/bench_cuda.json [--quick]
"""

from __future__ import annotations

import os

import sys

if "cupy" in sys.modules:
    raise RuntimeError("bench_cuda.py must set CUPY_TF32 before CuPy is imported")
os.environ["CUPY_TF32"] = "0"  # must precede the CuPy import: cuBLAS in true FP32

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from zengrad import backend, kernels_cuda  # noqa: E402
from zengrad._native import native  # noqa: E402

LADDER_SIZES = (1024, 2048, 4096)
LSTM_SHAPES = ((64, 32, 128, 256), (128, 64, 256, 512), (256, 128, 512, 1024))


WARMUP_S = 0.5    # warm-up calls for at least this long before any timing
BATCH_S = 0.025   # each timed batch of back-to-back calls lasts about this long


class CupyEvents:
    """CUDA events on CuPy's current stream."""

    def __init__(self):
        self.cp = backend.cupy()

    def pair(self):
        return self.cp.cuda.Event(), self.cp.cuda.Event()

    def elapsed_ms(self, start, end) -> float:
        return self.cp.cuda.get_elapsed_time(start, end)

    def synchronize(self) -> None:
        self.cp.cuda.get_current_stream().synchronize()


class TorchEvents:
    """CUDA events on PyTorch's current stream."""

    def __init__(self, torch):
        self.torch = torch

    def pair(self):
        return self.torch.cuda.Event(enable_timing=True), self.torch.cuda.Event(enable_timing=True)

    def elapsed_ms(self, start, end) -> float:
        return start.elapsed_time(end)

    def synchronize(self) -> None:
        self.torch.cuda.synchronize()


def gpu_time(fn, events, batches: int, budget_s: float) -> dict:
    """Milliseconds per call of ``fn()``: the median over ``batches`` batches of back-to-back calls.

    Warm-up: calls until WARMUP_S has passed (the last one synchronized); its rate sets the batch
    size, about BATCH_S of calls. Each batch is timed by one pair of CUDA events recorded before its
    first and after its last call. Stops early (after at least 3 batches) past ``budget_s``.
    """
    calls, t0 = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        if calls % 4 == 0 or calls == 1:
            events.synchronize()
            if time.perf_counter() - t0 >= WARMUP_S:
                break
    events.synchronize()
    per_call_s = (time.perf_counter() - t0) / calls
    size = max(1, min(10_000, round(BATCH_S / per_call_s)))
    times = []
    deadline = time.perf_counter() + budget_s
    for b in range(batches):
        start, end = events.pair()
        start.record()
        for _ in range(size):
            fn()
        end.record()
        end.synchronize()
        times.append(events.elapsed_ms(start, end) / size)
        if b >= 2 and time.perf_counter() > deadline:
            break
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
            "batches": len(times), "calls_per_batch": size, "warmup_calls": calls}


def tf32_off(torch) -> str:
    """Turns PyTorch's TF32 use off wherever this version has a switch for it; says what was set."""
    done = []
    for owner, name, value in ((torch.backends.cuda.matmul, "allow_tf32", False),
                               (torch.backends.cudnn, "allow_tf32", False),
                               (torch.backends.cuda.matmul, "fp32_precision", "ieee"),
                               (getattr(torch.backends.cudnn, "rnn", None), "fp32_precision", "ieee")):
        if owner is not None and hasattr(owner, name):
            try:
                setattr(owner, name, value)
                done.append(f"{name}={value}")
            except (RuntimeError, ValueError, AttributeError) as error:
                done.append(f"{name}: {error}")
    if hasattr(torch, "set_float32_matmul_precision"):
        torch.set_float32_matmul_precision("highest")
        done.append("float32_matmul_precision=highest")
    return ", ".join(done)


# ---------------------------------------------------------------------------------------------
# matmul ladder
# ---------------------------------------------------------------------------------------------

def bench_ladder(sizes, quick: bool, rows: list[dict]) -> None:
    """Appends one row per (size, implementation) to ``rows`` as it goes."""
    cp = backend.cupy()
    l2_bytes = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id).get("l2CacheSize", 50 * 2**20)
    for size in sizes:
        flops = 2.0 * size**3
        set_bytes = 3 * size * size * 4
        n_sets = max(1, min(8, int(np.ceil(2 * l2_bytes / set_bytes))))
        rng = np.random.default_rng(size)
        sets = [(cp.asarray(rng.standard_normal((size, size), dtype=np.float32)),
                 cp.asarray(rng.standard_normal((size, size), dtype=np.float32)),
                 cp.empty((size, size), dtype=cp.float32)) for _ in range(n_sets)]
        counter = [0]

        def rotating(call):
            def run():
                a, b, c = sets[counter[0] % n_sets]
                counter[0] += 1
                call(a, b, c)
            return run

        reference = cp.matmul(sets[0][0], sets[0][1])
        ref_norm = float(cp.linalg.norm(reference))
        events = CupyEvents()
        batches = 3 if quick else 7
        cublas = gpu_time(rotating(lambda a, b, c: cp.matmul(a, b, out=c)), events, batches, 3.0)
        rows.append({"size": size, "impl": "cuBLAS (CuPy)", **cublas,
                     "tflops": flops / cublas["median_ms"] / 1e9, "pct_cublas": 100.0, "rel_error": 0.0})
        for variant in kernels_cuda.MATMUL_VARIANTS:
            gemm = kernels_cuda.gemm(variant)
            check = cp.full((size, size), cp.nan, dtype=cp.float32)
            gemm(sets[0][0], sets[0][1], check, False, False)
            rel = float(cp.linalg.norm(check - reference)) / ref_norm
            stats = gpu_time(rotating(lambda a, b, c, g=gemm: g(a, b, c, False, False)), events, batches, 3.0)
            rows.append({"size": size, "impl": f"cuda:{variant}", **stats,
                         "tflops": flops / stats["median_ms"] / 1e9,
                         "pct_cublas": 100.0 * cublas["median_ms"] / stats["median_ms"], "rel_error": rel})
            print(f"  matmul {size}³ {variant:>13}: {rows[-1]['tflops']:7.2f} TFLOP/s "
                  f"({rows[-1]['pct_cublas']:5.1f}% of cuBLAS {flops / cublas['median_ms'] / 1e9:.2f}), rel err {rel:.1e}",
                  flush=True)
        # cuBLAS once more at the end: the spread between the two runs is the noise floor
        again = gpu_time(rotating(lambda a, b, c: cp.matmul(a, b, out=c)), events, batches, 3.0)
        rows.append({"size": size, "impl": "cuBLAS (CuPy), timed again", **again,
                     "tflops": flops / again["median_ms"] / 1e9,
                     "pct_cublas": 100.0 * cublas["median_ms"] / again["median_ms"], "rel_error": 0.0})


# ---------------------------------------------------------------------------------------------
# LSTM
# ---------------------------------------------------------------------------------------------

def bench_lstm(shapes, quick: bool, torch, rows: list[dict]) -> None:
    """Appends one row per (shape, implementation) to ``rows`` as it goes."""
    cp = backend.cupy()
    batches = 3 if quick else 7
    events = CupyEvents()
    for T, B, I, H in shapes:
        shape = {"T": T, "B": B, "I": I, "H": H}
        rng = np.random.default_rng(T * B + H)
        scale = 1 / np.sqrt(H)
        data = dict(
            x=rng.standard_normal((T, B, I), dtype=np.float32),
            h0=rng.standard_normal((B, H), dtype=np.float32),
            c0=rng.standard_normal((B, H), dtype=np.float32),
            w_ih=rng.uniform(-scale, scale, (4 * H, I)).astype(np.float32),
            w_hh=rng.uniform(-scale, scale, (4 * H, H)).astype(np.float32),
            bias=rng.uniform(-scale, scale, 4 * H).astype(np.float32),
            dy=rng.standard_normal((T, B, H), dtype=np.float32),
            dh_n=rng.standard_normal((B, H), dtype=np.float32),
            dc_n=rng.standard_normal((B, H), dtype=np.float32),
        )
        g = {k: cp.asarray(v) for k, v in data.items()}
        args = [g[k] for k in ("x", "h0", "c0", "w_ih", "w_hh", "bias")]
        status = {bw: kernels_cuda.persistent_status(T, B, I, H, backward=bw) for bw in (False, True)}
        why_not = "; ".join(f"{'backward' if bw else 'forward'}: {s}" for bw, s in status.items() if s)
        if why_not:
            print(f"  lstm {shape}: the persistent kernel does not run here ({why_not})", flush=True)
        modes = [("cuda:fused", "auto"), ("cuda:stepwise", "stepwise")]
        if not why_not:
            modes.append(("cuda:persistent", "persistent"))
        for impl, mode in modes:
            fwd = gpu_time(lambda m=mode: kernels_cuda.lstm_forward(*args, mode=m), events, batches, 4.0)

            def step(m=mode):
                y, h_n, c_n, gates, cells = kernels_cuda.lstm_forward(*args, mode=m)
                kernels_cuda.lstm_backward(g["dy"], g["dh_n"], g["dc_n"], *args[:5], gates, cells, mode=m)

            both = gpu_time(step, events, batches, 4.0)
            rows.append({**shape, "impl": f"zengrad {impl}", "path": dict(kernels_cuda.last_lstm_path),
                         "persistent_unavailable": why_not,
                         "forward_ms": fwd["median_ms"], "fwd_bwd_ms": both["median_ms"],
                         "forward": fwd, "fwd_bwd": both})
            print(f"  lstm {shape} zengrad {impl} ({kernels_cuda.last_lstm_path}): forward "
                  f"{fwd['median_ms']:.3f} ms, fwd+bwd {both['median_ms']:.3f} ms", flush=True)
        if torch is None:
            continue
        dev = torch.device("cuda")
        t = {k: torch.from_numpy(v).to(dev) for k, v in data.items()}
        lstm = torch.nn.LSTM(I, H).to(dev)
        cell = torch.nn.LSTMCell(I, H).to(dev)
        with torch.no_grad():
            for module, w_ih, w_hh, b_ih, b_hh in ((lstm, "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                                                   (cell, "weight_ih", "weight_hh", "bias_ih", "bias_hh")):
                getattr(module, w_ih).copy_(t["w_ih"])
                getattr(module, w_hh).copy_(t["w_hh"])
                getattr(module, b_ih).copy_(t["bias"])
                getattr(module, b_hh).zero_()
        x = t["x"].clone().requires_grad_()
        h0 = t["h0"][None].clone().requires_grad_()
        c0 = t["c0"][None].clone().requires_grad_()

        def cudnn_forward():
            return lstm(x, (h0, c0))

        def cudnn_both():
            y, (h_n, c_n) = lstm(x, (h0, c0))
            torch.autograd.backward([y, h_n, c_n], [t["dy"], t["dh_n"][None], t["dc_n"][None]])

        def cell_forward():
            h, c = h0[0], c0[0]
            ys = []
            for step_x in x:
                h, c = cell(step_x, (h, c))
                ys.append(h)
            return torch.stack(ys), h, c

        def cell_both():
            y, h_n, c_n = cell_forward()
            torch.autograd.backward([y, h_n, c_n], [t["dy"], t["dh_n"], t["dc_n"]])

        for impl, fwd_fn, both_fn in (("torch.nn.LSTM (cuDNN)", cudnn_forward, cudnn_both),
                                      ("torch LSTMCell loop", cell_forward, cell_both)):
            fwd = gpu_time(fwd_fn, TorchEvents(torch), batches, 4.0)
            both = gpu_time(both_fn, TorchEvents(torch), batches, 4.0)
            rows.append({**shape, "impl": impl, "forward_ms": fwd["median_ms"], "fwd_bwd_ms": both["median_ms"],
                         "forward": fwd, "fwd_bwd": both})
            print(f"  lstm {shape} {impl}: forward {fwd['median_ms']:.3f} ms, fwd+bwd {both['median_ms']:.3f} ms",
                  flush=True)


# ---------------------------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------------------------

def environment(torch) -> dict:
    cp = backend.cupy()
    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
    return {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "device": name,
        "multiprocessors": props.get("multiProcessorCount"),
        "l2_bytes": props.get("l2CacheSize"),
        "cuda_runtime": cp.cuda.runtime.runtimeGetVersion(),
        "cuda_driver": cp.cuda.runtime.driverGetVersion(),
        "cupy": cp.__version__,
        "torch": getattr(torch, "__version__", None),
        "cudnn": torch.backends.cudnn.version() if torch is not None else None,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "zengrad": getattr(native(), "__version__", None),
        "zengrad_cuda_architectures": native().cuda.architectures,
        "tf32": f"off: CUPY_TF32={os.environ.get('CUPY_TF32')}; torch: {tf32_off(torch) if torch is not None else '-'}",
        "timing": f"median over batches of back-to-back calls between one pair of CUDA events; "
                  f">= {WARMUP_S} s warm-up; ~{BATCH_S * 1e3:.0f} ms per batch",
        "measured_speed_note": "measured by this script on the device above",
    }


def markdown(env: dict, ladder: list[dict], lstm: list[dict]) -> str:
    lines = [f"# zengrad CUDA benchmark — {env['device']}, {env['date_utc']}", "",
             f"CUDA runtime {env['cuda_runtime']}, driver {env['cuda_driver']}, CuPy {env['cupy']}, "
             f"PyTorch {env['torch']}, cuDNN {env['cudnn']}; float32, TF32 {env['tf32']}.", "",
             f"Timing: {env['timing']}.", ""]
    if ladder:
        lines += ["## Matmul ladder (C = A·B, square, float32)", "",
                  "| impl | " + " | ".join(f"{s}³ TFLOP/s (% cuBLAS)" for s in sorted({r['size'] for r in ladder})) + " | max rel. error |",
                  "|---|" + "---|" * (len({r['size'] for r in ladder}) + 1)]
        for impl in dict.fromkeys(r["impl"] for r in ladder):
            cells, err = [], 0.0
            for size in sorted({r["size"] for r in ladder}):
                row = next((r for r in ladder if r["impl"] == impl and r["size"] == size), None)
                cells.append("—" if row is None else f"{row['tflops']:.2f} ({row['pct_cublas']:.0f}%)")
                err = max(err, row["rel_error"]) if row else err
            lines.append(f"| {impl} | " + " | ".join(cells) + f" | {err:.1e} |")
        lines.append("")
    if lstm:
        lines += ["## LSTM (1 layer, float32): forward and forward+backward, ms", "",
                  "| T, B, I, H | impl | forward ms | fwd+bwd ms | fwd+bwd vs cuDNN | fwd+bwd vs LSTMCell loop |",
                  "|---|---|---|---|---|---|"]
        for shape in dict.fromkeys((r["T"], r["B"], r["I"], r["H"]) for r in lstm):
            group = [r for r in lstm if (r["T"], r["B"], r["I"], r["H"]) == shape]
            cudnn = next((r for r in group if "cuDNN" in r["impl"]), None)
            loop = next((r for r in group if "LSTMCell" in r["impl"]), None)
            for r in group:
                vs_cudnn = f"{cudnn['fwd_bwd_ms'] / r['fwd_bwd_ms']:.2f}x" if cudnn else "—"
                vs_loop = f"{loop['fwd_bwd_ms'] / r['fwd_bwd_ms']:.2f}x" if loop else "—"
                impl = r["impl"] + (f" [ran: {r['path']['forward']}/{r['path']['backward']}]" if "path" in r else "")
                lines.append(f"| {', '.join(map(str, shape))} | {impl} | {r['forward_ms']:.3f} | {r['fwd_bwd_ms']:.3f} "
                             f"| {vs_cudnn} | {vs_loop} |")
        for shape in dict.fromkeys((r["T"], r["B"], r["I"], r["H"]) for r in lstm):
            why = next((r["persistent_unavailable"] for r in lstm if (r["T"], r["B"], r["I"], r["H"]) == shape
                        and r.get("persistent_unavailable")), "")
            if why:
                lines.append(f"\nAt {shape} the persistent kernel does not run on this device ({why}): "
                             "cuda:fused ran the step-by-step path.")
        lines += ["", "Speed-up columns: reference time / this row's time (above 1x means faster than the reference)."]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("json_path", help="where to write the results (JSON); a .md table goes beside it")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run of the script)")
    parser.add_argument("--skip-ladder", action="store_true")
    parser.add_argument("--skip-lstm", action="store_true")
    options = parser.parse_args()
    if not backend.cuda_is_available():
        parser.error(f"CUDA unavailable: {backend.cuda_unavailable_reason()}")
    if not kernels_cuda.built():
        parser.error("zengrad._C was built without the CUDA kernels")
    try:
        import torch
        if not torch.cuda.is_available():
            torch = None
    except ImportError:
        torch = None
    env = environment(torch)  # turns PyTorch's TF32 off and records how
    print(f"device: {env['device']}; CuPy {env['cupy']}; torch {env['torch']}", flush=True)
    ladder: list[dict] = []
    lstm: list[dict] = []
    error = None
    try:
        if not options.skip_ladder:
            bench_ladder(LADDER_SIZES, options.quick, ladder)
        if not options.skip_lstm:
            bench_lstm(LSTM_SHAPES, options.quick, torch, lstm)
    except Exception as exc:  # keep what was measured before the failure, and say what failed
        error = f"{type(exc).__name__}: {exc}"
        print(f"benchmark stopped early: {error}", flush=True)
    result = {"environment": env, "matmul_ladder": ladder, "lstm": lstm, "error": error}
    os.makedirs(os.path.dirname(os.path.abspath(options.json_path)), exist_ok=True)
    with open(options.json_path, "w") as f:
        json.dump(result, f, indent=2)
    table = markdown(env, ladder, lstm)
    if error:
        table += f"\n**The benchmark stopped early:** {error}\n"
    with open(os.path.splitext(options.json_path)[0] + ".md", "w") as f:
        f.write(table)
    print(table)
    return 1 if error else 0


if __name__ == "__main__":
    raise SystemExit(main())
