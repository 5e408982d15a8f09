"""Timing helpers for kernel benchmarks: ``benchmarks/`` and ``zengrad bench`` both use these.

The method: fresh random inputs (never zeros), a time-based warm-up, then
the median of repeated runs; inputs larger than the caches rotate among several sets so no run
finds its operands already cached. The warm-up also matters for fairness between libraries:
OpenBLAS's worker threads keep spinning for a while after each call and would steal the cores from
the next library's OpenMP threads, so every measurement first runs its own function for a while.

Thread counts come from the process: set ``OMP_NUM_THREADS`` and ``OPENBLAS_NUM_THREADS`` to the
same value before NumPy is imported; :func:`time_lstm` gives PyTorch that count too.
"""

from __future__ import annotations

import datetime
import os
import platform
import time
from typing import Callable

import numpy as np

from . import kernels, threads

CACHE_BYTES = 32 * 2**20  # inputs beyond this (the last-level cache here) are rotated


def warm_up(fn: Callable[[int], object], seconds: float = 0.3) -> int:
    """Call ``fn(0), fn(1), ...`` for at least ``seconds`` (and twice); returns the calls made.

    Long enough for another library's idle worker threads to stop spinning (OpenBLAS's spin
    for ~0.1 s after each call and would otherwise steal the cores from OpenMP's)."""
    calls = 0
    start = time.perf_counter()
    while calls < 2 or time.perf_counter() - start < seconds:
        fn(calls)
        calls += 1
    return calls


def median_seconds(fn: Callable[[int], object], repeats: int, warmup_s: float = 0.3) -> float:
    """Median wall time of ``fn(i)`` over ``repeats`` calls (i counts calls), after a warm-up."""
    calls = warm_up(fn, warmup_s)
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        fn(calls)
        times.append(time.perf_counter() - begin)
        calls += 1
    return float(np.median(times))


def per_call(fn: Callable[[], object], calls: int) -> tuple[float, float]:
    """Mean wall and process CPU seconds of one call over ``calls`` back-to-back calls (one block)."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(calls):
        fn()
    return (time.perf_counter() - wall) / calls, (time.process_time() - cpu) / calls


def idle_fraction(window_s: float = 2.0) -> float | None:
    """Fraction of all CPU time that was idle over the next ``window_s`` seconds (Linux only)."""
    def totals():
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all
    try:
        idle0, all0 = totals()
        time.sleep(window_s)
        idle1, all1 = totals()
    except OSError:
        return None
    return (idle1 - idle0) / max(all1 - all0, 1)


def wait_until_idle(threshold: float = 0.9, timeout_s: float = 600.0) -> float | None:
    """Wait (up to ``timeout_s``) for a moment when other processes leave the CPUs idle, so a
    shared machine's other jobs disturb the measurement less; returns the idle fraction seen."""
    deadline = time.monotonic() + timeout_s
    idle = idle_fraction()
    while idle is not None and idle < threshold and time.monotonic() < deadline:
        idle = idle_fraction()
    return idle


def matmul_gflops(n: int, seconds: float) -> float:
    return 2.0 * n**3 / seconds / 1e9


def matmul_call(impl: str, n: int, seed: int = 0) -> Callable[[int], object]:
    """``call(i)`` multiplies the i-th pair of random n×n float32 matrices (pairs rotate when
    three matrices would crowd the last-level cache)."""
    rng = np.random.default_rng(seed)
    sets = 3 if 3 * n * n * 4 > CACHE_BYTES // 4 else 1
    operands = [(rng.standard_normal((n, n), dtype=np.float32),
                 rng.standard_normal((n, n), dtype=np.float32)) for _ in range(sets)]
    return lambda i: kernels.matmul(*operands[i % sets], impl=impl)


def time_matmul(impl: str, n: int, repeats: int = 10, seed: int = 0) -> float:
    """Median seconds of an n×n×n float32 ``kernels.matmul`` with implementation ``impl``."""
    return median_seconds(matmul_call(impl, n, seed), repeats)


def lstm_problem(T: int, B: int, I: int, H: int, seed: int = 0):
    """Random float32 LSTM inputs (x, h0, c0, w_ih, w_hh, bias) and output gradient dy."""
    return _recurrent_problem(T, B, I, H, gate_blocks=4, states=2, seed=seed)


def rnn_problem(T: int, B: int, I: int, H: int, seed: int = 0):
    """Random float32 Elman RNN inputs (x, h0, w_ih, w_hh, bias) and output gradient dy."""
    return _recurrent_problem(T, B, I, H, gate_blocks=1, states=1, seed=seed)


def _recurrent_problem(T, B, I, H, gate_blocks, states, seed):
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(H)
    G = gate_blocks * H
    inputs = [rng.uniform(-1, 1, shape) for shape in [(T, B, I)] + [(B, H)] * states]
    inputs += [rng.uniform(-bound, bound, shape) for shape in ((G, I), (G, H), (G,))]
    dy = rng.standard_normal((T, B, H))
    return [a.astype(np.float32) for a in inputs], dy.astype(np.float32)


#: "implementations" of a recurrent layer that are not kernels: the composed autograd layer,
#: PyTorch's, and (LSTM only) the native kernel's GEMMs alone, what no kernel built on this
#: matmul can go much below
BASELINES = ("composed", "torch", "gemms")


