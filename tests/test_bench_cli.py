"""`zengrad bench` runs and writes its report (timings are benchmarks, never asserted here)."""

import json

from zengrad.bench import report
from zengrad.cli import main


def test_bench_overhead_writes_json_and_png(tmp_path, capsys):
    assert main(["bench", "overhead", "--quick", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "bench.json").read_text())
    assert {r["workload"] for r in data["overhead"]} >= {"chain_forward", "matmul_forward"}
    assert all(r["zengrad_us_per_op"] > 0 for r in data["overhead"])
    assert (tmp_path / "bench.png").stat().st_size > 5_000
    assert "per-op overhead" in capsys.readouterr().out


def test_matmul_rows_cover_every_cpu_impl(monkeypatch):
    monkeypatch.setattr(report, "median_seconds", lambda fn, repeats: (fn(0), 1e-3)[1])
    rows = report.bench_matmul("cpu", sizes=(8, 9))
    impls = {r["impl"] for r in rows}
    assert impls == set(report.kernels.available()["matmul"]["cpu"]) - report.TEACHING_RUNGS
    numpy_rows = [r for r in rows if r["impl"] == "numpy"]
    assert all(abs(r["percent_of_reference"] - 100) < 1e-9 for r in numpy_rows)


def test_tables_format_every_section():
    results = {"machine": {"cpu": "x", "date": "d", "omp_num_threads": "2"}, "device": "cpu", "mode": "quick",
               "measured_cpu_peak_gflops": 100.0, "seconds": 1.0,
               "matmul": [{"impl": "numpy", "n": 8, "seconds": 1e-3, "gflops": 1.0, "percent_of_reference": 100.0}],
               "models": [{"model": "gan", "zengrad_seconds": 0.01}],
               "overhead": [{"workload": "w", "zengrad_us_per_op": 2.0, "torch_us_per_op": None, "ratio_to_torch": None}]}
    text = report.format_tables(results)
    assert "matmul" in text and "training step" in text and "per-op overhead" in text and "—" in text


def test_recurrent_rows_cover_every_impl_and_the_baselines(monkeypatch):
    monkeypatch.setattr(report, "median_seconds", lambda fn, repeats: (fn(0), 1e-3)[1])
    shape = (3, 2, 5, 4)
    for bench, kernel, baselines in ((report.bench_lstm, "lstm_forward", {"composed (autograd ops)",
                                                                          "its GEMMs alone (matmul calls)"}),
                                     (report.bench_rnn, "rnn_forward", {"composed (autograd ops)"})):
        rows = bench("cpu", shape)
        impls = {r["impl"] for r in rows}
        assert impls >= set(report.kernels.available()[kernel]["cpu"]) | baselines
        assert all(r["shape"] == dict(T=3, B=2, I=5, H=4) for r in rows)
        text = report.format_tables({"machine": {"cpu": "x", "date": "d", "omp_num_threads": "2"},
                                     "device": "cpu", "mode": "quick", "seconds": 1.0,
                                     "lstm" if kernel == "lstm_forward" else "rnn": rows})
        assert "forward+backward (T=3, B=2, I=5, H=4)" in text


def test_profile_splits_a_step_by_layer():
    from zengrad.bench.profile import LAYERS, profile_step
    result = profile_step("perceptron", steps=3, warmup=1)
    assert set(result["by_layer"]) == {name for name, _ in LAYERS}
    assert abs(sum(result["by_layer"].values()) - result["seconds_per_step"]) < 1e-9
    for layer in ("graph walk (autograd.py)", "optimizer", "ops"):
        assert result["by_layer"][layer] > 0, layer
    assert any("autograd.py" in where for _, _, where in result["top"])


def test_profile_is_for_training_steps(capsys):
    assert main(["bench", "matmul", "--profile"]) == 2
    assert "bench models --profile" in capsys.readouterr().err


