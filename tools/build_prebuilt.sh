#!/usr/bin/env bash
# Builds zengrad._C with the CUDA kernels for another Python into build/prebuilt/: the fallback that
# tools/gpu_run.sh uses only when building on the GPU machine fails (it says so in summary.txt).
#
#   bash tools/build_prebuilt.sh [PYTHON] [CUDA_ARCHITECTURES]
#
# PYTHON (default: python3.12, found on PATH or under pyenv) needs its headers (Python.h) only:
# pybind11 and cmake come from the Python running this script. CUDA_ARCHITECTURES defaults to
# 90-real (the H100/H200 the GPU leases have). libstdc++ and libgcc are linked statically so the
# module does not depend on this machine's C++ runtime; cudart is static already. The result,
# build/prebuilt/_C<EXT_SUFFIX> and build/prebuilt/BUILT_WITH (nvcc version, commit, date), is
# ignored by git: pass `carry: ["build/prebuilt"]` to the device tool with the run.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-}"
if [ -z "$target" ]; then  # the first python3.12 that actually runs (a pyenv shim may not)
  for candidate in $(command -v python3.12) /usr/bin/python3.12 /root/.pyenv/versions/3.12*/bin/python3.12; do
    if "$candidate" -c "import sys" 2>/dev/null; then target=$candidate; break; fi
  done
fi
archs="${2:-90-real}"
if [ -z "$target" ] || ! "$target" -c "import sys" 2>/dev/null; then
  echo "build_prebuilt: no usable Python 3.12 here (pass one as the first argument)" >&2
  exit 2
fi
include=$("$target" -c "import sysconfig; print(sysconfig.get_paths()['include'])")
if [ ! -f "$include/Python.h" ]; then
  echo "build_prebuilt: $target has no headers ($include/Python.h is missing)" >&2
  exit 2
fi
host_python="${PYTHON:-python3}"
nvcc="${CUDACXX:-$(command -v nvcc || ls /usr/local/cuda/bin/nvcc)}"
work=build/prebuilt-build
cmake -S . -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release -DZENGRAD_CUDA=ON \
  -DCMAKE_CUDA_COMPILER="$nvcc" -DCMAKE_CUDA_ARCHITECTURES="$archs" \
  -DPython_EXECUTABLE="$target" -Dpybind11_DIR="$("$host_python" -m pybind11 --cmakedir)" \
  -DSKBUILD_PROJECT_VERSION=0.1.0 -DCMAKE_SHARED_LINKER_FLAGS="-static-libstdc++ -static-libgcc"
cmake --build "$work" --parallel "${CMAKE_BUILD_PARALLEL_LEVEL:-2}"
mkdir -p build/prebuilt
suffix=$("$target" -c "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))")
cp "$work/bindings/_C$suffix" "build/prebuilt/_C$suffix"
{
  echo "$("$nvcc" --version | tail -1); architectures $archs; for $("$target" --version 2>&1)"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown), built $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > build/prebuilt/BUILT_WITH
# the module must import, say it was built with CUDA, and list the rungs (no GPU needed for that)
(cd build/prebuilt && "$target" -c "import _C; assert _C.cuda.built; print('prebuilt ok:', _C.__file__, [r[0] for r in _C.cuda.matmul_rungs])")
cat build/prebuilt/BUILT_WITH