def lstm_step(impl: str, inputs, dy) -> Callable[[int], object]:
    """``step(i)`` runs forward + backward once on these arrays with a registered ``impl``, or
    with one of :data:`BASELINES`."""
    if impl == "composed":
        from .ops.recurrent import composed_lstm_layer
        return _composed_step(composed_lstm_layer, inputs, dy)
    if impl == "torch":
        return _torch_recurrent_step("LSTM", inputs, dy)
    if impl == "gemms":
        return _lstm_gemms_step(inputs, dy)
    return _zengrad_lstm_step(impl, inputs, dy)


def _composed_step(layer, inputs, dy, *options):
    """Forward + backward of a composed layer ``layer(*inputs, *options)`` whose output 0 is y."""
    from .tensor import Tensor
    tensors = [Tensor(a, requires_grad=True) for a in inputs]
    grad = Tensor(dy)

    def step(_):
        layer(*tensors, *options)[0].backward(grad)
    return step


def _lstm_gemms_step(inputs, dy):
    """Only the matrix products of an LSTM's forward + backward, in the native kernel's order,
    through ``kernels.matmul`` (2·T + 4 GEMMs, 24·T·B·H·(I + H) flops; fresh arrays stand in
    for the gate gradients, whose values do not change the time)."""
    from . import backend
    x, h0, _c0, w_ih, w_hh, _bias = inputs
    xp = backend.array_module(backend.device_of(x))
    T, B, I = x.shape
    rows = x.reshape(T * B, I)
    dz = xp.ascontiguousarray(xp.broadcast_to(dy[..., :1], (T, B, w_hh.shape[0])).reshape(T * B, -1))
    hs = xp.ascontiguousarray(xp.broadcast_to(h0, (T,) + h0.shape).reshape(T * B, -1))

    def step(_):
        kernels.matmul(rows, w_ih.T)
        for t in range(T):
            kernels.matmul(h0, w_hh.T)
        for t in range(T):
            kernels.matmul(dz[t * B:(t + 1) * B], w_hh)
        kernels.matmul(dz, w_ih)
        kernels.matmul(dz.T, rows)
        kernels.matmul(dz.T, hs)
    return step


def _zengrad_lstm_step(impl: str, inputs, dy):
    def step(_):
        y, h_n, c_n, gates, cells = kernels.lstm_forward(*inputs, impl=impl)
        return kernels.lstm_backward(dy, None, None, *inputs[:5], gates, cells, impl=impl)
    return step


def _torch_recurrent_step(layer: str, inputs, dy, **options):
    """``torch.nn.<layer>`` with our weights (bias in bias_ih, bias_hh zero) and thread count: the
    one zengrad's kernels use now (``zg.set_num_threads``, else ``OMP_NUM_THREADS``, else its
    default), so a caller that set zengrad's count times both on as many threads."""
    import torch

    torch.set_num_threads(threads.get_num_threads())
    x, *states = inputs[:-3]
    w_ih, w_hh, bias = inputs[-3:]
    module = getattr(torch.nn, layer)(x.shape[2], w_hh.shape[1], **options)
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(w_ih))
        module.weight_hh_l0.copy_(torch.from_numpy(w_hh))
        module.bias_ih_l0.copy_(torch.from_numpy(bias))
        module.bias_hh_l0.zero_()
    leaves = [torch.from_numpy(a).requires_grad_() for a in (x, *states)]
    state = tuple(s[None] for s in leaves[1:])
    grad = torch.from_numpy(dy)

    def step(_):
        y, _state = module(leaves[0], state if len(state) > 1 else state[0])
        y.backward(grad)
    return step


def rnn_step(impl: str, inputs, dy, nonlinearity: str = "tanh") -> Callable[[int], object]:
    """``step(i)``: Elman RNN forward + backward once on these arrays with a registered ``impl``,
    ``"composed"`` (the autograd layer) or ``"torch"`` (``torch.nn.RNN``, same weights)."""
    if impl == "composed":
        from .ops.recurrent import composed_rnn_layer
        return _composed_step(composed_rnn_layer, inputs, dy, None, nonlinearity)
    if impl == "torch":
        return _torch_recurrent_step("RNN", inputs, dy, nonlinearity=nonlinearity)

    def kernel(_):
        y = kernels.rnn_forward(*inputs, nonlinearity, impl=impl)
        return kernels.rnn_backward(dy, None, *inputs[:4], y, nonlinearity, impl=impl)
    return kernel


def time_lstm(impl: str, T: int = 100, B: int = 64, I: int = 256, H: int = 256,
              repeats: int = 5) -> float:
    """Median seconds of LSTM forward + backward (all input and weight gradients).

    ``impl`` is a registered implementation (``"numpy"``, ``"cpu:native"``), ``"torch"`` for
    ``torch.nn.LSTM`` with the same weights and thread count, ``"composed"`` for the autograd
    LSTM, or ``"gemms"`` for the native kernel's matrix products alone.
    """
    return median_seconds(lstm_step(impl, *lstm_problem(T, B, I, H)), repeats)


def machine_info() -> dict:
    """Where and when a measurement was taken: CPU, threads, library versions, date."""
    model = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average_1_5_15min": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    from ._native import native
    if native() is not None:
        info["zengrad_native"] = native().__version__
        info["cpu_features"] = native().cpu.features()
        info["matmul_isa"] = native().cpu.best_isa()
    try:  # the installed version, without the seconds that importing torch takes
        from importlib.metadata import PackageNotFoundError, version
        info["torch"] = version("torch")
    except PackageNotFoundError:
        pass
    return info
