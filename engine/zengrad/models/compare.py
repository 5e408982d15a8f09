"""The GANs side by side: the dense GAN, the DCGAN and the DCGAN with WGAN-GP on the same data.

``python -m zengrad.models.compare [--epochs-gan N] [--epochs-dcgan N] [--epochs-wgan N]`` trains
the three with their defaults (or the given epochs), one folder each under ``--out``, and prints
a Markdown table of what :func:`zengrad.models.quality.assess` measured: class coverage,
confident fraction, mean top probability and the Fréchet distance in the digit classifier's
feature space, next to the same numbers for real images.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from . import dcgan, gan
from .run import RunOptions

MODELS = [  # (label, folder, trainer, keyword arguments)
    ("dense GAN (BCE)", "gan", gan.train, {}),
    ("DCGAN (BCE)", "dcgan", dcgan.train, {"loss": "bce"}),
    ("DCGAN (WGAN-GP)", "dcgan-gp", dcgan.train, {"loss": "wgan-gp"}),
]


def compare(out: str = "runs/compare", epochs: dict | None = None, seed: int = 0, device: str = "cpu",
            data: str | None = None, progress: bool = False) -> list[dict]:
    """Train each model of :data:`MODELS`; one row per model plus the real-image reference.

    ``epochs`` maps a folder name ("gan", "dcgan", "dcgan-gp") to its epochs (default: the
    trainer's own default).
    """
    epochs = epochs or {}
    rows, reference = [], None
    for label, folder, trainer, kwargs in MODELS:
        options = RunOptions(epochs=epochs.get(folder), seed=seed, out=str(Path(out) / folder), device=device,
                             data=data, progress=progress)
        metrics = trainer(options, **kwargs)
        rows.append(_row(label, metrics["generated"], metrics["run"]["epochs"], metrics["run"]["seconds"]))
        reference = metrics["real_reference"]
    rows.append(_row("real images", reference, None, None))
    return rows


def _row(label: str, quality: dict, epochs, seconds) -> dict:
    return {"model": label, "epochs": epochs, "seconds": seconds,
            "classes_covered": quality["classes_covered"],
            "confident_fraction": quality["confident_fraction"],
            "mean_max_probability": quality["mean_max_probability"],
            "frechet_distance": quality["frechet_distance"]}


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table."""
    lines = ["| model | epochs | seconds | classes covered | confident (p ≥ 0.9) | mean max p | Fréchet distance |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        epochs = "" if row["epochs"] is None else str(row["epochs"])
        seconds = "" if row["seconds"] is None else f"{row['seconds']:.0f}"
        lines.append(f"| {row['model']} | {epochs} | {seconds} | {row['classes_covered']}/10 | "
                     f"{row['confident_fraction']:.2f} | {row['mean_max_probability']:.3f} | "
                     f"{row['frechet_distance']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m zengrad.models.compare", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="runs/compare")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default=None, help="a folder of MNIST-format IDX files (default: the digits)")
    for folder in ("gan", "dcgan", "wgan"):
        parser.add_argument(f"--epochs-{folder}", type=int, default=None)
    args = parser.parse_args(argv)
    epochs = {"gan": args.epochs_gan, "dcgan": args.epochs_dcgan, "dcgan-gp": args.epochs_wgan}
    rows = compare(args.out, {k: v for k, v in epochs.items() if v is not None}, args.seed, data=args.data,
                   progress=True)
    print(f"measured {time.strftime('%Y-%m-%d')}, seed {args.seed}\n")
    print(table(rows))


if __name__ == "__main__":
    main()
