"""The `isoflow` command. Each subcommand lives in its own module and registers itself here."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable

# Each command and its module under isoflow.cli, which defines `register(subparsers)`; a registered command
# sets `func`.
COMMANDS = {
    "local": "local",
    "score": "score",
    "evaluate": "evaluate",
    "runs": "runs",
    "generate": "generate",
    "import": "imports",
    "verdicts": "verdicts",
    "openapi": "openapi",
}


def build_parser(commands: Iterable[str] = COMMANDS) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="isoflow", description="Anomalous bank transaction detection")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in commands:
        importlib.import_module(f"isoflow.cli.{COMMANDS[name]}").register(subparsers)
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
