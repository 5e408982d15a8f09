"""Registers the native C++ CPU kernels (``zengrad._C.cpu``) with the kernel registry.

``cpu:native`` is the fast matmul with the best instruction set this CPU supports; it outranks
NumPy (priority 20 > 10), so it is the default for float32 arrays on the CPU; the same holds for
the whole-sequence LSTM (``lstm_forward`` / ``lstm_backward``), RNN (``rnn_forward`` /
``rnn_backward``), layer normalisation (``layer_norm_forward`` / ``layer_norm_backward``), the row
softmax (``softmax_forward`` / ``softmax_backward``), cross-entropy's forward (``cross_entropy_forward``), ReLU (``relu_forward`` / ``relu_backward``) and
self-attention (``self_attention_forward`` / ``self_attention_backward``, without an additive mask:
a call with one runs the reference).
``cpu:<isa>`` for each name in ``_C.cpu.isas()`` forces one path (for tests and
benchmarks); they rank below NumPy and are registered only when the CPU can run them.

The matmul ladder (:data:`LADDER`, ``kernels/cpu/ladder.h``) is registered too, one
implementation per rung, for teaching and for ``zengrad bench matmul --ladder``: ``cpu:naive``,
``cpu:loop_order``, ``cpu:blocked``, ``cpu:register_tile``, ``cpu:packed`` (each its own C++ file,
one thread), then ``cpu:simd`` (the fast kernel on one thread) and ``cpu:native`` (on every thread).

The size below which the default matmul is NumPy's (:data:`SMALL_GEMM_WORK`, m·n·k = 2^18
multiply-adds) is where OpenBLAS starts its own threads: below it OpenBLAS runs on one thread and
its small-matrix path is cheaper than the native one's; from it on every product is native, so
OpenBLAS's thread pool never wakes and never spins on the cores OpenMP needs next. The native
kernels go on threads only from a larger size, ``_C.cpu.parallel_threshold()`` (``threads_for``
in ``kernels/cpu/threads.h``): between the two a product runs natively on one thread
(docs/kernels/cpu-matmul.md has the measurements behind both).
"""

from __future__ import annotations

import numpy as np

from ._native import native
from .kernel_registry import register

#: the rungs that are not their own C++ file, after the C++ rungs (``_C.cpu.ladder_rungs()``)
_FAST_RUNGS = {"cpu:simd": "the fast kernel's SIMD micro-kernel, on one thread",
               "cpu:native": "the fast kernel on every thread (get_num_threads())"}

#: the matmul ladder, slowest idea first: ``cpu:<rung>`` names, filled in when ``_C`` is built
LADDER: tuple[str, ...] = ()

#: m·n·k below which the default matmul is NumPy's: where OpenBLAS (0.3.x, ``GEMM_MULTITHREAD_THRESHOLD``
#: 4 × 65536) starts its threads
SMALL_GEMM_WORK = 1 << 18


def _gemm(isa: str, threads: int = 0):
    """A 2-D GEMM ``fn(a, b, out, trans_a, trans_b)`` running the native matmul on one path."""
    run = native().cpu.matmul  # looked up once: this runs for every product

    def gemm(a, b, out, trans_a, trans_b):
        run(a, b, out, trans_a, trans_b, isa, threads)
    gemm.__name__ = f"cpu_matmul_{isa}" + ("_one_thread" if threads == 1 else "")
    return gemm


def _rung(rung: str):
    """A 2-D GEMM running one C++ ladder rung; the rungs take no transposes, so a transposed
    operand is copied into plain row-major order first (O(n²) next to the rung's O(n³))."""
    def gemm(a, b, out, trans_a, trans_b):
        a = np.ascontiguousarray(a.T) if trans_a else a
        b = np.ascontiguousarray(b.T) if trans_b else b
        native().cpu.ladder_matmul(rung, a, b, out)
    gemm.__name__ = f"cpu_matmul_{rung}"
    return gemm


def _cpu_reference_gemm(a, b, out, trans_a, trans_b):
    native().cpu.matmul_reference(a, b, out, trans_a, trans_b)


