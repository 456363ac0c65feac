"""`isoflow generate`: synthetic history with labelled anomalies, into a running system or a CSV file.

Into a system: the tables named by ACCOUNTS_TABLE and TRANSACTIONS_TABLE (default: the local stack's) at
AWS_ENDPOINT_URL (default: AWS itself), in batches through the data layer's bulk import, --workers processes at
once. To a CSV file (`--csv`, gzip-compressed when the name ends in .gz): one labelled row per transaction.

The same seed, --end and --anomaly-rate give the same data, byte for byte.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from isoflow.cli.system import system_settings
from isoflow.generator.anomalies import DEFAULT_ANOMALY_RATE
from isoflow.generator.bulk import ACCOUNTS_PER_BATCH, load_generated
from isoflow.generator.csv_export import write_csv
from isoflow.generator.history import AccountHistory, generate_history
from isoflow.timestamps import parse_timestamp, utc_now


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="generate accounts and transactions with labelled anomalies",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--accounts", type=_positive, required=True, metavar="N", help="number of accounts")
    parser.add_argument("--days", type=_positive, required=True, metavar="D", help="days of history")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    parser.add_argument(
        "--end",
        type=parse_timestamp,
        metavar="TIME",
        help="when the history ends, ISO 8601 (default: now, to the minute)",
    )
    parser.add_argument(
        "--anomaly-rate",
        type=_rate,
        default=DEFAULT_ANOMALY_RATE,
        metavar="R",
        help=f"share of transactions that are injected anomalies (default {DEFAULT_ANOMALY_RATE})",
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="write CSV here instead of into the system")
    parser.add_argument(
        "--batch", type=_positive, default=ACCOUNTS_PER_BATCH, metavar="N", help="accounts per bulk import"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes generating and importing at once (default: one per core)",
    )
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value}")
    return value


def run(args: argparse.Namespace) -> int:
    end: datetime = args.end or utc_now().replace(second=0)
    with tqdm(total=args.accounts, unit="account", desc="generate") as bar:
        transactions = 0

        def advance(accounts: int, more_transactions: int) -> None:
            nonlocal transactions
            transactions += more_transactions
            bar.update(accounts)
            bar.set_postfix(transactions=transactions, refresh=False)

        if args.csv:
            histories = generate_history(args.accounts, args.days, args.seed, end, args.anomaly_rate)
            with _open_csv(args.csv) as out:
                rows = write_csv(_counting(histories, advance), out)
        else:
            loaded = load_generated(
                system_settings(),
                accounts=args.accounts,
                days=args.days,
                seed=args.seed,
                end=end,
                anomaly_rate=args.anomaly_rate,
                workers=args.workers,
                accounts_per_batch=args.batch,
                progress=lambda batch: advance(batch.accounts, batch.transactions),
            )
    if args.csv:
        print(f"wrote {rows} transactions of {args.accounts} accounts to {args.csv}")
    else:
        print(f"imported {loaded.accounts} accounts, {loaded.transactions} transactions ({loaded.anomalies} anomalous)")
    return 0


def _counting(histories: Iterable[AccountHistory], advance: Callable[[int, int], None]) -> Iterator[AccountHistory]:
    for history in histories:
        yield history
        advance(1, len(history.transactions))


@contextmanager
def _open_csv(path: Path) -> Iterator[IO[str]]:
    if path.suffix == ".gz":
        # No name or time in the gzip header, so the same data compresses to the same bytes.
        with (
            path.open("wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed,
            io.TextIOWrapper(packed, encoding="utf-8", newline="") as text,
        ):
            yield text
    else:
        with path.open("w", encoding="utf-8", newline="") as text:
            yield text
