"""Summarise `zengrad train gan2d` runs over seeds as a Markdown table.

Each run folder is named ``MODES_REMEDY_sSEED`` (e.g. ``grid_unrolled_s3``) and holds the
metrics.json that `zengrad train gan2d --out FOLDER` writes. Runs of one (modes, remedy) pair are
grouped; each row gives the mean ± sample standard deviation over its seeds of the modes covered
and of the high-quality fraction, the runs that covered every mode, the per-seed modes and the
median seconds per run.

    for s in 0 1 2 3 4; do
        OMP_NUM_THREADS=1 zengrad train gan2d --modes grid --remedy none --seed $s --out runs/grid_none_s$s
    done
    python benchmarks/gan2d_seeds.py runs
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from pathlib import Path

NAME = re.compile(r"^(?P<modes>ring|grid)_(?P<remedy>[a-z_-]+)_s(?P<seed>\d+)$")


def collect(root: Path) -> dict:
    """{(modes, remedy): [(seed, metrics), ...]} for every finished run under ``root``."""
    groups: dict = {}
    for folder in sorted(root.iterdir()):
        match = NAME.match(folder.name)
        if not match or not (folder / "metrics.json").is_file():
            continue
        metrics = json.loads((folder / "metrics.json").read_text())
        groups.setdefault((match["modes"], match["remedy"]), []).append((int(match["seed"]), metrics))
    return groups


def mean_sd(values: list) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.1f} ± {sd:.1f}"


def table(groups: dict) -> str:
    lines = ["| data | remedy | seeds | steps | modes covered | runs with all | high-quality samples "
             "| modes per seed | s / run (median) |",
             "|---|---|---:|---:|---:|---:|---:|---|---:|"]
    for (modes, remedy), runs in sorted(groups.items()):
        runs.sort(key=lambda pair: pair[0])
        covered = [m["modes_covered"] for _, m in runs]
        total = runs[0][1]["modes"]
        quality = [100 * m["high_quality_fraction"] for _, m in runs]
        steps = sorted({m["run"]["steps"] for _, m in runs})
        seconds = statistics.median(m["run"]["seconds"] for _, m in runs)
        lines.append(f"| {modes} | {remedy} | {len(runs)} | {'/'.join(map(str, steps))} "
                     f"| {mean_sd(covered)} of {total} | {sum(c == total for c in covered)}/{len(runs)} "
                     f"| {mean_sd(quality)} % | {', '.join(map(str, covered))} | {seconds:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder holding MODES_REMEDY_sSEED run folders")
    print(table(collect(parser.parse_args().root)))


if __name__ == "__main__":
    main()