def _register_matmul(cpu) -> None:
    register("matmul", "cpu:reference", "cpu", _cpu_reference_gemm, dtypes=(np.float32,),
             priority=0, description="C++ triple loop (correctness reference)")
    register("matmul", "cpu:native", "cpu", _gemm("auto"), dtypes=(np.float32,), priority=20,
             description=f"C++ packed GEMM, register-blocked micro-kernel ({cpu.best_isa()}), OpenMP",
             min_work=SMALL_GEMM_WORK)
    for isa in cpu.isas():
        if cpu.isa_supported(isa):
            register("matmul", f"cpu:{isa}", "cpu", _gemm(isa), dtypes=(np.float32,), priority=5,
                     description=f"C++ packed GEMM forced onto the {isa} micro-kernel")


def _register_ladder(cpu) -> None:
    global LADDER
    for rung in cpu.ladder_rungs():
        register("matmul", f"cpu:{rung}", "cpu", _rung(rung), dtypes=(np.float32,), priority=1,
                 description=f"ladder rung kernels/cpu/matmul_{rung}.cpp (one thread)")
    register("matmul", "cpu:simd", "cpu", _gemm("auto", threads=1), dtypes=(np.float32,), priority=1,
             description=f"ladder rung: {_FAST_RUNGS['cpu:simd']} ({cpu.best_isa()})")
    LADDER = tuple(f"cpu:{rung}" for rung in cpu.ladder_rungs()) + tuple(_FAST_RUNGS)


#: op -> (forward's description, backward's description): each registered as ``<op>_forward`` and
#: ``<op>_backward`` from the extension's functions of those names (float32, priority 20).
_NATIVE_PAIRS = {
    "lstm": ("C++ whole sequence: per step one GEMM ([x_t | h_t-1]) and one fused pass",
             "C++ backward through time, fused gate gradients, one weight GEMM at the end"),
    "rnn": ("C++ whole sequence: per step one GEMM ([x_t | h_t-1]) and one activation pass",
            "C++ backward through time, one pass per step, one weight GEMM at the end"),
    "layer_norm": ("C++ one row at a time in L1, double sums (kernels/cpu/layer_norm.cpp)",
                   "C++ one row at a time, ∂γ and ∂β summed on the way, double sums"),
    "softmax": ("C++ one row at a time in L1, polynomial exp (kernels/cpu/softmax.cpp)",
                "C++ one row at a time: one dot product, one pass"),
    "relu": ("C++ one vectorized select per element (kernels/cpu/relu.cpp)",
             "C++ one vectorized select per element"),
}


def _register_pairs(cpu) -> None:
    for op, descriptions in _NATIVE_PAIRS.items():
        for direction, description in zip(("forward", "backward"), descriptions):
            name = f"{op}_{direction}"
            register(name, "cpu:native", "cpu", getattr(cpu, name), dtypes=(np.float32,), priority=20,
                     description=description)


def _self_attention_forward(qkv, heads, scale, causal, mask):
    """The native kernel; ``zengrad.kernels`` sends calls with a mask to the reference."""
    return native().cpu.self_attention_forward(qkv, heads, scale, causal)


def _self_attention_backward(qkv, weights, g, heads, scale, causal):
    return native().cpu.self_attention_backward(qkv, weights, g, heads, scale, causal)


def _register_rows() -> None:
    register("cross_entropy_forward", "cpu:native", "cpu", native().cpu.cross_entropy_forward,
             dtypes=(np.float32,), priority=20,
             description="C++ one row at a time in L1, polynomial exp (kernels/cpu/cross_entropy.cpp)")
    register("self_attention_forward", "cpu:native", "cpu", _self_attention_forward, dtypes=(np.float32,),
             priority=20, description="C++ one head and query row at a time in L1, the causal columns only "
                                      "(kernels/cpu/attention.cpp)")
    register("self_attention_backward", "cpu:native", "cpu", _self_attention_backward, dtypes=(np.float32,),
             priority=20, description="C++ one head and row at a time, ∂K and ∂V summed in L1")


if native() is not None:
    _register_matmul(native().cpu)
    _register_ladder(native().cpu)
    _register_pairs(native().cpu)
    _register_rows()
