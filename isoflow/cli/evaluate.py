"""`isoflow evaluate`: detection quality on labelled transactions, beside the baselines, in one run.

The input is what `isoflow score` reads plus a `label` column (1 = fraud/anomaly) and optionally a
`scenario` or `kind` column naming each positive's kind. Every row is scored; with `--judge-from`, only rows
at or after that time are judged (score April-May, judge May).

Verdicts, the way a bank learns them: with `--label-delay-days D`, each row's label becomes known D days after
the transaction (the Fraud Detection Handbook's protocol: 7), and `--feedback FILE.csv` adds the verdicts of a
file (`isoflow verdicts import`'s columns). Isoflow then learns from the verdicts known at each time, refitting
its verdict layer every week, and is shown beside its base score alone (`isoflow_base`); with a delay and
`--judge-from`, a supervised baseline fed the same late labels is trained once on every label known before the
judged period.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np

from isoflow.cli.score import (
    InputError,
    Transactions,
    add_common_arguments,
    describe_learning,
    learn,
    population_for,
    read_feedback,
    read_transactions,
    rows_of,
    score_file,
)
from isoflow.timestamps import parse_timestamp
from model.evaluation import (
    Metrics,
    amount_zscores,
    global_iforest_scores,
    metrics_by_group,
    supervised_baseline_scores,
)
from model.learning import DAY_S, Rows, Verdict
from model.scoring import seed_for

GROUP_COLUMNS = ("scenario", "kind")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate", help="measure detection quality on labelled transactions", description=__doc__
    )
    add_common_arguments(parser)
    parser.add_argument(
        "--judge-from", type=_moment, help="judge only rows at or after this ISO 8601 date-time (all are scored)"
    )
    parser.add_argument(
        "--accounts-fraction",
        type=_fraction,
        default=1.0,
        help="evaluate on this share of the accounts (0-1], the same accounts in every run; for quick comparisons",
    )
    parser.add_argument(
        "--label-delay-days",
        type=_days,
        help="each row's label becomes known this many days after the transaction, and Isoflow learns from it",
    )
    parser.add_argument("--report", type=Path, help="also write the metrics as JSON to this file")
    parser.set_defaults(func=run)


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {text}")
    return value


def sample_accounts(transactions: Transactions, fraction: float) -> Transactions:
    """The accounts whose id hashes below `fraction`: the same accounts in every run and every process."""
    if fraction >= 1:
        return transactions
    kept = tuple(account for account in transactions.accounts if seed_for(account.account_id) < fraction * 2**32)
    return replace(transactions, accounts=kept)


def _days(text: str) -> float:
    value = float(text)
    if not 0 <= value < 3650:
        raise argparse.ArgumentTypeError(f"must be a number of days from 0, got {text}")
    return value


def _moment(text: str) -> datetime:
    return parse_timestamp(text if "T" in text else f"{text}T00:00:00Z")


def evaluate(args: argparse.Namespace) -> tuple[dict[str, dict[str, Metrics]], str]:
    """Scorer name -> group ('overall' and each scenario/kind) -> metrics; and the population model used."""
    transactions = read_transactions(args.input)
    if "label" not in transactions.columns:
        raise InputError(f"{args.input}: missing column label")
    transactions = sample_accounts(transactions, args.accounts_fraction)
    population, described = population_for(args, transactions)
    scored = score_file(transactions, args.workers, population, progress=not args.quiet)

    # Everything aligned on the accounts' time-ordered rows, then judged by the input's labels.
    position = {tid: i for i, tid in enumerate(transactions.ids)}
    order = [position[tid] for account in transactions.accounts for tid in account.transaction_ids]
    ours = np.array([s.score for account in scored for s in account.scores])
    features = [row for account in scored for row in account.features]
    zscores = np.concatenate(amount_zscores([account.txns for account in transactions.accounts]))
    global_forest = global_iforest_scores(features)

    labels = np.array([int(float(transactions.columns["label"][i] or 0)) for i in order])
    group_column = next((name for name in GROUP_COLUMNS if name in transactions.columns), None)
    groups = [transactions.columns[group_column][i] for i in order] if group_column else None
    rows = rows_of(transactions)
    judged = rows.times >= args.judge_from.timestamp() if args.judge_from else np.ones(len(order), dtype=bool)
    kept_groups = [g for g, keep in zip(groups, judged, strict=True) if keep] if groups else None
    scorers = {"isoflow": ours, "amount_zscore": zscores, "global_iforest": global_forest}
    verdicts = _verdicts(args, rows, labels)
    if verdicts:
        learnt = learn(transactions, scored, verdicts)
        scorers = {
            "isoflow": learnt.scores,
            "isoflow_base": ours,
            "amount_zscore": zscores,
            "global_iforest": global_forest,
        }
        described += "; " + describe_learning(learnt)
    if args.label_delay_days is not None and args.judge_from:
        amounts = np.array([txn.amount for account in transactions.accounts for txn in account.txns])
        scorers["supervised_baseline"] = supervised_baseline_scores(
            rows, amounts, labels, args.label_delay_days, args.judge_from.timestamp()
        )
    results = {name: metrics_by_group(labels[judged], scores[judged], kept_groups) for name, scores in scorers.items()}
    return results, described


def _verdicts(args: argparse.Namespace, rows: Rows, labels: np.ndarray) -> list[Verdict]:
    """The verdicts to learn from: each row's label after the delay, and those of the feedback file."""
    verdicts = read_feedback(args.feedback) if args.feedback else []
    if args.label_delay_days is not None:
        delay = args.label_delay_days * DAY_S
        verdicts += [
            Verdict(tid, bool(label), float(moment) + delay)
            for tid, label, moment in zip(rows.ids, labels, rows.times, strict=True)
        ]
    return verdicts


def format_table(results: dict[str, dict[str, Metrics]]) -> str:
    lines = [f"{'group':<30} {'scorer':<16} {'rows':>8} {'pos':>6} {'auc':>7} {'ap':>7} {'p@100':>7} {'p@500':>7}"]
    for group in next(iter(results.values())):
        for scorer, by_group in results.items():
            m = by_group[group]
            lines.append(
                f"{group:<30} {scorer:<16} {m.rows:>8} {m.positives:>6} {m.auc:>7.4f} {m.ap:>7.4f}"
                f" {m.p_at_100:>7.3f} {m.p_at_500:>7.3f}"
            )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    try:
        results, population = evaluate(args)
    except (InputError, FileNotFoundError) as error:
        print(f"isoflow evaluate: {error}", file=sys.stderr)
        return 2
    print(f"isoflow scored with {population}")
    print(format_table(results))
    if args.report:
        report: dict[str, object] = {
            scorer: {g: m.as_dict() for g, m in by_group.items()} for scorer, by_group in results.items()
        }
        report["population"] = population
        args.report.write_text(json.dumps(report, indent=2) + "\n")
    return 0
