"""The CSV files the commands read and write: plain, or gzip-compressed when the name ends in .gz."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import IO


def open_text(path: Path, mode: str = "r") -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8", newline="")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8", newline="")
