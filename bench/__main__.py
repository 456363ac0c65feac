"""`python -m bench [--data LABELLED.csv.gz] [--smoke]`: every benchmark in one run; tables on stdout and the
figures in bench/results.json (see bench/README.md for what each one means).

Sections: detection (quality beside baselines), learning (quality with and without verdicts, the learning
step's time and cost), throughput (detector speed, model reuse), pipeline (full
local runs: requests, cost, end to end), api (latency over HTTP) and coldstart (bundle size, imports).
`--smoke` runs a tiny version of each, for the test that keeps this script working.
"""

from __future__ import annotations

import os

# Before the handlers' loggers and the CDK library load: the JSON logs of thousands of invocations and
# Node's end-of-life banner would bury the tables.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "1")

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from bench import api, coldstart, detection, learning, pipeline, throughput
from bench.stack import local_environment
from isoflow.local.resources import LOCAL_TUNING

DEFAULT_OUTPUT = Path(__file__).resolve().parent / "results.json"

SECTIONS = ("detection", "learning", "throughput", "pipeline", "api", "coldstart")


@dataclass(frozen=True)
class Sizes:
    """How much each section does: the full run fits 15 minutes on two cores, the smoke run a minute."""

    generated_accounts: int
    generated_days: int
    data_one_in: int  # score the accounts of the CSV whose id hashes to 0 modulo this
    windows: dict[int, int]  # window -> accounts
    incremental_accounts: int
    incremental_history: int
    pipeline_accounts: int
    pipeline_days: int
    scale_accounts: int
    api_clients: tuple[int, ...]
    api_requests_per_level: int
    import_repeats: int
    learning_fraction: float  # of the labelled CSV's accounts, for quality with and without verdicts
    learning_fit_sizes: tuple[int, ...]  # verdicts known, for the learning step's time and cost


FULL = Sizes(
    generated_accounts=150,
    generated_days=60,
    data_one_in=20,
    windows={100: 20, 500: 10, 2000: 4},
    incremental_accounts=100,
    incremental_history=300,
    pipeline_accounts=1_000,
    pipeline_days=30,
    scale_accounts=10_000,
    api_clients=(1, 8, 32),
    api_requests_per_level=128,
    import_repeats=3,
    learning_fraction=0.25,
    learning_fit_sizes=learning.FIT_SIZES,
)
SMOKE = Sizes(
    generated_accounts=20,
    generated_days=45,
    data_one_in=1,
    windows={100: 2, 500: 1, 2000: 1},
    incremental_accounts=10,
    incremental_history=60,
    pipeline_accounts=10,
    pipeline_days=30,
    scale_accounts=30,
    api_clients=(1, 8, 32),
    api_requests_per_level=16,
    import_repeats=1,
    learning_fraction=1.0,
    learning_fit_sizes=(1_000,),
)


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    load = os.getloadavg()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load],
        "commit": commit.stdout.strip() or None,
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--data",
        type=Path,
        help="labelled CSV (transaction_id, account_id, timestamp, amount, label,"
        " scenario), e.g. ../shared/data/fdh-dev.csv.gz",
    )
    parser.add_argument("--judge-from", default="2018-05-01T00:00:00Z", help="judge the CSV's rows from this time on")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the results (JSON)")
    parser.add_argument("--smoke", action="store_true", help="a tiny version of every section")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for detection quality")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    warnings.filterwarnings("ignore", message="ToleratedFailurePercentage")

    # Every client the handlers make comes from the default session: the counter must be on it first.
    boto3.setup_default_session()
    counter = pipeline.RequestCounter()
    counter.install(boto3.DEFAULT_SESSION)

    results: dict[str, Any] = {"machine": machine(), "sizes": {k: str(v) for k, v in sizes.__dict__.items()}}
    started = time.perf_counter()

    failed: list[str] = []

    def section(name: str, work: Any, table: Any) -> None:
        """Runs one section; a section that fails is reported and the others still run. The results file is
        rewritten after each section, so a long run leaves what it measured whatever happens later."""
        if name not in args.sections:
            return
        began = time.perf_counter()
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            results[name] = work()
        except Exception as error:  # reported here and in the exit status
            failed.append(name)
            results.setdefault("errors", {})[name] = f"{type(error).__name__}: {error}"
            traceback.print_exc()
            return
        finally:
            seconds = time.perf_counter() - began
            results.setdefault("section_seconds", {})[name] = round(seconds, 1)
            write_results()
        print(f"\n== {name} ({seconds:.0f} s)\n{table(results[name])}", flush=True)

    def write_results() -> None:
        results["total_seconds"] = round(time.perf_counter() - started, 1)
        args.output.write_text(json.dumps(results, indent=2, default=str) + "\n")

    with tempfile.TemporaryDirectory() as scratch:
        section(
            "detection",
            lambda: detection.run(
                data=args.data,
                generated_accounts=sizes.generated_accounts,
                generated_days=sizes.generated_days,
                data_one_in=sizes.data_one_in,
                judge_from=datetime.fromisoformat(args.judge_from.replace("Z", "+00:00")),
                workers=args.workers,
                scratch=Path(scratch),
            ),
            detection.table,
        )
    section(
        "learning",
        lambda: learning.run(
            data=args.data,
            accounts_fraction=sizes.learning_fraction,
            judge_from=args.judge_from,
            workers=args.workers,
            fit_sizes=sizes.learning_fit_sizes,
        ),
        learning.table,
    )
    section(
        "throughput",
        lambda: throughput.run(
            windows=sizes.windows,
            incremental_accounts=sizes.incremental_accounts,
            incremental_history=sizes.incremental_history,
        ),
        throughput.table,
    )
    if {"pipeline", "api"} & set(args.sections):
        with local_environment() as environment:
            section("pipeline", lambda: _pipeline(environment, counter, sizes), _pipeline_table)
            section(
                "api",
                lambda: api.run(
                    environment, clients=sizes.api_clients, requests_per_level=sizes.api_requests_per_level
                ),
                api.table,
            )
    section("coldstart", lambda: coldstart.run(repeats=sizes.import_repeats), coldstart.table)

    if "pipeline" in results:
        runs = results["pipeline"]
        results["requests"] = {
            "dynamodb_per_scored_txn": runs["accounts_1000"]["dynamodb_per_scored_txn"],
            "scans": runs["accounts_1000"]["scans"] + runs["accounts_10000"]["scans"],
            "by_operation": runs["accounts_1000"]["requests"],
        }
        results["cost"] = {
            "usd_per_million_txns": runs["accounts_1000"]["usd_per_million_txns"],
            "breakdown_usd_per_million_txns": {
                k: round(v / runs["accounts_1000"]["transactions_scored"] * 1e6, 3)
                for k, v in runs["accounts_1000"]["cost_usd"].items()
            },
            "prices": pipeline.PRICES,
        }
        results["e2e"] = {
            "accounts_1000_s": runs["accounts_1000"]["seconds"],
            "accounts_10000_s": runs["accounts_10000"]["seconds"],
            "max_state_payload_bytes": max(r["max_state_payload_bytes"] for r in runs.values()),
        }
    write_results()
    print(f"\nwrote {args.output} in {results['total_seconds']:.0f} s")
    if failed:
        print(f"failed sections: {', '.join(failed)} (see 'errors' in {args.output})", file=sys.stderr)
        return 1
    return 0


