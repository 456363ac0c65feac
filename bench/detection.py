"""Detection quality: Isoflow's scores beside the baselines of `model.evaluation`, on the same rows.

Two data sets: generated history (ground truth per anomaly kind) and an external labelled CSV (per scenario).
Each account is scored with the detector's own code (`model.batch`, as `isoflow evaluate` does), every row
of its history; the judged rows are all of them for generated data and those from `judge_from` on for the
CSV (its first month only builds up history).

Each data set is scored twice: with a population model fitted on itself (unsupervised, as a deployment fits
its own and as `isoflow evaluate` does by default), and with one fitted on the other data set (the external
CSV with the generated data's, the generated data with the CSV's; without a CSV, the shipped cold-start
model, itself fitted on generated data of another seed): what a bank would get judged by another's normal.
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

from isoflow.cli.score import Transactions, fitted_population, read_transactions
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
from model.population import PopulationModel, load_population

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


def as_results(results: dict[str, dict[str, Metrics]], **about: Any) -> dict[str, Any]:
    """{scorer: {auc, ap, p_at_100, ..., by_group: {group: {...}}}} with NaN as null."""
    out: dict[str, Any] = {"about": about}
    for scorer, by_group in results.items():
        overall: dict[str, Any] = clean(by_group["overall"].as_dict())
        overall["by_group"] = {group: clean(m.as_dict()) for group, m in by_group.items() if group != "overall"}
        out[scorer] = overall
    return out


def clean(values: dict[str, float | int]) -> dict[str, float | int | None]:
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
    generated = generated_transactions(generated_accounts, generated_days, scratch)
    data_sets: dict[str, tuple[Transactions, datetime | None, dict[str, Any]]] = {
        "generated": (generated, None, {"days": generated_days, "seed": GENERATED_SEED})
    }
    if data is not None:
        sample = sample_accounts(read_transactions(data), data_one_in)
        about = {"sampled": f"accounts with crc32(id) % {data_one_in} == 0", "judged_from": judge_from.isoformat()}
        data_sets[data.name.split(".")[0]] = (sample, judge_from, about)
    populations, described = {"shipped": load_population()}, {"shipped": "shipped: generated data of seed 7"}
    for name, (transactions, _, _) in data_sets.items():
        populations[name], fitted = fitted_population(transactions)
        described[name] = f"fitted on {name}" if fitted else f"shipped: {name} has too little history to fit one"
    names = list(data_sets)
    other = {names[0]: names[-1], names[-1]: names[0]} if len(names) == 2 else {names[0]: "shipped"}
    out: dict[str, Any] = {}
    for name, (transactions, judged_from, about) in data_sets.items():
        for source, label in ((name, name), (other[name], f"{name} by {other[name]} population")):
            out[label] = as_results(
                evaluate(transactions, workers=workers, population=populations[source], judge_from=judged_from),
                accounts=len(transactions.accounts),
                transactions=sum(len(a.txns) for a in transactions.accounts),
                population=f"{populations[source].version}, {described[source]}",
                **about,
            )
    return out


def table(detection: dict[str, Any]) -> str:
    lines = [f"{'data set':<36} {'group':<30} {'scorer':<15} {'rows':>7} {'pos':>5} {'auc':>6} {'ap':>6} {'p@100':>6}"]
    for dataset, by_scorer in detection.items():
        groups = ["overall", *by_scorer["isoflow"]["by_group"]]
        for group in groups:
            for scorer in SCORERS:
                m = by_scorer[scorer] if group == "overall" else by_scorer[scorer]["by_group"][group]
                lines.append(
                    f"{dataset:<36} {group:<30} {scorer:<15} {m['rows']:>7} {m['positives']:>5}"
                    f" {fmt(m['auc'])} {fmt(m['ap'])} {fmt(m['p_at_100'])}"
                )
    return "\n".join(lines)


def fmt(value: float | None) -> str:
    return f"{value:>6.3f}" if value is not None else f"{'-':>6}"
