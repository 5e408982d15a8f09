"""``zengrad exercise list | show N | start N | check N [--file F]``: the exercises from the shell."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from . import MODULES, check, exercise, skeleton_path, solution_path, statement


def _list(args) -> int:
    for number in range(1, len(MODULES) + 1):
        module = exercise(number)
        print(f"{number:>3}  {module.TITLE:<45} ~{module.MINUTES} min   {module.SKELETON}")
    return 0


def _show(args) -> int:
    print(statement(args.number))
    return 0


def _start(args) -> int:
    target = Path(args.folder) / exercise(args.number).SKELETON
    if target.exists():
        raise ValueError(f"exercise: {target} exists already; not overwriting your work")
    shutil.copyfile(skeleton_path(args.number), target)
    print(f"wrote {target}; fill in the TODOs, then: zengrad exercise check {args.number} --file {target}")
    return 0


def _check(args) -> int:
    if args.reference:
        path = solution_path(args.number)
    elif args.file:
        path = Path(args.file)
    else:
        local = Path(exercise(args.number).SKELETON)
        path = local if local.is_file() else skeleton_path(args.number)
        print(f"checking {path} (give --file to check another file)")
    result = check(args.number, path, seed=args.seed)
    print(result)
    return 0 if result.passed else 1


def add_exercise_command(commands) -> None:
    """Add ``exercise`` and its own subcommands to the ``zengrad`` command line's subparsers."""
    parser = commands.add_parser("exercise", help="exercises that grade themselves: list, show N, start N, check N")
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("list", help="every exercise, with a rough time").set_defaults(run=_list)
    for name, run, text in (("show", _show, "the statement and hints"),
                            ("start", _start, "copy the skeleton into a folder (default: here)")):
        action = actions.add_parser(name, help=text)
        action.add_argument("number", type=int)
        action.set_defaults(run=run)
    actions.choices["start"].add_argument("folder", nargs="?", default=".")
    grade = actions.add_parser("check", help="grade an attempt: which values or gradients are wrong, where, by how much")
    grade.add_argument("number", type=int)
    grade.add_argument("--file", default=None, help="your attempt (default: the skeleton's file name here, if present)")
    grade.add_argument("--seed", type=int, default=0, help="the random inputs' seed")
    grade.add_argument("--reference", action="store_true", help="check the reference solution instead (for teachers)")
    grade.set_defaults(run=_check)