def _pipeline(environment: Any, counter: pipeline.RequestCounter, sizes: Sizes) -> dict[str, Any]:
    """The 1,000-account run measures requests and cost (accounts with history: every one fits a forest);
    the 10,000-account run the workflow's fan-out (new accounts, one deposit each: the population model)."""
    return {
        "accounts_1000": pipeline.one_run(
            environment,
            counter,
            accounts=sizes.pipeline_accounts,
            days=sizes.pipeline_days,
            tuning=LOCAL_TUNING,
            timeout_s=900,
        ),
        "accounts_10000": pipeline.scale_run(
            environment, counter, accounts=sizes.scale_accounts, tuning=LOCAL_TUNING, timeout_s=900
        ),
    }


def _pipeline_table(runs: dict[str, Any]) -> str:
    lines = [
        f"{'run':<15} {'accounts':>8} {'txns':>7} {'scored':>7} {'seconds':>8} {'max payload B':>13} {'ddb req':>8}"
        f" {'ddb/txn':>8} {'scans':>5} {'s3 req':>6} {'$/M txns':>9}"
    ]
    for name, r in runs.items():
        lines.append(
            f"{name:<15} {r['accounts']:>8} {r['transactions']:>7} {r['transactions_scored']:>7} {r['seconds']:>8.1f}"
            f" {r['max_state_payload_bytes']:>13} {r['dynamodb_requests']:>8} {r['dynamodb_per_scored_txn']:>8}"
            f" {r['scans']:>5} {r['s3_requests']:>6} {r['usd_per_million_txns']:>9}"
        )
    first = runs["accounts_1000"]
    lines += ["", "requests in the 1,000-account run: " + ", ".join(f"{k} {v}" for k, v in first["requests"].items())]
    lines.append(
        "cost of that run (USD): "
        + ", ".join(f"{k} {v}" for k, v in first["cost_usd"].items())
        + f"; Lambda {first['lambda_gb_s']} GB-s, {first['state_transitions']} transitions,"
        f" {first['dynamodb_read_units']:.0f} RRU, {first['dynamodb_write_units']:.0f} WRU"
    )
    lines.append("prices: " + ", ".join(f"{k} {v}" for k, v in pipeline.PRICES.items()))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
