"""zg.set_num_threads / get_num_threads, the default thread count, the OpenMP wait policy, and the
parallel threshold (which kernel calls go on threads at all)."""

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import zengrad as zg
from zengrad import threads
from zengrad._native import busy_cpus, native


@pytest.fixture
def restore_threads():
    before = zg.get_num_threads()
    yield
    zg.set_num_threads(before)


@pytest.mark.skipif(native() is None, reason="zengrad._C is not built")
def test_set_num_threads_is_what_the_kernels_use(restore_threads):
    rng = np.random.default_rng(3)
    a = rng.standard_normal((200, 150), dtype=np.float32)
    b = rng.standard_normal((150, 170), dtype=np.float32)
    results = []
    for n in (1, 3):
        zg.set_num_threads(n)
        assert zg.get_num_threads() == n == native().cpu.get_num_threads()
        results.append(zg.kernels.matmul(a, b, impl="cpu:native"))
    reference = a.astype(np.float64) @ b.astype(np.float64)
    for out in results:
        assert np.allclose(out, reference, rtol=1e-4, atol=1e-3)
    assert "set_num_threads(3)" in zg.info()


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-2, ValueError), (2.0, TypeError), (True, TypeError),
                                        ("2", TypeError)])
def test_set_num_threads_rejects_bad_counts(bad, error, restore_threads):
    with pytest.raises(error, match="set_num_threads"):
        zg.set_num_threads(bad)


@pytest.mark.parametrize("cpus, load, expected", [
    (2, 0.0, 2), (2, 0.4, 2), (2, 1.0, 1), (2, 7.5, 1), (1, 0.0, 1), (4, 1.6, 2),
])
def test_default_leaves_the_busy_cpus_to_others(cpus, load, expected, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 4 if cpus == 4 else 2)
    assert threads.default_num_threads(cpus, load) == expected


def _fresh(code: str, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    environment.update(env)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env=environment)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(native() is None, reason="zengrad._C is not built")
def test_passive_waiting_by_default_and_the_users_choice_wins():
    code = "import os, zengrad as zg; print(os.environ['OMP_WAIT_POLICY']); print(zg.get_num_threads())"
    policy, count = _fresh(code).split()
    assert policy == "PASSIVE" and 1 <= int(count) <= threads.usable_cpus()
    policy, count = _fresh(code, OMP_WAIT_POLICY="ACTIVE", OMP_NUM_THREADS="3").split()
    assert policy == "ACTIVE" and count == "3"


def test_info_shows_the_thread_settings():
    text = zg.info()
    if native() is not None:
        assert f"threads: {zg.get_num_threads()}" in text and "OpenMP wait policy" in text


def test_a_process_started_seconds_ago_counts_as_busy():
    """The 1-minute load average lags a job started a moment ago; the tasks runnable right now do not."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert busy_cpus() >= 1
        if native() is not None and threads.usable_cpus() == os.cpu_count() >= 2:
            chosen = int(_fresh("import zengrad as zg; print(zg.get_num_threads())").strip())
            assert chosen <= threads.usable_cpus() - 1
    finally:
        spinner.kill()
        spinner.wait()


@pytest.mark.skipif(native() is None, reason="zengrad._C is not built")
def test_calls_below_the_parallel_threshold_run_on_one_thread(kernel_threads):
    cpu = native().cpu
    threshold = cpu.default_parallel_threshold()
    assert cpu.parallel_threshold() == threshold >= 1 << 18
    kernel_threads(3)
    assert [cpu.threads_for(w) for w in (0, 1, threshold - 1, threshold, 10 * threshold)] == [1, 1, 1, 3, 3]
    kernel_threads(1)
    assert cpu.threads_for(10 * threshold) == 1
    kernel_threads(2, threshold=0)
    assert cpu.threads_for(0) == cpu.threads_for(1) == 2
    with pytest.raises(ValueError, match="set_parallel_threshold"):
        cpu.set_parallel_threshold(-1)
    assert cpu.parallel_threshold() == 0


@pytest.mark.skipif(native() is None, reason="zengrad._C is not built")
def test_a_recurrent_call_counts_the_work_of_all_its_steps(kernel_threads):
    """Whether an LSTM/RNN call goes on threads depends on T·B·G·(I+H), the whole sequence's GEMMs
    (one fork per call), not on one step's; and each thread needs 8 or more rows of the batch."""
    cpu = native().cpu
    kernel_threads(2)
    batch, input_size, hidden = 64, 32, 32
    step = batch * 4 * hidden * (input_size + hidden)  # one LSTM step's multiply-adds
    steps = -(-cpu.parallel_threshold() // step)  # the fewest steps that reach the threshold
    assert step < cpu.parallel_threshold()
    assert cpu.sequence_threads(steps - 1, batch, input_size, hidden, 4 * hidden) == 1
    assert cpu.sequence_threads(steps, batch, input_size, hidden, 4 * hidden) == 2
    assert cpu.sequence_threads(steps, batch, input_size, hidden, hidden) == 1  # an RNN: a quarter of the gates
    assert cpu.sequence_threads(100 * steps, 15, input_size, hidden, 4 * hidden) == 1  # 15 rows: one part


def test_info_shows_the_parallel_threshold():
    if native() is not None:
        assert f"fewer than {native().cpu.parallel_threshold()} " in zg.info()


def test_info_names_a_spin_count_the_user_set(monkeypatch):
    monkeypatch.delenv("GOMP_SPINCOUNT", raising=False)
    assert "GOMP_SPINCOUNT" not in "\n".join(threads.describe())
    monkeypatch.setenv("GOMP_SPINCOUNT", "123")
    assert "GOMP_SPINCOUNT=123 set by the user" in "\n".join(threads.describe())
