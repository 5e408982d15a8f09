"""Facts about the CUDA sources and GPU tooling that hold without a GPU (these run everywhere).

- The matmul rungs are listed once (kernels/cuda/matmul_rungs.h): every rung has its source file,
  the docs table names exactly those rungs in that order, and no other file lists them by hand.
- The benchmark's timer measures batches of back-to-back calls between one pair of events after a
  warm-up, and its LSTM table says which path ran and why the persistent kernel did not.
- tools/gpu_run.sh forces the CUDA build, stops when the kernels are missing, and caps its steps.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CUDA = ROOT / "kernels" / "cuda"


def rungs() -> list[str]:
    text = (CUDA / "matmul_rungs.h").read_text()
    return re.findall(r"^\s*X\((\w+),", text, flags=re.M)


def test_every_rung_has_its_source_file_and_nothing_else_is_a_rung():
    names = rungs()
    assert names[:2] == ["naive", "coalesced"] and len(names) == len(set(names)) >= 9
    files = {p.stem[len("matmul_"):] for p in CUDA.glob("matmul_*.cu")}
    assert files == set(names), f"matmul_*.cu files {sorted(files)} differ from matmul_rungs.h {names}"


def test_the_docs_table_lists_the_rungs_in_ladder_order():
    doc = (ROOT / "docs" / "kernels" / "cuda-matmul.md").read_text()
    listed = re.findall(r"^\| `cuda:(\w+)` \|", doc, flags=re.M)
    assert listed == rungs()


def test_no_other_source_lists_the_rungs_by_hand():
    for path in (CUDA / "zengrad_cuda.h", ROOT / "bindings" / "cuda.cpp", ROOT / "engine" / "zengrad" / "kernels_cuda.py",
                 ROOT / "tools" / "cuda_emu" / "emu_main.cpp"):
        text = path.read_text()
        for name in ("naive", "blocktile1d", "vectorized", "pipelined"):
            assert f"matmul_{name}" not in text, f"{path.name} declares or binds rung {name} by hand"
    # the emulator names a few rungs for extra checks, but takes its list of rungs from the table
    assert "ZENGRAD_MATMUL_RUNGS(" in (ROOT / "tools" / "cuda_emu" / "emu_main.cpp").read_text()


BENCH_CHECK = r"""
import sys, time
sys.path.insert(0, "benchmarks")
import bench_cuda as b
log = []
class Event:
    def record(self):
        log.append((time.perf_counter(), calls[0]))
    def synchronize(self):
        pass
class Events:
    def pair(self):
        return Event(), Event()
    def elapsed_ms(self, start, end):
        return 10.0
    def synchronize(self):
        pass
calls = [0]
t0 = time.perf_counter()
def fn():
    calls[0] += 1
    time.sleep(0.002)
stats = b.gpu_time(fn, Events(), batches=3, budget_s=5.0)
records = [c for _, c in log]
assert len(records) == 6, records                      # one pair of events per batch, 3 batches
sizes = [records[i + 1] - records[i] for i in range(0, 6, 2)]
assert len(set(sizes)) == 1 and sizes[0] == stats["calls_per_batch"] >= 1, (sizes, stats)
assert records[0] == stats["warmup_calls"], (records, stats)   # timing starts after the warm-up
assert log[0][0] - t0 >= 0.5, (log[0][0] - t0, stats)         # >= 0.5 s of warm-up calls
assert abs(stats["median_ms"] - 10.0 / stats["calls_per_batch"]) < 1e-12, stats
table = b.markdown({"device": "d", "date_utc": "t", "cuda_runtime": 0, "cuda_driver": 0, "cupy": 0, "torch": 0,
                    "cudnn": 0, "tf32": "off", "timing": "batches"}, [],
                   [{"T": 256, "B": 128, "I": 512, "H": 1024, "impl": "zengrad cuda:fused",
                     "path": {"forward": "stepwise", "backward": "stepwise"},
                     "persistent_unavailable": "backward: does not fit", "forward_ms": 1.0, "fwd_bwd_ms": 2.0}])
assert "[ran: stepwise/stepwise]" in table and "does not fit" in table, table
print("ok")
"""


def test_bench_timer_batches_calls_between_one_event_pair_after_warmup():
    env = dict(os.environ, PYTHONPATH=str(ROOT / "engine") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run([sys.executable, "-c", BENCH_CHECK], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0 and "ok" in result.stdout, result.stdout + result.stderr


def test_gpu_run_forces_cuda_and_stops_without_it():
    script = (ROOT / "tools" / "gpu_run.sh").read_text()
    assert "export ZENGRAD_CUDA=ON" in script and "PIP_NO_INDEX=1" in script and "CUDACXX" in script
    assert "assert C.cuda.built" in script and "finish 3" in script
    assert re.search(r'run_step "smoke[^"]*" 90 ', script), "the smoke workload must have a 90 s cap"
    assert "--timeout=" in script and 'BUDGET="${GPU_RUN_BUDGET:-' in script
    budget = int(re.search(r'GPU_RUN_BUDGET:-(\d+)', script).group(1))
    assert budget <= 15 * 60 - 4 * 60 - 120, "the budget must leave 4 minutes of a 15-minute lease after start-up"
    for tool in ("memcheck", "racecheck"):
        assert tool in script
    result = subprocess.run(["bash", "-n", str(ROOT / "tools" / "gpu_run.sh")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_auto_build_skips_cuda_without_a_gpu(tmp_path):
    """ZENGRAD_CUDA=AUTO compiles the CUDA kernels only where a GPU is present (even with nvcc found)."""
    import shutil
    import pytest
    if shutil.which("cmake") is None:
        pytest.skip("cmake is not installed")
    pytest.importorskip("pybind11", reason="pybind11 (a build requirement) is not installed in this environment")
    gpu_present = Path("/dev/nvidia0").exists() or Path("/dev/dxg").exists()
    pybind11_dir = subprocess.run([sys.executable, "-m", "pybind11", "--cmakedir"], capture_output=True,
                                  text=True).stdout.strip()
    result = subprocess.run(["cmake", "-S", str(ROOT), "-B", str(tmp_path), "-DZENGRAD_CUDA=AUTO",
                             f"-DPython_EXECUTABLE={sys.executable}", f"-Dpybind11_DIR={pybind11_dir}"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(s for s in result.stdout.splitlines() if "zengrad: CUDA kernels" in s)
    if gpu_present:
        assert "ON" in line or "no CUDA compiler" in line, line
    else:
        assert "CUDA kernels OFF" in line and "no GPU was found" in line, line
