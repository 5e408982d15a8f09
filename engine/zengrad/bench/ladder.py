"""`zengrad bench matmul --ladder`: every rung of the CPU matmul ladder against this machine's own
ceilings, OpenBLAS and (when installed) PyTorch.

Each rung (``kernels_cpu.LADDER``) multiplies the same random float32 n×n matrices. Every
implementation is timed in its own block of back-to-back calls after a warm-up — never interleaved
call by call with another library, whose idle worker threads would still be spinning on the cores —
and reported as the median of the block with its spread (slowest − fastest, in % of the median).

* **% of peak**: against the FMA throughput measured by ``_C.cpu.fma_peak_gflops`` on as many
  threads as the rung uses (one, except ``cpu:native``): a roof the hardware cannot pass.
* **% of OpenBLAS / PyTorch**: against NumPy's ``@`` and ``torch.mm`` on the same number of threads,
  timed in their own blocks in the same process.

The roofline plot puts each measurement at the arithmetic intensity of an n×n×n product
(2n³ flops over 3·4n² bytes = n/6 flop/byte) under the measured compute and bandwidth roofs.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import time

import numpy as np

from .. import kernels, kernels_cpu, threads
from .._native import native
from ..benchmarking import machine_info, warm_up

SIZES = {"quick": (256, 512), "full": (512, 1024)}
SLOWEST_SIZE = {"cpu:naive": 1024}  # beyond this a rung takes minutes: skipped
BLOCK_SECONDS = 1.0                 # aim for about this much timing per implementation and size


def time_block(call, budget_s: float = BLOCK_SECONDS, min_repeats: int = 3, max_repeats: int = 25) -> dict:
    """Warm up, then time ``call()`` back to back: median seconds and spread of the block."""
    warm_up(lambda _: call(), seconds=min(0.2, budget_s / 5))
    start = time.perf_counter()
    call()
    first = time.perf_counter() - start
    repeats = int(np.clip(budget_s / max(first, 1e-9), min_repeats, max_repeats))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    median = float(np.median(times))
    return {"seconds": median, "spread_percent": 100 * (max(times) - min(times)) / median, "repeats": repeats}


@contextlib.contextmanager
def openblas_threads(count: int):
    """Run NumPy's OpenBLAS on ``count`` threads inside the block (through its own
    ``openblas_set_num_threads``, found among the libraries this process loaded); yields whether
    that worked. Without it, OpenBLAS keeps the count it started with (OPENBLAS_NUM_THREADS)."""
    library = _loaded_openblas()
    if library is None:
        yield False
        return
    get, set_ = library
    before = get()
    set_(count)
    try:
        yield True
    finally:
        set_(before)


def _loaded_openblas():
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line and "/" in line}
    except OSError:
        return None
    for path in sorted(paths):
        library = ctypes.CDLL(path)
        for suffix in ("64_", "", "_64_"):
            get = getattr(library, f"scipy_openblas_get_num_threads{suffix}", None) or \
                getattr(library, f"openblas_get_num_threads{suffix}", None)
            set_ = getattr(library, f"scipy_openblas_set_num_threads{suffix}", None) or \
                getattr(library, f"openblas_set_num_threads{suffix}", None)
            if get and set_:
                set_.argtypes = [ctypes.c_int]
                return get, set_
    return None


def measure_peaks(thread_count: int, seconds: float = 0.3, buffer_bytes: int = 128 << 20) -> dict:
    """The machine's ceilings: FMA GFLOP/s and read GB/s on one thread and on ``thread_count``
    (the buffer should be several times the last-level cache)."""
    cpu = native().cpu
    return {"threads": thread_count,
            "fma_gflops_1": cpu.fma_peak_gflops(1, seconds),
            "fma_gflops_all": cpu.fma_peak_gflops(thread_count, seconds),
            "read_gbs_1": cpu.memory_read_gbs(buffer_bytes, 1, 3),
            "read_gbs_all": cpu.memory_read_gbs(buffer_bytes, thread_count, 3)}


def rung_threads(impl: str, thread_count: int) -> int:
    return thread_count if impl == "cpu:native" else 1


def _references(thread_count: int, with_torch: bool):
    """(name, threads, make_call) of the libraries measured next to the ladder."""
    refs = [("OpenBLAS (NumPy)", t, lambda a, b: (lambda: a @ b)) for t in sorted({1, thread_count})]
    if with_torch and importlib.util.find_spec("torch") is not None:
        import torch

        def torch_call(a, b, t):
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)

            def call():
                torch.set_num_threads(t)
                return torch.mm(ta, tb)
            return call
        refs += [("PyTorch", t, lambda a, b, t=t: torch_call(a, b, t)) for t in sorted({1, thread_count})]
    return refs


def bench_ladder(sizes, thread_count: int | None = None, budget_s: float = BLOCK_SECONDS,
                 rungs=None, peaks: dict | None = None, with_torch: bool = True) -> dict:
    """Time every rung (and the references) at each n×n×n; returns rows with GFLOP/s, % of peak,
    % of OpenBLAS and % of PyTorch (when installed and ``with_torch``) at the same thread count, and
    the peaks (measured here unless given, from :func:`measure_peaks`)."""
    if native() is None:
        raise RuntimeError("bench matmul --ladder: the native extension zengrad._C is not built")
    before = threads.get_num_threads()
    thread_count = thread_count or before
    threads.set_num_threads(thread_count)
    try:
        peaks = peaks or measure_peaks(thread_count)
        rows = []
        for n in sizes:
            rows += _bench_size(n, thread_count, budget_s, rungs or kernels_cpu.LADDER, with_torch)
        _add_ratios(rows, peaks)
    finally:
        threads.set_num_threads(before)
    return {"machine": machine_info(), "threads": thread_count, "peaks": peaks, "rows": rows}


def _bench_size(n, thread_count, budget_s, rungs, with_torch):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    flops = 2.0 * n ** 3
    rows = []
    for impl in rungs:
        if n > SLOWEST_SIZE.get(impl, n):
            continue
        timing = time_block(lambda impl=impl: kernels.matmul(a, b, impl=impl), budget_s)
        rows.append({"impl": impl, "n": n, "threads": rung_threads(impl, thread_count), "rung": True,
                     "gflops": flops / timing["seconds"] / 1e9, **timing})
    for name, count, make in _references(thread_count, with_torch):
        with openblas_threads(count) as controlled:
            if name.startswith("OpenBLAS") and not controlled and count != thread_count:
                continue  # cannot run OpenBLAS on this count here: no figure rather than a wrong one
            timing = time_block(make(a, b), budget_s)
        rows.append({"impl": name, "n": n, "threads": count, "rung": False,
                     "gflops": flops / timing["seconds"] / 1e9, **timing})
    return rows


def _add_ratios(rows, peaks):
    for row in rows:
        peak = peaks["fma_gflops_1"] if row["threads"] == 1 else peaks["fma_gflops_all"]
        row["percent_of_peak"] = 100 * row["gflops"] / peak
        for key, name in (("percent_of_openblas", "OpenBLAS (NumPy)"), ("percent_of_torch", "PyTorch")):
            ref = next((r for r in rows if r["impl"] == name and r["n"] == row["n"]
                        and r["threads"] == row["threads"]), None)
            row[key] = 100 * row["gflops"] / ref["gflops"] if ref else None


def format_ladder(results: dict) -> str:
    """The ladder as a text table, with the peaks and the machine it was measured on."""
    from .report import _table
    m, p = results["machine"], results["peaks"]
    lines = [f"matmul ladder — float32 n×n×n — {m['cpu']}, {m['date']}, load average "
             f"{m['load_average_1_5_15min']}",
             f"measured peaks: FMA {p['fma_gflops_1']:.1f} GFLOP/s on 1 thread, {p['fma_gflops_all']:.1f} on "
             f"{p['threads']}; memory read {p['read_gbs_1']:.1f} GB/s on 1 thread, {p['read_gbs_all']:.1f} on "
             f"{p['threads']}",
             _table(["impl", "n", "threads", "ms", "spread %", "GFLOP/s", "% of peak", "% of OpenBLAS", "% of PyTorch"],
                    [[r["impl"], r["n"], r["threads"], 1e3 * r["seconds"], r["spread_percent"], r["gflops"],
                      r["percent_of_peak"], r.get("percent_of_openblas"), r.get("percent_of_torch")]
                     for r in results["rows"]]),
             "(median of a block of back-to-back calls per row; spread = slowest − fastest call, % of the median; "
             "% of peak against the measured FMA peak on the row's thread count)"]
    return "\n".join(lines)


def markdown_ladder(results: dict) -> str:
    """The ladder as a Markdown table: one row per implementation, one column group per size."""
    sizes = sorted({r["n"] for r in results["rows"]})
    names = list(dict.fromkeys((r["impl"], r["threads"]) for r in results["rows"]))
    head = "| implementation | threads | " + " | ".join(
        f"{n}³ GFLOP/s (spread) | % peak | % OpenBLAS | % PyTorch" for n in sizes) + " |"
    lines = [head, "|---|---:|" + "---:|---:|---:|---:|" * len(sizes)]

    def percent(value):
        return "—" if value is None else f"{value:.0f}%"
    for impl, count in names:
        cells = []
        for n in sizes:
            row = next((r for r in results["rows"] if (r["impl"], r["threads"], r["n"]) == (impl, count, n)), None)
            cells += (["—"] * 4 if row is None else
                      [f"{row['gflops']:.3g} (±{row['spread_percent'] / 2:.0f}%)", percent(row["percent_of_peak"]),
                       percent(row.get("percent_of_openblas")), percent(row.get("percent_of_torch"))])
        lines.append(f"| `{impl}` | {count} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def draw_ladder(results: dict, axes) -> None:
    """Roofline-style: GFLOP/s against arithmetic intensity (n/6 flop/byte), under the measured
    roofs min(FMA peak, bandwidth × intensity) for one thread and for all."""
    p = results["peaks"]
    rows = results["rows"]
    x_points = sorted({r["n"] / 6 for r in rows})
    x = np.geomspace(0.5, max(x_points) * 4, 200)
    for key, style in (("1", "--"), ("all", "-")):
        label = "1 thread" if key == "1" else f"{p['threads']} threads"
        axes.plot(x, np.minimum(p[f"fma_gflops_{key}"], p[f"read_gbs_{key}"] * x), "k" + style, lw=1,
                  label=f"measured roof, {label}")
    markers = iter("o^sDvP*Xhp<>")
    for impl in dict.fromkeys(r["impl"] + ("" if r["rung"] else f" ×{r['threads']}") for r in rows):
        mine = [r for r in rows if r["impl"] + ("" if r["rung"] else f" ×{r['threads']}") == impl]
        axes.plot([r["n"] / 6 for r in mine], [r["gflops"] for r in mine], next(markers, "o"),
                  ls="-" if mine[0]["rung"] else ":", label=impl, alpha=0.9)
    axes.set(xscale="log", yscale="log", xlabel="arithmetic intensity of n×n×n (flop/byte)",
             ylabel="GFLOP/s", title="CPU matmul ladder (float32)")
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))


def measure_and_report(quick: bool = False, out: str | None = None, thread_count: int | None = None) -> dict:
    """Measure, print the table, and write ``ladder.json`` and ``ladder.png`` to ``out``."""
    import json
    from pathlib import Path
    results = bench_ladder(SIZES["quick" if quick else "full"], thread_count)
    print(format_ladder(results))
    if out:
        path = Path(out)
        path.mkdir(parents=True, exist_ok=True)
        (path / "ladder.json").write_text(json.dumps(results, indent=2, default=str))
        (path / "ladder.md").write_text(format_ladder(results).splitlines()[0] + "\n\n" + markdown_ladder(results) + "\n")
        save_plot(results, path / "ladder.png")
        print(f"\nwrote {path / 'ladder.json'}, ladder.md and ladder.png")
    return results


def save_plot(results: dict, path) -> None:
    """Draw :func:`draw_ladder` into a PNG file."""
    from ..models.run import pyplot
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(10, 5.5))
    draw_ladder(results, axes)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)

