#!/usr/bin/env bash
# One machine's performance table, every figure a ratio against a reference run on the same machine:
# training steps and per-op overhead against PyTorch (both sides in one process, alternating
# blocks), the recurrent kernels against torch.nn.LSTM/RNN, native float32 matmul against OpenBLAS
# (each side in its own process), the CPU matmul ladder rung by rung against the measured peak, and
# zengrad's default threads on an idle and a busy machine.
#
#     bash benchmarks/machine_table.sh benchmarks/results/<machine>_<date>
#
# Needs PyTorch (the test extra installs it). Run it on an otherwise idle machine: takes ~6 minutes
# on 2 cores. The folder gets machine.txt (CPU, flags, load average before and after) and one .txt
# (and .json where the script writes one) per table.
set -euo pipefail
out=${1:?usage: machine_table.sh OUTPUT_FOLDER}
mkdir -p "$out"
here=$(cd "$(dirname "$0")" && pwd)
{
    date -u
    lscpu | grep -E '^(CPU\(s\)|Model name|Flags)' || true
    python -c "import numpy, torch, zengrad; print('numpy', numpy.__version__, '| torch', torch.__version__, '| zengrad', zengrad.__version__)"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

for threads in 1 2; do
    OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads python "$here/bench_transformer_step.py" \
        --rounds 7 --calls 4 --rows perceptron rnn lstm gan dcgan transformer-forward transformer \
        --out "$out/steps_${threads}thread.json" | tee "$out/steps_${threads}thread.txt"
done
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python "$here/bench_overhead_ab.py" --base HEAD --rounds 11 \
    --rows matmul_forward matmul_forward_backward chain_forward_backward | tee "$out/overhead_1thread.txt"
python "$here/bench_recurrent_steps.py" --threads 1 2 --json "$out/recurrent.json" | tee "$out/recurrent.txt"
python "$here/bench_matmul_processes.py" --threads 1 2 --sizes 512 1024 2048 --sides blas native \
    | tee "$out/matmul_processes.txt"
zengrad bench matmul --ladder --threads 2 --out "$out" | tee "$out/ladder.txt"
zengrad bench threads --out "$out" | tee "$out/threads.txt"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"
