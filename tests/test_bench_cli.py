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
    assert impls == set(report.kernels.available()["matmul"]["cpu"])
    numpy_rows = [r for r in rows if r["impl"] == "numpy"]
    assert all(abs(r["percent_of_reference"] - 100) < 1e-9 for r in numpy_rows)


def test_tables_format_every_section():
    results = {"machine": {"cpu": "x", "date": "d", "omp_num_threads": "2"}, "device": "cpu", "mode": "quick",
               "nominal_cpu_peak_gflops": 100.0, "seconds": 1.0,
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
