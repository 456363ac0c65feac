"""The `isoflow` command loads only the subcommand it runs: the others bring scikit-learn or moto."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import contextlib, sys
from isoflow.cli import main
with contextlib.suppress(SystemExit):  # --help exits
    main([{args}])
print("loaded:" + ",".join(sorted(name for name in ("sklearn", "moto", "faker") if name in sys.modules)))
"""


def loaded_by(*args: str) -> str:
    code = CHECK.format(args=", ".join(repr(a) for a in args))
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return next(line for line in output.splitlines() if line.startswith("loaded:")).removeprefix("loaded:")


def test_a_command_loads_only_what_it_needs() -> None:
    assert loaded_by("runs", "--help") == ""
    assert loaded_by("score", "--help") == "sklearn"
    assert loaded_by("--help") == "faker,moto,sklearn"
