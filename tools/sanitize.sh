#!/usr/bin/env bash
# Runs the CPU kernel tests with the C++ built under AddressSanitizer + UndefinedBehaviorSanitizer.
#
#   tools/sanitize.sh                 # tests/test_cpu_matmul.py, test_cpu_lstm.py, test_fused_rnn.py
#   tools/sanitize.sh tests/test_x.py # any pytest arguments
#
# The sanitized build (-DZENGRAD_SANITIZE=ON, CUDA off) goes into its own virtual environment
# (build/sanitize-venv) so it never replaces the normal install. Python itself is not
# instrumented, so libasan must be loaded first (LD_PRELOAD), together with libstdc++ (ASan
# intercepts __cxa_throw only if libstdc++ is loaded when it starts; python does not link it, and
# without it the first C++ exception aborts), and leak checking is off: CPython deliberately keeps
# objects alive at exit. Any ASan or UBSan finding aborts the run (non-zero
# exit). PyTorch is not installed there, so the torch comparisons skip; they check torch, not
# zengrad's memory safety.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
venv=${ZENGRAD_SANITIZE_VENV:-$repo/build/sanitize-venv}

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/pip" install -q numpy pytest pytest-benchmark pybind11 scikit-build-core cmake ninja
fi
ZENGRAD_CUDA=OFF "$venv/bin/pip" install -q --no-build-isolation --no-deps --force-reinstall \
  -C cmake.define.ZENGRAD_SANITIZE=ON -C build-dir="$repo/build/sanitize" "$repo"

tests=("$@")
[ ${#tests[@]} -eq 0 ] && tests=(tests/test_cpu_matmul.py tests/test_cpu_lstm.py tests/test_fused_rnn.py)

cd "$repo"
LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libstdc++.so)" \
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$venv/bin/python" -m pytest -q -p no:cacheprovider "${tests[@]}"
