"""Where a training step's time goes: ``zengrad bench models --profile``.

Runs a few warm-up steps of a reference model (the same step ``zengrad bench models`` times),
then profiles more with :mod:`cProfile` and sums the time by the engine's layers — the graph walk,
op forwards, op backwards, kernels, the optimizer, modules — so a change to the hot path can be
judged by where it moves time, not only by the total.
"""

from __future__ import annotations

import cProfile
import pstats

from .models import MODELS, zengrad_step

#: the engine's layers, by the file a function lives in (first match wins)
LAYERS = (
    ("optimizer", ("zengrad/optim/",)),
    ("graph walk (autograd.py)", ("zengrad/autograd.py",)),
    ("kernels (front end, registry, native)", ("zengrad/kernels", "zengrad/kernel_registry")),
    ("ops", ("zengrad/ops/",)),
    ("tensor", ("zengrad/tensor.py", "zengrad/backend.py", "zengrad/creation.py")),
    ("nn modules and functional", ("zengrad/nn/",)),
    ("NumPy and the rest", ("",)),
)


def _layer(filename: str) -> str:
    path = filename.replace("\\", "/")
    return next(name for name, prefixes in LAYERS if any(p in path for p in prefixes))


def profile_step(model: str, steps: int = 20, warmup: int = 3, device: str = "cpu") -> dict:
    """Self time per layer (seconds per step) and the functions with the most self time."""
    if model not in MODELS:
        raise ValueError(f"profile: model must be one of {MODELS}, got {model!r}")
    step = zengrad_step(model, device)
    for _ in range(warmup):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    by_layer: dict[str, float] = {name: 0.0 for name, _ in LAYERS}
    functions = []
    for (filename, line, function), (_, calls, self_time, _, _) in stats.items():
        by_layer[_layer(filename)] += self_time / steps
        functions.append((self_time / steps, calls / steps, f"{filename.split('engine/')[-1]}:{line} {function}"))
    functions.sort(reverse=True)
    return {"model": model, "steps": steps, "seconds_per_step": sum(by_layer.values()),
            "by_layer": by_layer, "top": functions[:15]}


def format_profile(result: dict) -> str:
    total = result["seconds_per_step"]
    lines = [f"{result['model']}: {total * 1e3:.2f} ms of self time per step under cProfile "
             f"(profiling inflates Python-heavy layers; compare shares, not totals)"]
    for name, seconds in sorted(result["by_layer"].items(), key=lambda item: -item[1]):
        lines.append(f"  {name:40s} {seconds * 1e3:8.2f} ms  {seconds / total:6.1%}")
    lines.append("  functions with the most self time:")
    for seconds, calls, where in result["top"]:
        lines.append(f"    {seconds * 1e3:8.3f} ms  {calls:7.0f} calls  {where}")
    return "\n".join(lines)
