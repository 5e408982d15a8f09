"""Native kernels in a process forked after the parent used them (multiprocessing's default on Linux).

GNU OpenMP's thread pool does not survive fork(); before kernels/cpu/threads.h a forked child
that called the native matmul waited forever. Each scenario runs in a fresh interpreter with a
time limit, so a regression fails the test instead of hanging the run.
"""
import multiprocessing
import os
import subprocess
import sys
import textwrap

import pytest

from zengrad import kernels

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods()
    or "cpu:native" not in kernels.available()["matmul"].get("cpu", []),
    reason="needs fork() and the native CPU kernels")

SCENARIO = textwrap.dedent("""
    import multiprocessing, warnings
    import numpy as np
    from zengrad import kernels
    from zengrad.benchmarking import lstm_problem, rnn_problem

    rng = np.random.default_rng(0)
    a = rng.standard_normal((257, 331), dtype=np.float32)
    b = rng.standard_normal((331, 263), dtype=np.float32)
    inputs, dy = lstm_problem(7, 67, 29, 131)
    rnn_inputs, _ = rnn_problem(5, 67, 29, 131)

    def largest_errors():
        product = kernels.matmul(a, b, impl="cpu:native")
        reference = a.astype(np.float64) @ b.astype(np.float64)
        native = kernels.lstm_forward(*inputs, impl="cpu:native")
        numpy_ref = kernels.lstm_forward(*[x.astype(np.float64) for x in inputs], impl="numpy")
        rnn = kernels.rnn_forward(*rnn_inputs, impl="cpu:native")
        rnn_ref = kernels.rnn_forward(*[x.astype(np.float64) for x in rnn_inputs], impl="numpy")
        return (float(np.abs(product - reference).max() / np.abs(reference).max()),
                max([float(np.abs(n - r).max()) for n, r in zip(native, numpy_ref)]
                    + [float(np.abs(rnn - rnn_ref).max())]))

    def child(queue):
        queue.put(largest_errors())

    if __name__ == "__main__":
        largest_errors()  # the parent starts its OpenMP pool first
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork() of a threaded process
            context = multiprocessing.get_context("fork")
            queue = context.Queue()
            worker = context.Process(target=child, args=(queue,), daemon=True)
            worker.start()
            try:
                matmul_error, lstm_error = queue.get(timeout=60)
            finally:
                worker.join(10)
                if worker.is_alive():
                    worker.kill()
        print(matmul_error, lstm_error, worker.exitcode)
""")


def test_forked_child_runs_native_kernels_and_gets_right_answers(tmp_path):
    script = tmp_path / "scenario.py"
    script.write_text(SCENARIO)
    # two threads whatever the test run uses: the parent must start a real OpenMP pool before fork()
    env = dict(os.environ, OMP_NUM_THREADS="2")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    matmul_error, lstm_error, exitcode = result.stdout.split()
    assert int(exitcode) == 0
    assert float(matmul_error) < 1e-5
    assert float(lstm_error) < 1e-4
