"""Peak memory of a training step, measured the same way for any framework.

Each measurement runs in a fresh Python process: it builds the model, resets the kernel's
high-water mark of resident memory (writing 5 to /proc/self/clear_refs, Linux), runs a few steps
and reports how far the peak rose above the memory in use before the first step. Heap, NumPy
arrays and PyTorch tensors all count, whoever allocated them.
"""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import json, sys
from zengrad.bench import models
framework, model, device, steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if framework == "torch":
    import torch
    torch.set_num_threads(int(sys.argv[5]))
step = (models.torch_step if framework == "torch" else models.zengrad_step)(model, device)
def field(name):
    for line in open("/proc/self/status"):
        if line.startswith(name + ":"):
            return int(line.split()[1]) * 1024
with open("/proc/self/clear_refs", "w") as handle:
    handle.write("5")
before = field("VmRSS")
for _ in range(steps):
    step()
print(json.dumps({"peak_bytes": field("VmHWM") - before}))
"""


def peak_step_memory(framework: str, model: str, device: str = "cpu", steps: int = 3, threads: int = 2) -> int | None:
    """Bytes by which resident memory peaks above its pre-step level during ``steps`` steps;
    None where the probe cannot run (not Linux, framework missing)."""
    try:
        result = subprocess.run([sys.executable, "-c", _PROBE, framework, model, device, str(steps), str(threads)],
                                capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    return int(json.loads(result.stdout.strip().splitlines()[-1])["peak_bytes"])
