"""The `isoflow` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# Modules under isoflow.cli that each define `register(subparsers)`; a registered command sets `func`.
COMMANDS = ("local", "score", "evaluate", "runs", "generate", "verdicts", "openapi")


def build_parser(commands: tuple[str, ...] = COMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isoflow", description="Anomalous bank transaction detection")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in commands:
        importlib.import_module(f"isoflow.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Only the command being run is imported: the others bring scikit-learn or moto, seconds to load.
    named = argv[0] if argv and argv[0] in COMMANDS else None
    args = build_parser((named,) if named else COMMANDS).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        # The reader stopped early (`isoflow runs list | head`): nothing more to say, and nowhere to say it.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
