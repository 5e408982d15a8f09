"""The ``zengrad`` command line: ``zengrad train MODEL``, ``zengrad bench`` and ``zengrad info``."""

from __future__ import annotations

import argparse
import json
import sys


def _info(args) -> int:
    from .info import info
    print(info())
    return 0


def _train(args) -> int:
    from .models import DEPRECATED_ALIASES, TRAINERS, RunOptions

    name = DEPRECATED_ALIASES.get(args.model, args.model)
    if name != args.model:
        print(f"zengrad: 'train {args.model}' is deprecated and will be removed; use 'train {name}'",
              file=sys.stderr)
    trainer = TRAINERS[name]
    options = RunOptions(epochs=args.epochs, seed=args.seed, out=args.out or f"runs/{args.model}",
                         device=args.device, data=getattr(args, "data", None), resume=args.resume,
                         progress=not args.quiet)
    metrics = trainer(options, **{flag.keyword: getattr(args, flag.keyword) for flag in trainer.flags})
    summary = {key: value for key, value in metrics.items() if key not in ("run", "sample")}
    print(json.dumps(summary, indent=2, default=str)[:3000])
    if "sample" in metrics:
        print("\nsample:\n" + metrics["sample"][:400])
    print(f"\nwrote {options.out}/ (metrics.json, a PNG, checkpoint.zg)")
    return 0


def _bench(args) -> int:
    if args.profile:
        from .bench.models import MODELS
        from .bench.profile import format_profile, profile_step
        if args.what not in ("all", "models"):
            raise ValueError(f"bench --profile profiles the training steps: use 'bench models --profile', not {args.what!r}")
        for model in MODELS:
            print(format_profile(profile_step(model, steps=5 if args.quick else 20, device=args.device)))
        return 0
    from .bench.report import run
    run(args.what, device=args.device, quick=args.quick, out=args.out)
    return 0


def positive_int(text: str) -> int:
    """argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_trainers(models) -> None:
    """One sub-command per entry of the trainer table, with the common flags and the model's own."""
    from .models import TRAINER_LIST

    for trainer in TRAINER_LIST:
        model = models.add_parser(trainer.name, aliases=list(trainer.aliases), help=trainer.summary,
                                  description=f"zengrad train {trainer.name}: {trainer.summary}")
        model.add_argument("--epochs", type=positive_int, default=None,
                           help="number of epochs (default: the model's own)")
        model.add_argument("--seed", type=int, default=0)
        model.add_argument("--out", default=None, help=f"output folder (default runs/{trainer.name})")
        model.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
        if trainer.data_help:
            model.add_argument("--data", default=None, help=trainer.data_help)
        for flag in trainer.flags:
            if flag.switch:
                model.add_argument(f"--{flag.name}", dest=flag.keyword, action="store_true", help=flag.help)
            else:
                model.add_argument(f"--{flag.name}", dest=flag.keyword, default=flag.default,
                                   choices=flag.choices, help=f"{flag.help} (default {flag.default})")
        model.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
        model.add_argument("--quiet", action="store_true", help="no progress bar")
        model.set_defaults(run=_train)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zengrad", description="zengrad: train, benchmark, inspect")
    commands = parser.add_subparsers(dest="command", required=True)

    info = commands.add_parser("info", help="versions, built kernels, CPU features, GPU status")
    info.set_defaults(run=_info)

    train = commands.add_parser("train", help="train one of the reference models on its default data")
    _add_trainers(train.add_subparsers(dest="model", required=True, metavar="MODEL"))

    bench = commands.add_parser("bench", help="time kernels, training steps and per-op overhead against references")
    bench.add_argument("what", nargs="?", default="all", choices=["all", "matmul", "lstm", "rnn", "models", "overhead"])
    bench.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    bench.add_argument("--quick", action="store_true", help="small sizes, no memory probes (under a minute)")
    bench.add_argument("--out", default=None, help="folder for bench.json and bench.png")
    bench.add_argument("--profile", action="store_true",
                       help="models: where each training step's time goes, by layer of the engine (cProfile)")
    bench.set_defaults(run=_bench)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError, RuntimeError) as error:
        print(f"zengrad: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
