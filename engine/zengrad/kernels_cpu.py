"""Registers the native C++ CPU kernels (``zengrad._C.cpu``) with the kernel registry.

``cpu:native`` is the fast matmul with the best instruction set this CPU supports; it outranks
NumPy (priority 20 > 10), so it is the default for float32 arrays on the CPU; the same holds for
the whole-sequence LSTM (``lstm_forward`` / ``lstm_backward``) and RNN (``rnn_forward`` /
``rnn_backward``). ``cpu:avx512``,
``cpu:avx2`` and ``cpu:portable`` force one path each (for tests and benchmarks); they rank below
NumPy and are registered only when the CPU can run them.
"""

from __future__ import annotations

import numpy as np

from ._native import native
from .kernel_registry import register

_ISAS = ("avx512", "avx2", "portable")

#: m·n·k below which the default matmul is NumPy's: 2^18, where OpenBLAS starts using its thread
#: pool (products of up to ~2.7e5 multiply-adds kept one core busy, 3.1e5 and up both) and where
#: the native kernel starts using threads too (kParallelThreshold). Below it both run on one
#: thread and OpenBLAS's small-matrix path is a few µs faster (64³: 7.5 vs 10.1 µs). Above it the
#: native kernel runs every product, so OpenBLAS's pool never wakes: its threads keep spinning
#: after each call and steal both cores from the next OpenMP product. With the threshold at 96³,
#: products between 2^18 and 96³ went to OpenBLAS's threads, and a DCGAN training step, which
#: mixes both kinds, took 62–74 ms instead of 23–26 ms (2026-11-23, 2 cores).
SMALL_GEMM_WORK = 1 << 18


def _gemm(isa: str):
    """A 2-D GEMM ``fn(a, b, out, trans_a, trans_b)`` running the native matmul on one path."""
    def gemm(a, b, out, trans_a, trans_b):
        native().cpu.matmul(a, b, out, trans_a, trans_b, isa)
    gemm.__name__ = f"cpu_matmul_{isa}"
    return gemm


def _cpu_reference_gemm(a, b, out, trans_a, trans_b):
    native().cpu.matmul_reference(a, b, out, trans_a, trans_b)


def _register_matmul(cpu) -> None:
    register("matmul", "cpu:reference", "cpu", _cpu_reference_gemm, dtypes=(np.float32,),
             priority=0, description="C++ triple loop (correctness reference)")
    register("matmul", "cpu:native", "cpu", _gemm("auto"), dtypes=(np.float32,), priority=20,
             description=f"C++ packed GEMM, register-blocked micro-kernel ({cpu.best_isa()}), OpenMP",
             min_work=SMALL_GEMM_WORK)
    for isa in _ISAS:
        if cpu.isa_supported(isa):
            register("matmul", f"cpu:{isa}", "cpu", _gemm(isa), dtypes=(np.float32,), priority=5,
                     description=f"C++ packed GEMM forced onto the {isa} micro-kernel")


def _register_lstm(cpu) -> None:
    register("lstm_forward", "cpu:native", "cpu", cpu.lstm_forward, dtypes=(np.float32,), priority=20,
             description="C++ whole sequence: one input GEMM, per step a GEMM and one fused pass")
    register("lstm_backward", "cpu:native", "cpu", cpu.lstm_backward, dtypes=(np.float32,), priority=20,
             description="C++ backward through time, fused gate gradients, weight GEMMs at the end")


def _register_rnn(cpu) -> None:
    register("rnn_forward", "cpu:native", "cpu", cpu.rnn_forward, dtypes=(np.float32,), priority=20,
             description="C++ whole sequence: one input GEMM, per step a GEMM and one activation pass")
    register("rnn_backward", "cpu:native", "cpu", cpu.rnn_backward, dtypes=(np.float32,), priority=20,
             description="C++ backward through time, one pass per step, weight GEMMs at the end")


if native() is not None:
    _register_matmul(native().cpu)
    _register_lstm(native().cpu)
    _register_rnn(native().cpu)
