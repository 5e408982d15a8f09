"""The ``zengrad`` command line: ``zengrad info``."""

from __future__ import annotations

import argparse
import sys


def _info(args) -> int:
    from .info import info
    print(info())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zengrad", description="zengrad: train, benchmark, inspect")
    commands = parser.add_subparsers(dest="command", required=True)
    info = commands.add_parser("info", help="versions, built kernels, CPU features, GPU status")
    info.set_defaults(run=_info)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
