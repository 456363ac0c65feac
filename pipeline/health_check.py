"""After `cdk deploy`: the deployed API answers /api/health with 200, directly and through CloudFront.

`python -m pipeline.health_check cdk.out/outputs.json` reads the stack's outputs (written by
`cdk deploy --outputs-file`), retries while a fresh deployment settles, and exits non-zero with what it got.
"""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ATTEMPTS = 10
PAUSE_S = 15


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except urllib.error.URLError as error:
        return 0, str(error.reason)


def health_urls(outputs: dict[str, dict[str, str]]) -> list[str]:
    """From `cdk deploy --outputs-file`, which holds the one deployed stack's outputs."""
    (stack,) = outputs.values()
    return [f"{stack['ApiUrl']}/health", f"{stack['SiteUrl']}/api/health"]


def check(
    urls: list[str], get: Callable[[str], tuple[int, str]] = fetch, sleep: Callable[[float], None] = time.sleep
) -> list[str]:
    """The URLs still unhealthy after every attempt, each with its last answer."""
    failures: dict[str, str] = {}
    for attempt in range(ATTEMPTS):
        failures = {}
        for url in urls:
            status, body = get(url)
            if status != 200:
                failures[url] = f"{url} answered {status or 'nothing'}: {body[:500]}"
        if not failures:
            return []
        if attempt < ATTEMPTS - 1:
            sleep(PAUSE_S)
    return list(failures.values())


def main(argv: list[str]) -> int:
    outputs_file = Path(argv[1] if len(argv) > 1 else "cdk.out/outputs.json")
    urls = health_urls(json.loads(outputs_file.read_text()))
    failures = check(urls)
    for failure in failures:
        print(f"UNHEALTHY: {failure}", file=sys.stderr)
    if not failures:
        print("healthy: " + ", ".join(urls))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
