"""Handlers for the local endpoint's worker processes (tests/integration/test_local_processes.py): a worker
loads a handler by its module path, so they live in a module of their own."""

from __future__ import annotations

import os
import time
from typing import Any


def work(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Holds the CPU for `seconds` (counting its turns), and says in which process and when."""
    started, turns = time.time(), 0
    while time.time() - started < event["seconds"]:
        turns += 1
    return {
        "pid": os.getpid(),
        "started": started,
        "ended": time.time(),
        "turns": turns,
        "function": context.function_name,
    }


def die(event: dict[str, Any], context: Any) -> None:
    """Ends its process, as an environment that runs out of memory does."""
    os._exit(1)
