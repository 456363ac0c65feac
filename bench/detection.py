"""Detection quality: Isoflow's scores beside the baselines of `model.evaluation`, on the same rows.

Two data sets: generated history (ground truth per anomaly kind) and an external labelled CSV (per scenario).
Each account is scored with the detector's own code (`model.batch`, as `isoflow evaluate` does), every row
of its history; the judged rows are all of them for generated data and those from `judge_from` on for the
CSV (its first month only builds up history).
"""

from __future__ import annotations

import gzip
import math
import zlib
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from isoflow.cli.score import Transactions, read_transactions
from isoflow.generator.csv_export import write_csv
from isoflow.generator.history import generate_history
from model.batch import score_histories
from model.evaluation import (
    Metrics,
    amount_zscores,
    global_iforest_scores,
    metrics_by_group,
    seed_iforest_scores,
)
from model.features import replay
from model.population import PopulationModel, build_population

GENERATED_END = datetime(2026, 11, 1, tzinfo=UTC)
# Not the seed the shipped population model was built from, so Isoflow is judged on data it never saw.
GENERATED_SEED = 11
SCORERS = ("isoflow", "amount_zscore", "global_iforest", "seed_iforest")


def generated_transactions(accounts: int, days: int, directory: Path) -> Transactions:
    """Generator history written as labelled CSV (`isoflow generate --csv`) and read back as the scorer reads it."""
    path = directory / "generated.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        write_csv(generate_history(accounts, days, GENERATED_SEED, GENERATED_END), out)
    return read_transactions(path)


def sample_accounts(transactions: Transactions, one_in: int) -> Transactions:
    """Every account whose id hashes to 0 modulo `one_in` (the same accounts in every run)."""
    if one_in <= 1:
        return transactions
    kept = tuple(a for a in transactions.accounts if zlib.crc32(a.account_id.encode()) % one_in == 0)
    return replace(transactions, accounts=kept)


def evaluate(
    transactions: Transactions,
    *,
    workers: int,
    population: PopulationModel | None = None,
    judge_from: datetime | None = None,
) -> dict[str, dict[str, Metrics]]:
    """Scorer -> group ('overall' and each kind or scenario) -> metrics, over the accounts in `transactions`."""
    accounts = transactions.accounts
    scored = score_histories(accounts, workers, population=population)
    position = {tid: i for i, tid in enumerate(transactions.ids)}
    order = [position[tid] for account in accounts for tid in account.transaction_ids]
    features = [row for account in scored for row in account.features]
    scores = {
        "isoflow": np.array([s.score for account in scored for s in account.scores]),
        "amount_zscore": np.concatenate(amount_zscores([account.txns for account in accounts])),
        "global_iforest": global_iforest_scores(features),
        "seed_iforest": np.concatenate(seed_iforest_scores([account.features for account in scored])),
    }
    labels = np.array([int(float(transactions.columns["label"][i] or 0)) for i in order])
    group_column = "scenario" if "scenario" in transactions.columns else "kind"
    groups = np.array([transactions.columns[group_column][i] for i in order], dtype=object)
    judged = np.ones(len(order), dtype=bool)
    if judge_from is not None:
        judged = np.array([txn.timestamp >= judge_from for account in accounts for txn in account.txns])
    return {
        name: metrics_by_group(labels[judged], values[judged], list(groups[judged])) for name, values in scores.items()
    }


def population_of(transactions: Transactions) -> PopulationModel:
    """A population model built from the data itself (unsupervised), as `isoflow evaluate --save-population`."""
    return build_population(
        row for account in transactions.accounts for row in replay(account.txns, account.home_country)
    )


def as_results(results: dict[str, dict[str, Metrics]], **about: Any) -> dict[str, Any]:
    """{scorer: {auc, ap, p_at_100, ..., by_group: {group: {...}}}} with NaN as null."""
    out: dict[str, Any] = {"about": about}
    for scorer, by_group in results.items():
        overall: dict[str, Any] = _clean(by_group["overall"].as_dict())
        overall["by_group"] = {group: _clean(m.as_dict()) for group, m in by_group.items() if group != "overall"}
        out[scorer] = overall
    return out


def _clean(values: dict[str, float | int]) -> dict[str, float | int | None]:
    return {
        k: (None if isinstance(v, float) and math.isnan(v) else (round(v, 4) if isinstance(v, float) else v))
        for k, v in values.items()
    }


def run(
    *,
    data: Path | None,
    generated_accounts: int,
    generated_days: int,
    data_one_in: int,
    judge_from: datetime,
    workers: int,
    scratch: Path,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    generated = generated_transactions(generated_accounts, generated_days, scratch)
    out["generated"] = as_results(
        evaluate(generated, workers=workers),
        accounts=len(generated.accounts),
        transactions=len(generated.ids),
        days=generated_days,
        seed=GENERATED_SEED,
        population="shipped",
    )
    if data is not None:
        sample = sample_accounts(read_transactions(data), data_one_in)
        out[data.name.split(".")[0]] = as_results(
            evaluate(sample, workers=workers, population=population_of(sample), judge_from=judge_from),
            accounts=len(sample.accounts),
            transactions=sum(len(a.txns) for a in sample.accounts),
            sampled=f"accounts with crc32(id) % {data_one_in} == 0",
            judged_from=judge_from.isoformat(),
            population="built from the sample",
        )
    return out


def table(detection: dict[str, Any]) -> str:
    lines = [f"{'data set':<10} {'group':<30} {'scorer':<15} {'rows':>7} {'pos':>5} {'auc':>6} {'ap':>6} {'p@100':>6}"]
    for dataset, by_scorer in detection.items():
        groups = ["overall", *by_scorer["isoflow"]["by_group"]]
        for group in groups:
            for scorer in SCORERS:
                m = by_scorer[scorer] if group == "overall" else by_scorer[scorer]["by_group"][group]
                lines.append(
                    f"{dataset:<10} {group:<30} {scorer:<15} {m['rows']:>7} {m['positives']:>5}"
                    f" {_fmt(m['auc'])} {_fmt(m['ap'])} {_fmt(m['p_at_100'])}"
                )
    return "\n".join(lines)


def _fmt(value: float | None) -> str:
    return f"{value:>6.3f}" if value is not None else f"{'-':>6}"
