"""CPU kernel benchmarks: the native matmul, LSTM and RNN against NumPy/OpenBLAS and PyTorch.

Same thread count on every side: start the process with it set, before NumPy loads.

  # pytest-benchmark tables (the plain test run skips benchmarks; these flags turn them on)
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 python -m pytest benchmarks/bench_cpu_kernels.py \\
      --benchmark-enable --benchmark-only -p no:cacheprovider

  # measure side by side and save benchmarks/results/cpu_<date>.json and cpu.md
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 python benchmarks/bench_cpu_kernels.py --save
"""

from __future__ import annotations

import argparse
import itertools
import datetime
import json
import os
import pathlib

import numpy as np
import pytest

from zengrad import benchmarking, kernels

MATMUL_SIZES = (512, 1024, 2048)
MATMUL_IMPLS = ("numpy", "cpu:native")
LSTM_SHAPE = dict(T=100, B=64, I=256, H=256)
LSTM_IMPLS = ("numpy", "cpu:native", "torch", "composed", "gemms")
RNN_SHAPE = dict(T=64, B=32, I=32, H=192)  # the char RNN's layer (zengrad train rnn)
RNN_IMPLS = ("numpy", "cpu:native", "torch", "composed")
RESULTS = pathlib.Path(__file__).parent / "results"


def _require(impl: str, kernel: str) -> None:
    if impl == "torch":
        pytest.importorskip("torch")
    elif impl not in benchmarking.BASELINES and impl not in kernels.available()[kernel].get("cpu", []):
        pytest.skip(f"{kernel}: {impl} is not built")


@pytest.mark.parametrize("n", MATMUL_SIZES)
@pytest.mark.parametrize("impl", MATMUL_IMPLS)
def test_matmul(benchmark, impl, n):
    _require(impl, "matmul")
    call = benchmarking.matmul_call(impl, n, seed=n)
    calls = itertools.count(benchmarking.warm_up(call))
    benchmark.pedantic(lambda: call(next(calls)), rounds=10 if n < 2048 else 5)
    benchmark.extra_info["gflops_median"] = benchmarking.matmul_gflops(n, benchmark.stats.stats.median)


@pytest.mark.parametrize("impl", LSTM_IMPLS)
def test_lstm_forward_backward(benchmark, impl):
    _require(impl, "lstm_forward")
    step = benchmarking.lstm_step(impl, *benchmarking.lstm_problem(**LSTM_SHAPE))
    benchmarking.warm_up(step)
    benchmark.pedantic(step, args=(0,), rounds=5)


@pytest.mark.parametrize("impl", RNN_IMPLS)
def test_rnn_forward_backward(benchmark, impl):
    _require(impl, "rnn_forward")
    step = benchmarking.rnn_step(impl, *benchmarking.rnn_problem(**RNN_SHAPE))
    benchmarking.warm_up(step)
    benchmark.pedantic(step, args=(0,), rounds=10)


# ---- the saved side-by-side measurement ---------------------------------------------------------

