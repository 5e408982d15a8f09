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
    from .models import TRAINERS, RunOptions, dcgan, language

    options = RunOptions(epochs=args.epochs, seed=args.seed, out=args.out or f"runs/{args.model}",
                         device=args.device, data=args.data, resume=args.resume, progress=not args.quiet)
    if args.model == "rnn":
        metrics = language.train(options, cell=args.cell)
    elif args.model == "dcgan":
        metrics = dcgan.train(options, loss=args.loss, spectral=args.spectral_norm)
    else:
        metrics = TRAINERS[args.model](options)
    summary = {key: value for key, value in metrics.items() if key not in ("run", "sample")}
    print(json.dumps(summary, indent=2, default=str)[:3000])
    if "sample" in metrics:
        print("\nsample:\n" + metrics["sample"][:400])
    print(f"\nwrote {options.out}/ (metrics.json, a PNG, checkpoint.zg)")
    return 0


def _bench(args) -> int:
    if args.ladder and args.what != "matmul":
        raise ValueError("--ladder goes with `zengrad bench matmul`")
    if args.threads is not None and args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    if args.ladder or args.what == "threads":
        if args.device != "cpu":
            raise ValueError(f"bench {args.what}{' --ladder' if args.ladder else ''} runs on the CPU only")
        from .bench import ladder, threads
        (ladder if args.ladder else threads).run(quick=args.quick, out=args.out, thread_count=args.threads)
        return 0
    from .bench.report import run
    run(args.what, device=args.device, quick=args.quick, out=args.out)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zengrad", description="zengrad: train, benchmark, inspect")
    commands = parser.add_subparsers(dest="command", required=True)

    info = commands.add_parser("info", help="versions, built kernels, CPU features, GPU status")
    info.set_defaults(run=_info)

    train = commands.add_parser("train", help="train one of the reference models on its default data")
    train.add_argument("model", choices=["perceptron", "rnn", "lstm", "gan", "dcgan"])
    train.add_argument("--epochs", type=int, default=None, help="number of epochs (model-specific default)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", default=None, help="output folder (default runs/MODEL)")
    train.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    train.add_argument("--data", default=None,
                       help="gan, dcgan: a folder of MNIST-format IDX files; rnn: a text file")
    train.add_argument("--cell", default="rnn", choices=["rnn", "lstm"], help="rnn: the recurrent cell")
    train.add_argument("--loss", default="bce", choices=["bce", "wgan-gp"], help="dcgan: the GAN loss")
    train.add_argument("--spectral-norm", action="store_true", help="dcgan: spectral norm in the discriminator")
    train.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.set_defaults(run=_train)

    bench = commands.add_parser("bench", help="time kernels, training steps and per-op overhead against references")
    bench.add_argument("what", nargs="?", default="all",
                       choices=["all", "matmul", "lstm", "rnn", "models", "overhead", "threads"])
    bench.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    bench.add_argument("--quick", action="store_true", help="small sizes, no memory probes (under a minute)")
    bench.add_argument("--out", default=None, help="folder for bench.json and bench.png (ladder.*, threads.json)")
    bench.add_argument("--ladder", action="store_true",
                       help="matmul: every rung of the CPU ladder vs the measured peak, OpenBLAS and PyTorch")
    bench.add_argument("--threads", type=int, default=None,
                       help="the thread count to measure (ladder default: zg.get_num_threads(); "
                            "threads default: the usable CPUs, at least 2)")
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
