"""`isoflow score`: score a CSV of transactions offline with the detector's own code.

Input columns: transaction_id, account_id, timestamp (ISO 8601), amount; optionally merchant, category,
country, channel, transaction_type and home_country. Output: transaction_id, score (0-1), risk_level and
reasons ("; "-separated), one row per input row in input order.

With `--feedback FILE.csv` (`isoflow verdicts import`'s columns: transaction_id, label, known_at[, note]), the
detector learns from the verdicts as a deployment would, each only from when it became known
(`model.learning`), and says what they taught in the reasons ("3 confirmed frauds at this merchant in the last
14 days").
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from isoflow.cli.files import open_text
from isoflow.cli.verdicts import Rejected, read_verdicts
from isoflow.store.risk import CONFIRMED
from isoflow.timestamps import parse_timestamp
from model.batch import AccountHistory, ScoredAccount, group_by_account, score_histories
from model.features import Txn, replay
from model.learning import Learnt, Rows, Verdict, learnt_scores, verdict_reasons
from model.population import (
    PopulationModel,
    TooLittleHistory,
    build_population,
    dump_population,
    load_population,
    read_population,
)
from model.scoring import feature_matrix, risk_level

REQUIRED = ("transaction_id", "account_id", "timestamp", "amount")
OPTIONAL = ("transaction_type", "merchant", "category", "country", "channel")


class InputError(ValueError):
    """The input file cannot be scored; the message names the row and column."""


@dataclass(frozen=True)
class Transactions:
    """A parsed input file: rows in input order, with every column kept for whoever needs more."""

    ids: tuple[str, ...]
    accounts: tuple[AccountHistory, ...]
    columns: dict[str, list[str]]  # column name -> values in input order


def read_transactions(path: Path) -> Transactions:
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = [name for name in REQUIRED if name not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
        names = list(reader.fieldnames or ())
        columns: dict[str, list[str]] = {name: [] for name in names}
        for record in reader:
            for name in names:
                columns[name].append(record[name] or "")
    rows, homes = [], {}
    present = [name for name in OPTIONAL if name in columns]
    for i, account_id in enumerate(columns["account_id"]):
        line = i + 2
        try:
            moment = parse_timestamp(columns["timestamp"][i])
        except ValueError as error:
            raise InputError(f"line {line}: timestamp: {error}") from None
        try:
            amount = float(columns["amount"][i])
        except ValueError:
            raise InputError(f"line {line}: amount: not a number: {columns['amount'][i]!r}") from None
        if not (math.isfinite(amount) and amount >= 0):
            raise InputError(f"line {line}: amount: must be a number >= 0, got {columns['amount'][i]!r}")
        optional = {name: columns[name][i] or None for name in present}
        rows.append((columns["transaction_id"][i], account_id, Txn(moment, amount, **optional)))
        if "home_country" in columns and columns["home_country"][i]:
            homes[account_id] = columns["home_country"][i]
    if len(set(columns["transaction_id"])) != len(columns["transaction_id"]):
        raise InputError(f"{path}: transaction_id values must be unique")
    return Transactions(tuple(columns["transaction_id"]), tuple(group_by_account(rows, homes)), columns)


def score_file(
    transactions: Transactions,
    workers: int,
    population: PopulationModel | None = None,
    progress: bool = True,
) -> list[ScoredAccount]:
    """The scored accounts, in the order of `transactions.accounts`."""
    with tqdm(total=len(transactions.accounts), unit="account", disable=not progress, file=sys.stderr) as bar:
        return score_histories(transactions.accounts, workers, population=population, progress=bar.update)


def fitted_population(transactions: Transactions) -> tuple[PopulationModel, bytes | None]:
    """A population model fitted on this input, as a deployment fits its own, and its serialised form; an input
    with too little history for one gets the shipped cold-start model (and no bytes), as a new deployment does."""
    features = [row for account in transactions.accounts for row in replay(account.txns, account.home_country)]
    try:
        model = build_population(features)
    except TooLittleHistory:
        return load_population(), None
    data, _ = dump_population(model)  # the version is the digest of the serialised model
    return model, data


def population_for(args: argparse.Namespace, transactions: Transactions) -> tuple[PopulationModel, str]:
    """The population model to score with and what it is, in words: the one given with `--population`, else
    the one fitted on this input (written to `--save-population` if asked)."""
    if args.population:
        model = read_population(Path(args.population))
        return model, f"population model {model.version} from {args.population}"
    model, data = fitted_population(transactions)
    if data is None:
        return model, f"population model {model.version}, shipped as the cold start (too little history to fit one)"
    if args.save_population:
        Path(args.save_population).write_bytes(data)
        return model, f"population model {model.version} fitted on this input, written to {args.save_population}"
    return model, f"population model {model.version} fitted on this input"


def write_scores(path: Path, ids: Sequence[str], accounts: Sequence[ScoredAccount]) -> None:
    scored = {tid: (account, i) for account in accounts for i, tid in enumerate(account.transaction_ids)}
    with open_text(path, "w") as handle:
        writer = csv.writer(handle)
        writer.writerow(("transaction_id", "score", "risk_level", "reasons"))
        for transaction_id in ids:
            account, i = scored[transaction_id]
            score = account.scores[i]
            writer.writerow((transaction_id, f"{score.score:.6f}", score.risk_level, "; ".join(score.reasons)))


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, type=Path, help="CSV (or .csv.gz) of transactions")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes scoring accounts (default: CPU count)"
    )
    parser.add_argument(
        "--population",
        help="population model file to score with (default: one fitted on this input, or the shipped cold-start "
        "model when the input has too little history)",
    )
    parser.add_argument("--save-population", metavar="PATH", help="write the population model fitted on this input")
    parser.add_argument(
        "--feedback", type=Path, metavar="FILE.csv", help="verdicts to learn from, each from when it became known"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("score", help="score a CSV of transactions offline", description=__doc__)
    add_common_arguments(parser)
    parser.add_argument("--output", required=True, type=Path, help="CSV (or .csv.gz) to write the scores to")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        transactions = read_transactions(args.input)
    except (InputError, FileNotFoundError) as error:
        print(f"isoflow score: {error}", file=sys.stderr)
        return 2
    population, described = population_for(args, transactions)
    print(described, file=sys.stderr)
    scored = score_file(transactions, args.workers, population, progress=not args.quiet)
    if args.feedback:
        try:
            verdicts = read_feedback(args.feedback)
        except (InputError, FileNotFoundError) as error:
            print(f"isoflow score: {error}", file=sys.stderr)
            return 2
        learnt = learn(transactions, scored, verdicts)
        print(describe_learning(learnt), file=sys.stderr)
        scored = with_learnt_scores(scored, learnt)
    write_scores(args.output, transactions.ids, scored)
    return 0


def rows_of(transactions: Transactions) -> Rows:
    """The accounts' transactions as the learning layer reads them, in the accounts' time-ordered rows."""
    return Rows(
        ids=[tid for account in transactions.accounts for tid in account.transaction_ids],
        accounts=[account.account_id for account in transactions.accounts for _ in account.txns],
        merchants=[txn.merchant for account in transactions.accounts for txn in account.txns],
        times=np.array([txn.timestamp.timestamp() for account in transactions.accounts for txn in account.txns]),
    )


def read_feedback(path: Path) -> list[Verdict]:
    """The verdicts of a feedback file; a row that cannot be read fails the command, naming its line."""
    verdicts = []
    with open_text(path) as text:
        try:
            for line, given in read_verdicts(text):
                if isinstance(given, Rejected):
                    raise InputError(f"{path}: line {line}: {given.reason}")
                fraud = given.verdict == CONFIRMED
                verdicts.append(Verdict(given.transaction_id, fraud, parse_timestamp(given.known_at).timestamp()))
        except (ValueError, csv.Error) as error:
            raise InputError(f"{path}: {error}") from error
    return verdicts


def learn(transactions: Transactions, scored: Sequence[ScoredAccount], verdicts: Sequence[Verdict]) -> Learnt:
    """Every row's score once learnt from `verdicts`, in the accounts' time-ordered rows."""
    base = np.array([s.score for account in scored for s in account.scores])
    features = feature_matrix([row for account in scored for row in account.features])
    return learnt_scores(rows_of(transactions), base, features, verdicts)


def describe_learning(learnt: Learnt) -> str:
    if not learnt.layers:
        return "learnt from verdicts: too few known to learn from (the detector's scores stand)"
    last = learnt.layers[-1]
    return (
        f"learnt from verdicts: {len(learnt.layers)} weekly layers, the last fitted on {last.verdicts} verdicts "
        f"({last.frauds} frauds)"
    )


def with_learnt_scores(scored: Sequence[ScoredAccount], learnt: Learnt) -> list[ScoredAccount]:
    """`scored` with each score and risk level the learnt ones, and the verdicts' reasons added."""
    out, i = [], 0
    for account in scored:
        scores = []
        for score in account.scores:
            value = round(float(learnt.scores[i]), 6)
            level = risk_level(value)
            reasons = (*score.reasons, *verdict_reasons(learnt.verdict_rows[i])) if level != "LOW" else ()
            scores.append(replace(score, score=value, risk_level=level, is_anomaly=level == "HIGH", reasons=reasons))
            i += 1
        out.append(replace(account, scores=tuple(scores)))
    return out
