"""The README's comparison: the character RNN, LSTM and transformer trained on the same text and
split for the same CPU-seconds budget, scored by validation bits per character.

    python benchmarks/char_models_budget.py --cpu-seconds 240 --out benchmarks/results/char_models

Each model runs with its trainer's defaults (``zengrad train rnn / char-lstm / transformer``) until
the process has used the budget of CPU time (all threads counted), then validates once more. The
result table (JSON and Markdown) goes to ``--out``; run it with the same thread settings for all
models (e.g. OMP_NUM_THREADS=1) and name the CPU with the figures.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

from zengrad.models import language, transformer
from zengrad.models.run import RunOptions

MODELS = {
    "rnn": lambda options, budget: language.train(options, cell="rnn", cpu_seconds=budget),
    "lstm": lambda options, budget: language.train(options, cell="lstm", cpu_seconds=budget),
    "transformer": lambda options, budget: transformer.train(options, cpu_seconds=budget),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cpu-seconds", type=float, default=240.0)
    parser.add_argument("--out", default="benchmarks/results/char_models")
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = Path(args.out)
    rows = []
    for name in args.models:
        options = RunOptions(epochs=100_000, seed=args.seed, out=str(out / name), progress=False)
        metrics = MODELS[name](options, args.cpu_seconds)
        run = metrics["run"]
        rows.append({"model": name, "val_bits_per_char": round(metrics["val_bits_per_char"], 3),
                     "unigram_bits_per_char": round(metrics["unigram_bits_per_char"], 3),
                     "steps": run["steps"], "cpu_seconds": run["cpu_seconds"], "wall_seconds": run["seconds"],
                     "parameters": run["parameters"]})
        print(rows[-1], flush=True)
    summary = {"date": time.strftime("%Y-%m-%d"), "machine": platform.processor() or platform.machine(),
               "cpu_seconds_budget": args.cpu_seconds, "rows": rows}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    lines = ["| model | validation bits/char | steps | CPU s | wall s | parameters |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['model']} | {r['val_bits_per_char']:.3f} | {r['steps']} | {r['cpu_seconds']} | "
              f"{r['wall_seconds']} | {r['parameters']:,} |" for r in rows]
    (out / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
