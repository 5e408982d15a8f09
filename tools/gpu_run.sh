#!/usr/bin/env bash
# The one command a GPU session runs:   bash tools/gpu_run.sh
#
# Built so that it cannot pass by accident:
#   - the CUDA toolkit's bin/ goes first on PATH, CUDACXX names its nvcc, and ZENGRAD_CUDA=ON makes
#     a build without the CUDA kernels an error (AUTO would quietly build without them and every
#     CUDA test would skip); PIP_NO_INDEX=1: nothing is downloaded;
#   - nvcc, cmake, Python.h, compute-sanitizer, the GPU, CuPy, PyTorch and pytest-timeout are
#     printed before anything runs;
#   - it stops at once (exit 3) unless zengrad._C was built with CUDA and a device is usable;
#   - a smoke workload (tools/cuda_smoke.py: every kernel once, the cooperative ones included) runs
#     first under a 90 s cap, so a hang in a grid barrier costs 90 s, not the lease; if it times out
#     nothing else runs on the GPU;
#   - every pytest run has a per-test timeout (pytest-timeout, or else only the step's own cap) and
#     the step's cap; compute-sanitizer (its resolved path printed) runs memcheck, racecheck and
#     synccheck on the smoke workload (memcheck over the whole suite does not fit a lease);
#   - all steps share one deadline, GPU_RUN_BUDGET seconds (default 420): with the machine's start
#     and the transfers, a 15-minute lease keeps at least 4 minutes for a second run. A step that
#     would start past the deadline is recorded as skipped, never silently dropped.
# If the build fails and a prebuilt extension for this Python was carried along
# (build/prebuilt/_C.<EXT_SUFFIX>, made by tools/build_prebuilt.sh with the same nvcc), the run goes
# on with it from the source tree (PYTHONPATH=engine) and says so in summary.txt.
#
# Results in $OUT (default ./gpu_out), no subfolders — read summary.txt first:
#   summary.txt        one line per step: PASS/FAIL/SKIPPED, limit, seconds
#   gpu_run.log        everything printed, in order (toolchain facts first)
#   build.log          pip/CMake/nvcc output with ptxas register and spill reports
#   pytest_kernels.log tests/test_cuda_matmul.py and test_cuda_lstm.py, every test and outcome
#   pytest_engine.log  every other gpu-marked test: op table, parity, nn, optim, trainers
#   smoke.log, memcheck.log, racecheck.log, synccheck.log
#   bench_cuda.json, bench_cuda.md  the ladder vs cuBLAS, the LSTM vs cuDNN and the LSTMCell loop
# Nothing here changes the GPU's settings.
set -u -o pipefail

cd "$(dirname "$0")/.."
REPO=$PWD
OUT="${OUT:-$REPO/gpu_out}"
BUDGET="${GPU_RUN_BUDGET:-420}"
mkdir -p "$OUT"
START=$(date +%s)
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
exec > >(tee -a "$OUT/gpu_run.log") 2>&1

