"""The ``zengrad`` command line: ``zengrad train MODEL``, ``zengrad bench`` and ``zengrad info``.

Every failure ends in one line on stderr, ``zengrad: error: …``, naming the file and the fix, and
exit code 2 (1 for an unexpected error; set ZENGRAD_TRACEBACK=1 to see its traceback). Ctrl-C
ends with one line saying what the checkpoint holds, and exit code 130.
"""

from __future__ import annotations

import argparse
import errno
import json
import os
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
    args.out = args.out or f"runs/{args.model}"
    options = RunOptions(epochs=args.epochs, seed=args.seed, out=args.out, device=args.device,
                         data=getattr(args, "data", None), resume=args.resume, progress=not args.quiet,
                         force=args.force)
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
    if args.ladder and args.what != "matmul":
        raise ValueError("--ladder goes with `zengrad bench matmul`")
    if args.threads is not None and args.threads < 1:
        raise ValueError(f"--threads must be >= 1, got {args.threads}")
    if args.ladder or args.what == "threads":
        if args.device != "cpu":
            raise ValueError(f"bench {args.what}{' --ladder' if args.ladder else ''} runs on the CPU only")
        from .bench import ladder, threads
        (ladder if args.ladder else threads).measure_and_report(quick=args.quick, out=args.out, thread_count=args.threads)
        return 0
    from .bench.report import measure_and_report
    measure_and_report(args.what, device=args.device, quick=args.quick, out=args.out)
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
                model.add_argument(f"--{flag.name}", dest=flag.keyword, default=flag.default, type=flag.type,
                                   choices=flag.choices, help=f"{flag.help} (default {flag.default})")
        model.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
        model.add_argument("--force", action="store_true",
                           help="start over in an --out that holds a run (its checkpoint and metrics are deleted)")
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
    bench.add_argument("--profile", action="store_true",
                       help="models: where each training step's time goes, by layer of the engine (cProfile)")
    bench.set_defaults(run=_bench)

    from .exercises.command import add_exercise_command
    add_exercise_command(commands)
    return parser


def main(argv=None) -> int:
    from .models.run import NothingToTrain, one_line

    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print(f"zengrad: {_interrupted(args)}", file=sys.stderr)
        return 130
    except NothingToTrain as done:
        print(f"zengrad: nothing to train: {one_line(done)}", file=sys.stderr)
        return 0
    except OSError as error:
        print(f"zengrad: error: {_describe_os_error(error)}", file=sys.stderr)
        return 2
    except (ValueError, RuntimeError) as error:
        print(f"zengrad: error: {one_line(error)}", file=sys.stderr)
        return 2
    except Exception as error:
        if os.environ.get("ZENGRAD_TRACEBACK"):
            raise
        print(f"zengrad: error: unexpected {type(error).__name__}: {one_line(error)} (a zengrad bug or an "
              "unchecked input; set ZENGRAD_TRACEBACK=1 to see where)", file=sys.stderr)
        return 1


def _interrupted(args) -> str:
    """What Ctrl-C leaves behind: the epochs the checkpoint in --out holds."""
    if getattr(args, "command", None) != "train" or not args.out:
        return "interrupted"
    from .models.run import saved_epochs

    checkpoint = os.path.join(args.out, "checkpoint.zg")
    epochs = saved_epochs(checkpoint)
    if epochs is None:
        return "interrupted before the first epoch finished; nothing was saved"
    return f"interrupted after epoch {epochs}; checkpoint saved, continue with --resume ({checkpoint})"


_HINTS = {
    errno.ENOSPC: "the disk is full: free some space or choose another --out, then run again (with --resume "
                  "if a checkpoint was saved); the previous file is intact",
    errno.EISDIR: "a directory stands where a file belongs: move it away or give the file's path",
    errno.ENOTDIR: "a file stands where a folder belongs: move it away or choose another path",
    errno.EACCES: "permission denied: choose a path you can write to (e.g. another --out)",
    errno.EPERM: "permission denied: choose a path you can write to (e.g. another --out)",
    errno.ENOENT: "no such file or folder: check the path",
    errno.EROFS: "the file system is read-only: choose another --out",
}


def _describe_os_error(error: OSError) -> str:
    """'<file>: <what happened and the fix>' for an OSError (its own text when it names no file)."""
    from .models.run import one_line

    where = error.filename2 if error.filename2 is not None else error.filename
    if where is None:
        return one_line(error)
    return f"{os.fsdecode(where)}: {_HINTS.get(error.errno, error.strerror or one_line(error))}"


if __name__ == "__main__":
    sys.exit(main())