def measure(rounds: int = 3, wait_idle_s: float = 0.0) -> dict:
    """Medians over `rounds` alternating passes, so slow spells of a shared machine hit all sides.

    With ``wait_idle_s`` > 0, each round first waits up to that long for the CPUs to be idle.
    """
    machine = benchmarking.machine_info()  # before the runs: the load average as they start
    matmul = {impl: {n: [] for n in MATMUL_SIZES} for impl in MATMUL_IMPLS}
    lstm = {impl: [] for impl in LSTM_IMPLS}
    rnn = {impl: [] for impl in RNN_IMPLS}
    rnn_problem = benchmarking.rnn_problem(**RNN_SHAPE)
    idle_before_rounds = []
    for _ in range(rounds):
        if wait_idle_s > 0:
            idle_before_rounds.append(benchmarking.wait_until_idle(timeout_s=wait_idle_s))
        for n in MATMUL_SIZES:
            for impl in MATMUL_IMPLS:
                matmul[impl][n].append(benchmarking.time_matmul(impl, n, repeats=10 if n < 2048 else 5))
        for impl in LSTM_IMPLS:
            lstm[impl].append(benchmarking.time_lstm(impl, **LSTM_SHAPE, repeats=3))
        for impl in RNN_IMPLS:
            rnn[impl].append(benchmarking.median_seconds(benchmarking.rnn_step(impl, *rnn_problem), 7))
    result = {"machine": machine, "rounds": rounds, "matmul": {}, "lstm": {},
              "idle_fraction_before_rounds": idle_before_rounds}
    if hasattr(os, "getloadavg"):
        result["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    for n in MATMUL_SIZES:
        seconds = {impl: float(np.median(matmul[impl][n])) for impl in MATMUL_IMPLS}
        result["matmul"][str(n)] = {
            impl: {"ms": 1e3 * s, "gflops": benchmarking.matmul_gflops(n, s),
                   "per_round_gflops": [benchmarking.matmul_gflops(n, t) for t in matmul[impl][n]]}
            for impl, s in seconds.items()}
        result["matmul"][str(n)]["native_vs_numpy"] = seconds["numpy"] / seconds["cpu:native"]
    ms = {impl: 1e3 * float(np.median(times)) for impl, times in lstm.items()}
    result["lstm"] = {"shape": LSTM_SHAPE, "ms": ms,
                      "per_round_ms": {impl: [1e3 * t for t in times] for impl, times in lstm.items()},
                      "native_speedup_vs_numpy": ms["numpy"] / ms["cpu:native"],
                      "native_speedup_vs_torch": ms["torch"] / ms["cpu:native"],
                      "native_speedup_vs_composed": ms["composed"] / ms["cpu:native"],
                      "composed_over_gemms": ms["composed"] / ms["gemms"]}
    rnn_ms = {impl: 1e3 * float(np.median(times)) for impl, times in rnn.items()}
    result["rnn"] = {"shape": RNN_SHAPE, "nonlinearity": "tanh", "ms": rnn_ms,
                     "per_round_ms": {impl: [1e3 * t for t in times] for impl, times in rnn.items()}}
    return result


def markdown(result: dict) -> str:
    machine = result["machine"]
    lines = [
        "# CPU kernels: measured",
        "",
        f"{machine['date']} on {machine['cpu']} ({machine['cores']} cores, shared with other jobs), "
        f"OMP_NUM_THREADS={machine['omp_num_threads']}, OPENBLAS_NUM_THREADS="
        f"{machine['openblas_num_threads']}; NumPy {machine['numpy']}, PyTorch {machine.get('torch', '-')}, "
        f"matmul path {machine.get('matmul_isa', '-')}; 1-minute load average "
        f"{machine['load_average_1_5_15min'][0]} before, {machine['load_average_after'][0]} after. "
        f"Each figure is the median of "
        f"{result['rounds']} alternating rounds, each itself a median after a warm-up; the machine "
        "is shared, so single rounds vary by tens of percent (all rounds are in the JSON file).",
    ]
    if result.get("idle_fraction_before_rounds"):
        idle = ", ".join("-" if f is None else f"{100 * f:.0f}%" for f in result["idle_fraction_before_rounds"])
        lines[-1] += f" Idle CPU share just before each round: {idle}."
    lines += [
        "",
        "| float32 matmul n×n×n | NumPy (OpenBLAS) GFLOP/s | cpu:native GFLOP/s | native / NumPy |",
        "|---:|---:|---:|---:|",
    ]
    for n, row in result["matmul"].items():
        lines.append(f"| {n} | {row['numpy']['gflops']:.0f} | {row['cpu:native']['gflops']:.0f} | "
                     f"{100 * row['native_vs_numpy']:.0f}% |")
    lstm = result["lstm"]
    shape = ", ".join(f"{k}={v}" for k, v in lstm["shape"].items())
    lines += [
        "",
        f"| LSTM forward + backward ({shape}) | ms | this time ÷ cpu:native time |",
        "|---|---:|---:|",
    ]
    for impl, label in (("cpu:native", "cpu:native (C++)"), ("torch", "torch.nn.LSTM"),
                        ("numpy", "NumPy reference"), ("composed", "composed autograd LSTM"),
                        ("gemms", "its GEMMs alone, one kernels.matmul call each")):
        speedup = lstm["ms"][impl] / lstm["ms"]["cpu:native"]
        lines.append(f"| {label} | {lstm['ms'][impl]:.1f} | {speedup:.2f}× |")
    lines += [
        "",
        "The composed LSTM runs the same GEMMs through the same matmul, so against it a kernel "
        f"built on this matmul gains little more than composed ÷ GEMMs = {lstm['composed_over_gemms']:.2f}× "
        "on this machine (the GEMMs above are called one by one and each packs W_hh again, which a "
        f"kernel does once); the native kernel gains {lstm['native_speedup_vs_composed']:.2f}×.",
    ]
    rnn = result["rnn"]
    shape = ", ".join(f"{k}={v}" for k, v in rnn["shape"].items())
    lines += [
        "",
        f"| Elman RNN (tanh) forward + backward ({shape}) | ms | this time ÷ cpu:native time |",
        "|---|---:|---:|",
    ]
    for impl, label in (("cpu:native", "cpu:native (C++)"), ("torch", "torch.nn.RNN"),
                        ("numpy", "NumPy reference"), ("composed", "composed autograd RNN")):
        lines.append(f"| {label} | {rnn['ms'][impl]:.2f} | {rnn['ms'][impl] / rnn['ms']['cpu:native']:.2f}× |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--save", action="store_true", help="write benchmarks/results/cpu_<date>.json and cpu.md")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--wait-idle", type=float, default=0.0, metavar="SECONDS",
                        help="before each round, wait up to SECONDS for idle CPUs (shared machines)")
    args = parser.parse_args()
    result = measure(args.rounds, args.wait_idle)
    table = markdown(result)
    print(table)
    if args.save:
        RESULTS.mkdir(exist_ok=True)
        day = datetime.date.today().isoformat()
        (RESULTS / f"cpu_{day}.json").write_text(json.dumps(result, indent=2) + "\n")
        (RESULTS / "cpu.md").write_text(table)


if __name__ == "__main__":
    main()