# ---- toolchain ---------------------------------------------------------------------------------
CUDA_HOME="${CUDA_HOME:-}"
if [ -z "$CUDA_HOME" ]; then
  for candidate in /usr/local/cuda $(ls -d /usr/local/cuda-* 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/bin/nvcc" ]; then CUDA_HOME=$candidate; break; fi
  done
fi
[ -n "$CUDA_HOME" ] && export PATH="$CUDA_HOME/bin:$PATH"
export CUDA_HOME
export CUDACXX="${CUDACXX:-$(command -v nvcc || true)}"
export ZENGRAD_CUDA=ON
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONUNBUFFERED=1
# a lent machine's system Python may be marked externally managed (PEP 668); installing into it is
# what this throwaway machine is for
export PIP_BREAK_SYSTEM_PACKAGES=1
export CUPY_TF32=0  # cuBLAS in true FP32 in every step, not only in the benchmark
PY="${PYTHON:-$(command -v python3)}"
SANITIZER="$(command -v compute-sanitizer || true)"
[ -z "$SANITIZER" ] && [ -x "$CUDA_HOME/compute-sanitizer/compute-sanitizer" ] && SANITIZER="$CUDA_HOME/compute-sanitizer/compute-sanitizer"

echo "zengrad gpu_run: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), budget ${BUDGET}s"
echo "CUDA_HOME=$CUDA_HOME  CUDACXX=$CUDACXX  ZENGRAD_CUDA=$ZENGRAD_CUDA"
echo "--- nvcc:"; "${CUDACXX:-nvcc}" --version 2>&1 | tail -2 || echo "nvcc NOT FOUND"
echo "--- cmake: $(cmake --version 2>/dev/null | head -1 || echo NOT FOUND)   ninja: $(ninja --version 2>/dev/null || echo none)"
echo "--- python: $("$PY" --version 2>&1) at $PY"
"$PY" - <<'PYEOF'
import importlib.util, os, sysconfig
include = sysconfig.get_paths()["include"]
print("--- Python.h:", os.path.join(include, "Python.h"), "found" if os.path.exists(os.path.join(include, "Python.h")) else "MISSING")
print("--- EXT_SUFFIX:", sysconfig.get_config_var("EXT_SUFFIX"))
for name in ("numpy", "cupy", "torch", "pybind11", "scikit_build_core", "pytest", "pytest_timeout", "matplotlib",
             "tqdm"):
    spec = importlib.util.find_spec(name)
    version = "MISSING"
    if spec is not None:
        try:
            version = getattr(__import__(name), "__version__", "present")
        except Exception as error:  # a broken install is a fact worth printing, not a reason to stop here
            version = f"import failed: {error}"
    print(f"--- {name}: {version}")
PYEOF
echo "--- compute-sanitizer: ${SANITIZER:-NOT FOUND}"
[ -n "$SANITIZER" ] && "$SANITIZER" --version 2>&1 | tail -1
echo "--- GPU:"; nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader 2>&1 || echo "nvidia-smi failed"

# run_step NAME CAP_SECONDS LOGFILE COMMAND...: runs COMMAND with a timeout of min(CAP, time left),
# tees its output to LOGFILE, and records the outcome in summary.txt; returns its exit status
# (124 when it timed out).
run_step() {
  local name="$1" cap="$2" log="$3"
  shift 3
  local left=$((START + BUDGET - $(date +%s)))
  if [ "$left" -lt 20 ]; then
    printf '%-8s %s (out of time: %ss of the budget left)\n' SKIPPED "$name" "$left" | tee -a "$SUMMARY"
    return 125
  fi
  local limit=$((cap < left ? cap : left))
  echo
  echo "=== $name (limit ${limit}s, $(date -u +%H:%M:%S) UTC)"
  local t0
  t0=$(date +%s)
  timeout --signal=TERM --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  local status="ok"
  [ "$rc" -ne 0 ] && status="exit $rc"
  [ "$rc" -eq 124 ] && status="TIMED OUT after ${limit}s"
  printf '%-8s %-52s limit %4ss, took %4ss\n' "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" "$name ($status)" \
    "$limit" "$(($(date +%s) - t0))" | tee -a "$SUMMARY"
  return "$rc"
}

finish() {
  echo
  echo "=== summary ($(($(date +%s) - START))s of ${BUDGET}s)"
  cat "$SUMMARY"
  [ -f "$OUT/bench_cuda.md" ] && cat "$OUT/bench_cuda.md"
  ls -la "$OUT"
  exit "$1"
}

# ---- 1. build: sm_XY of this GPU only (faster), ptxas reports in build.log ----------------------
# (a second run on the same machine reuses build/<wheel tag>/ and recompiles only what changed)
ARCH=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
export CMAKE_ARGS="${CMAKE_ARGS:-} -DCMAKE_CUDA_FLAGS=--ptxas-options=-v ${ARCH:+-DCMAKE_CUDA_ARCHITECTURES=${ARCH}-real}"
if run_step "build (pip install -e ., ZENGRAD_CUDA=ON)" 240 "$OUT/build.log" \
    "$PY" -m pip install --no-build-isolation --no-deps -v -e .; then
  echo "built from source" >> "$SUMMARY"
else
  SUFFIX=$("$PY" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
  PREBUILT="build/prebuilt/_C$SUFFIX"
  if [ -f "$PREBUILT" ]; then
    cp "$PREBUILT" "engine/zengrad/_C$SUFFIX"
    export PYTHONPATH="$REPO/engine${PYTHONPATH:+:$PYTHONPATH}"
    echo "FALLBACK the build failed: using the carried prebuilt extension $PREBUILT ($(cat build/prebuilt/BUILT_WITH 2>/dev/null))" \
      | tee -a "$SUMMARY"
  else
    echo "STOP     the build failed and no prebuilt extension $PREBUILT was carried; see build.log" | tee -a "$SUMMARY"
    finish 2
  fi
fi

# ---- 2. the gate: CUDA kernels built, a device usable -------------------------------------------
if ! run_step "gate: CUDA kernels built and a device usable" 60 /dev/null "$PY" -c "
import zengrad, zengrad._C as C
from zengrad import backend, kernels
print('zengrad from', zengrad.__file__)
print('cuda built:', C.cuda.built, C.cuda.architectures, '| rungs:', [r[0] for r in C.cuda.matmul_rungs])
assert C.cuda.built, 'zengrad._C was built WITHOUT the CUDA kernels: ' + C.cuda.device_status()
status = C.cuda.device_status()
assert status == '', 'the kernels cannot run: ' + status
assert backend.cuda_is_available(), 'CuPy sees no device: ' + backend.cuda_unavailable_reason()
print(kernels.available())
"; then
  echo "STOP     not built with CUDA, or no usable device: every GPU test would skip" | tee -a "$SUMMARY"
  finish 3
fi

# ---- 3. smoke workload, 90 s: a hang in a cooperative kernel stops here ---------------------------
run_step "smoke: every kernel once (tools/cuda_smoke.py)" 90 "$OUT/smoke.log" "$PY" tools/cuda_smoke.py
if [ $? -eq 124 ]; then
  echo "STOP     the smoke workload hung: nothing else runs on this GPU" | tee -a "$SUMMARY"
  finish 4
fi

# ---- 4. tests, with a per-test timeout -----------------------------------------------------------
PYTEST=("$PY" -m pytest -p no:cacheprovider -rfEs)
if "$PY" -c "import pytest_timeout" 2>/dev/null; then
  PYTEST+=(--timeout=120)
else
  echo "note: pytest-timeout is not installed: only each step's cap bounds a hanging test" | tee -a "$SUMMARY"
fi
run_step "pytest: CUDA kernels (matmul ladder, LSTM)" 150 "$OUT/pytest_kernels.log" \
  "${PYTEST[@]}" -v -m gpu tests/test_cuda_matmul.py tests/test_cuda_lstm.py

# ---- 5. sanitizers on the smoke workload -----------------------------------------------------------
if [ -n "$SANITIZER" ]; then
  for tool in memcheck racecheck synccheck; do
    run_step "compute-sanitizer --tool $tool (smoke)" 90 "$OUT/$tool.log" \
      "$SANITIZER" --tool "$tool" --error-exitcode 3 --print-limit 50 "$PY" tools/cuda_smoke.py
  done
else
  echo "FAIL     compute-sanitizer not found (looked on PATH and in $CUDA_HOME/compute-sanitizer)" | tee -a "$SUMMARY"
fi

# ---- 6. benchmarks: the tables the README and benchmarks/results/ need ------------------------------
run_step "benchmarks/bench_cuda.py" 150 /dev/null "$PY" benchmarks/bench_cuda.py "$OUT/bench_cuda.json"

# ---- 7. the rest of the engine on CuPy: op table, parity, nn, optim; then the trainers -------------
run_step "pytest -m gpu: engine on CuPy (not slow)" 120 "$OUT/pytest_engine.log" \
  "${PYTEST[@]}" -q -m "gpu and not slow" tests --ignore=tests/test_cuda_matmul.py --ignore=tests/test_cuda_lstm.py
run_step "pytest -m gpu: trainers and slow checks" 120 "$OUT/pytest_engine.log" \
  "${PYTEST[@]}" -q -m "gpu and slow" tests --ignore=tests/test_cuda_matmul.py --ignore=tests/test_cuda_lstm.py

# ---- 8. if time is left: the persistent LSTM with fewer, larger blocks ----------------------------
for blocks in 66 33; do
  ZENGRAD_LSTM_PERSISTENT_BLOCKS=$blocks run_step "LSTM sweep, at most $blocks persistent blocks" 45 \
    /dev/null "$PY" benchmarks/bench_cuda.py "$OUT/bench_lstm_blocks_$blocks.json" --skip-ladder --quick
done

FAILED=$(grep -c -E '^(FAIL|STOP)' "$SUMMARY")
finish $((FAILED > 0 ? 1 : 0))
