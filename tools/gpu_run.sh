#!/usr/bin/env bash
# The one command a GPU session runs:   bash tools/gpu_run.sh
#
# Builds zengrad with its CUDA kernels, tests them, runs the tests under compute-sanitizer
# (memcheck on the GPU test suite, racecheck on tools/cuda_smoke.py), benchmarks them, and leaves
# the results in $OUT (default ./gpu_out): at most 8 files, no subfolders —
#   summary.txt      one line per step with its exit status and duration (read this first)
#   gpu_run.log      everything printed, in order
#   build.log        the pip/CMake/nvcc build output, with ptxas resource reports for sm_90
#   pytest.log       the GPU tests (tests/test_cuda_*.py), every test name and outcome
#   memcheck.log     compute-sanitizer --tool memcheck over the non-slow GPU tests
#   racecheck.log    compute-sanitizer --tool racecheck over tools/cuda_smoke.py
#   bench_cuda.json  benchmarks/bench_cuda.py: matmul ladder and LSTM tables, device, versions, date
#   bench_cuda.md    the same tables in markdown
# (then, time permitting, LSTM timings with ZENGRAD_LSTM_PERSISTENT_BLOCKS=66 and 33, in gpu_run.log)
# Steps run most-important first under one deadline (GPU_RUN_BUDGET seconds, default 540) so the
# whole script stays inside a 10-minute call; a step that would start past it is recorded as skipped.
# Nothing here changes the GPU's settings.
set -u -o pipefail

cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu_out}"
PY="${PYTHON:-python3}"
BUDGET="${GPU_RUN_BUDGET:-540}"
export PYTHONUNBUFFERED=1
mkdir -p "$OUT"
START=$(date +%s)
SUMMARY="$OUT/summary.txt"
: > "$SUMMARY"
exec > >(tee -a "$OUT/gpu_run.log") 2>&1

# run_step NAME CAP_SECONDS LOGFILE COMMAND...: runs COMMAND with a timeout of
# min(CAP, time left), tees its output to LOGFILE, and records the outcome in summary.txt.
run_step() {
  local name="$1" cap="$2" log="$3"
  shift 3
  local left=$((START + BUDGET - $(date +%s)))
  if [ "$left" -lt 20 ]; then
    echo "SKIPPED  $name (out of time)" | tee -a "$SUMMARY"
    return 0
  fi
  local limit=$((cap < left ? cap : left))
  echo
  echo "=== $name (limit ${limit}s, $(date -u +%H:%M:%S) UTC)"
  local t0
  t0=$(date +%s)
  timeout --signal=TERM --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  local status="ok"
  [ "$rc" -ne 0 ] && status="FAILED rc=$rc"
  [ "$rc" -eq 124 ] && status="TIMED OUT after ${limit}s"
  printf '%-8s %-40s %4ss\n' "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" "$name ($status)" "$(($(date +%s) - t0))" \
    | tee -a "$SUMMARY"
  return "$rc"
}

echo "zengrad gpu_run: $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
nvidia-smi || true
"$PY" --version
"$PY" -c "import cupy, torch; print('cupy', cupy.__version__, '| torch', torch.__version__, '| cudnn', torch.backends.cudnn.version())" || true

# 1. Build (sm_80 + sm_90 + PTX) with ptxas resource reports in the log.
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-16}"
export CMAKE_ARGS="${CMAKE_ARGS:-} -DCMAKE_CUDA_FLAGS=--ptxas-options=-v"
rm -rf build
if ! run_step "build (pip install -e .)" 300 "$OUT/build.log" \
    "$PY" -m pip install --no-build-isolation --no-deps -v -e .; then
  echo "build failed; see build.log" | tee -a "$SUMMARY"
  exit 1
fi
run_step "import + device status" 60 "$OUT/pytest.log" "$PY" -c \
  "import zengrad._C as C, zengrad.kernels as k; print('cuda built:', C.cuda.built, C.cuda.architectures); print('device status:', C.cuda.device_status() or 'ok'); print(k.available())"

# 2. The GPU tests, all of them (slow ones included).
run_step "pytest tests/test_cuda_*.py" 200 "$OUT/pytest.log" \
  "$PY" -m pytest tests/test_cuda_matmul.py tests/test_cuda_lstm.py -m gpu -v -rfEs -p no:cacheprovider

# 3. The benchmark tables.
run_step "benchmarks/bench_cuda.py" 200 /dev/null \
  "$PY" benchmarks/bench_cuda.py "$OUT/bench_cuda.json"

# 4. memcheck over the non-slow GPU tests, with CuPy's pool off (one cudaMalloc per array). The LSTM
#    file goes first: if the limit cuts the run short, the persistent kernels have been covered.
ZENGRAD_CUDA_NO_POOL=1 run_step "memcheck (pytest, not slow, no cuDNN)" 180 "$OUT/memcheck.log" \
  compute-sanitizer --tool memcheck --error-exitcode 3 --print-limit 50 \
  "$PY" -m pytest tests/test_cuda_lstm.py tests/test_cuda_matmul.py -m "gpu and not slow" -k "not cudnn" -v -p no:cacheprovider

# 5. racecheck (shared-memory hazards) over the smoke workload: every kernel, small shapes.
run_step "racecheck (tools/cuda_smoke.py)" 150 "$OUT/racecheck.log" \
  compute-sanitizer --tool racecheck --error-exitcode 3 --print-limit 50 "$PY" tools/cuda_smoke.py

# 6. If time is left: every other GPU-marked test of the suite (autograd, nn, fused LSTM on cuda).
run_step "pytest -m gpu (the rest of tests/)" 120 "$OUT/pytest.log" \
  "$PY" -m pytest tests -m gpu -q -p no:cacheprovider \
  --ignore=tests/test_cuda_matmul.py --ignore=tests/test_cuda_lstm.py

# 7. If time is left: the persistent LSTM with fewer, larger blocks (tables go to gpu_run.log only).
for blocks in 66 33; do
  ZENGRAD_LSTM_PERSISTENT_BLOCKS=$blocks run_step "LSTM sweep: at most $blocks persistent blocks" 60 /dev/null \
    "$PY" benchmarks/bench_cuda.py "/tmp/zengrad_lstm_blocks_$blocks.json" --skip-ladder --quick
done

echo
echo "=== summary ($(($(date +%s) - START))s in all)"
cat "$SUMMARY"
[ -f "$OUT/bench_cuda.md" ] && cat "$OUT/bench_cuda.md"
ls -la "$OUT"
