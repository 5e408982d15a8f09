#!/usr/bin/env bash
# Compile zengrad's CUDA kernels for the CPU emulation and run emu_main.cpp's checks.
#   bash tools/cuda_emu/run.sh [all|matmul|lstm|chunks|fuzz|changed]
# Needs g++ with C++20 (std::barrier). Kernels are copied to build/ with their <<<...>>> launches
# rewritten as emu::launch(...) calls and `extern __shared__` arrays as per-block buffers; nothing
# else in them changes (include/cuda_runtime.h defines ZENGRAD_CUDA_EMULATION, so async_copy.cuh
# leaves cp.async to the emulation's deferred copies). AddressSanitizer + UBSan watch every access.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/build"
mkdir -p "$out"
python3 - "$root/kernels/cuda" "$out" <<'PY'
import pathlib, re, sys
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(src.glob("*")):
    if path.suffix not in (".cu", ".cuh", ".h"):
        continue
    text = path.read_text()
    text = re.sub(r"(\w+(?:<[\w, :]+>)?)<<<(.*?)>>>\(", r"emu::launch(\1, \2, ", text, flags=re.S)
    text = text.replace("extern __shared__ float4 smem4[];",
                        "float4* smem4 = static_cast<float4*>(emu::dynamic_smem);")
    name = path.name[:-3] + ".cpp" if path.suffix == ".cu" else path.name
    (out / name).write_text(text)
PY
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
       -pthread -I"$here/include" -I"$out" -include cuda_runtime.h -Wall -Wno-unknown-pragmas)
objs=()
for f in "$out"/*.cpp "$here/emu_main.cpp"; do
  o="$out/$(basename "${f%.cpp}").o"
  if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$here/include/cuda_runtime.h" -nt "$o" ]; then
    g++ "${flags[@]}" -c "$f" -o "$o"
  fi
  objs+=("$o")
done
g++ "${flags[@]}" "${objs[@]}" -o "$out/emu_main"
ASAN_OPTIONS=detect_leaks=0 "$out/emu_main" "${1:-all}"