def test_ladder_rows_ratios_and_plot(tmp_path, monkeypatch):
    import pytest
    from zengrad._native import native
    if native() is None:
        pytest.skip("zengrad._C is not built")
    from zengrad.bench import ladder
    monkeypatch.setattr(ladder, "SIZES", {"quick": (24, 37), "full": (24, 37)})
    monkeypatch.setattr(ladder, "BLOCK_SECONDS", 0.01)
    monkeypatch.setattr(ladder, "measure_peaks", lambda t: {"threads": t, "fma_gflops_1": 10.0, "fma_gflops_all": 20.0,
                                                            "read_gbs_1": 5.0, "read_gbs_all": 8.0})
    assert main(["bench", "matmul", "--ladder", "--quick", "--threads", "2", "--out", str(tmp_path)]) == 0
    data = json.loads((tmp_path / "ladder.json").read_text())
    rows = data["rows"]
    assert {r["impl"] for r in rows if r["rung"]} == set(report.kernels.available()["matmul"]["cpu"]) & set(
        __import__("zengrad").kernels_cpu.LADDER)
    for row in rows:
        peak = 10.0 if row["threads"] == 1 else 20.0
        assert abs(row["percent_of_peak"] - 100 * row["gflops"] / peak) < 1e-9
        assert row["seconds"] > 0 and row["spread_percent"] >= 0
    blas = [r for r in rows if r["impl"] == "OpenBLAS (NumPy)" and r["threads"] == 1]
    assert all(abs(r["percent_of_openblas"] - 100) < 1e-9 for r in blas)
    assert next(r for r in rows if r["impl"] == "cpu:native")["threads"] == 2
    assert (tmp_path / "ladder.png").stat().st_size > 5_000


def test_bench_flags_are_checked(capsys):
    assert main(["bench", "lstm", "--ladder"]) == 2
    assert main(["bench", "matmul", "--ladder", "--threads", "0"]) == 2
    assert main(["bench", "threads", "--device", "cuda"]) == 2
    assert capsys.readouterr().err.count("zengrad: error:") == 3


def test_threads_bench_runs_a_setting_in_a_fresh_process():
    from zengrad.bench import threads
    changes = threads.settings(2)["1 thread"]
    row = threads._run_loop(changes, n=16, calls=2)
    assert row["threads"] == 1 and row["seconds"] > 0
    gan = threads._run_loop(changes, n=16, calls=2, workload="gan")
    assert gan["threads"] == 1 and gan["seconds"] > 0
    text = threads.format_threads({"machine": {"cpu": "x", "date": "d", "load_average_1_5_15min": [0, 0, 0]},
                                   "n": 16, "calls": 2,
                                   "rows": [{"setting": "1 thread", "busy": True, "vs_one_thread": 1.0, **row}]})
    assert "1 thread" in text and "÷ one-thread time" in text


def test_torch_baseline_runs_on_zengrads_thread_count():
    """The PyTorch layer baseline takes zengrad's current thread count, not all cores: a table
    that says "1 thread" must not time PyTorch on two."""
    import pytest
    torch = pytest.importorskip("torch")
    import zengrad as zg
    from zengrad.benchmarking import lstm_problem, lstm_step, rnn_problem, rnn_step
    before, torch_before = zg.get_num_threads(), torch.get_num_threads()
    try:
        for threads in (1, 2):
            zg.set_num_threads(threads)
            torch.set_num_threads(3)
            lstm_step("torch", *lstm_problem(2, 3, 5, 7))(0)
            assert torch.get_num_threads() == threads
            torch.set_num_threads(3)
            rnn_step("torch", *rnn_problem(2, 3, 5, 7))(0)
            assert torch.get_num_threads() == threads
    finally:
        zg.set_num_threads(before)
        torch.set_num_threads(torch_before)


def test_threads_bench_takes_the_ratio_round_by_round():
    """A slow round (another job's burst) slows every setting of that round; the ratio is taken
    within each round, then the median over rounds, so it is not the ratio of the medians."""
    from zengrad.bench import threads
    one = [{"seconds": s, "threads": 1} for s in (1.0, 4.0, 1.0)]
    two = [{"seconds": s, "threads": 2} for s in (0.5, 2.0, 1.0)]
    row = threads._row("matmul", "2 threads", False, two, one)
    assert row["vs_one_thread"] == 0.5 and row["seconds"] == 1.0 and row["threads"] == 2
    assert row["spread_percent"] == 150.0
