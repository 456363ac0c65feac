"""Learning from verdicts, measured: detection quality with and without verdicts, with labels known 7 days
after each transaction (the Fraud Detection Handbook's protocol), beside the supervised baseline fed the same
late labels; and the learning step's time, size and cost per run as the verdicts known grow.

Quality runs `isoflow evaluate --label-delay-days 7` itself on a share of the labelled data's accounts: the
figures are development data's, not held-out evidence (model/README.md has those). The learning step is
timed on rows of that same run: reading the verdicts is priced from their item size, fitting and storing the
layer is timed here, and the cost is that of RefitModels' Lambda (1769 MB) doing both once an hour.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.detection import clean, fmt
from bench.pipeline import DYNAMODB_USD_PER_RRU, LAMBDA_ARM_USD_PER_GB_S, PRICES_DATE
from isoflow.cli import build_parser
from isoflow.cli.evaluate import evaluate
from isoflow.detection.learn import REFERENCE_ROWS
from isoflow.functions import REFIT_MODELS
from model.learning import Evidence, Rows, Verdict, VerdictLayer, counted_features, dump_layer, fit_verdict_model

LABEL_DELAY_DAYS = 7
FIT_SIZES = (1_000, 10_000, 50_000)
# What one verdict costs to read: its item in the verdict index (features, verdict and keys, about 1 KB:
# eventually consistent Query reads are 0.5 RRU per 4 KB, summed over items) and its score (BatchGetItem:
# 0.5 RRU per item, rounded up to 4 KB).
VERDICT_ITEM_KB = 1.0
RRU_PER_VERDICT = 0.5 * VERDICT_ITEM_KB / 4 + 0.5
# A refit also reads a sample of recent transactions for its quantile map, at about the same cost per item.
RRU_PER_REFIT = REFERENCE_ROWS * RRU_PER_VERDICT
RUNS_PER_DAY = 24


def quality(data: Path, *, accounts_fraction: float, judge_from: str, workers: int) -> dict[str, Any]:
    args = build_parser(("evaluate",)).parse_args(
        [
            "evaluate",
            "--input", str(data),
            "--accounts-fraction", str(accounts_fraction),
            "--judge-from", judge_from,
            "--label-delay-days", str(LABEL_DELAY_DAYS),
            "--workers", str(workers),
            "--quiet",
        ]
    )  # fmt: skip
    results, described = evaluate(args)
    return {
        "about": {"accounts_fraction": accounts_fraction, "judged_from": judge_from, "scored_with": described},
        **{
            scorer: {group: clean(m.as_dict()) for group, m in by_group.items()} for scorer, by_group in results.items()
        },
    }


def step_cost(sizes: tuple[int, ...] = FIT_SIZES, seed: int = 0) -> dict[str, Any]:
    """Per number of verdicts known: the seconds to count what they say and fit the layer, the layer's size, and
    the cost of a refit and of a day of hourly refits. The rows are drawn like a bank's: 5% frauds, a score that
    separates them partly, merchant and account keys shared across rows."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for n in sizes:
        fraud = rng.random(n) < 0.05
        times = np.sort(rng.uniform(0, 180 * 86400, n))
        rows = Rows(
            ids=[f"t{i}" for i in range(n)],
            accounts=[f"a{k}" for k in rng.integers(0, max(n // 20, 1), n)],
            merchants=[f"m{k}" for k in rng.integers(0, max(n // 50, 1), n)],
            times=times,
        )
        verdicts = [Verdict(f"t{i}", bool(fraud[i]), times[i] + 7 * 86400) for i in range(n)]
        began = time.perf_counter()
        base = np.clip(rng.normal(0.45 + 0.2 * fraud, 0.08), 0, 1)
        evidence = Evidence(verdicts, rows.accounts, rows.merchants, times, base)
        verdict_rows = counted_features(rows, evidence)
        features = rng.normal(size=(n, 23))
        inputs = np.column_stack([base, features, verdict_rows])
        model = fit_verdict_model(inputs, fraud.astype(np.int8), inputs)
        if model is None:
            raise ValueError(f"{n} rows are too few to fit a layer")
        data, _ = dump_layer(VerdictLayer(model, evidence, float(times[-1])))
        seconds = time.perf_counter() - began
        per_run = (
            seconds * REFIT_MODELS.memory_mb / 1024 * LAMBDA_ARM_USD_PER_GB_S
            + (n * RRU_PER_VERDICT + RRU_PER_REFIT) * DYNAMODB_USD_PER_RRU
        )
        out[str(n)] = {
            "seconds": round(seconds, 2),
            "layer_kb": round(len(data) / 1024),
            "usd_per_refit": round(per_run, 6),
            "usd_per_day_hourly": round(per_run * RUNS_PER_DAY, 4),
        }
    out["prices"] = f"us-east-1 list prices of {PRICES_DATE}, arm64 Lambda at {REFIT_MODELS.memory_mb} MB"
    return out


def run(
    *, data: Path | None, accounts_fraction: float, judge_from: str, workers: int, fit_sizes: tuple[int, ...]
) -> dict[str, Any]:
    out: dict[str, Any] = {"step": step_cost(fit_sizes)}
    if data is not None:
        out["quality"] = quality(data, accounts_fraction=accounts_fraction, judge_from=judge_from, workers=workers)
    return out


def table(learning: dict[str, Any]) -> str:
    lines = [f"{'verdicts known':>15} {'seconds':>8} {'layer KB':>9} {'USD/refit':>10} {'USD/day':>8}"]
    for n, step in learning["step"].items():
        if n == "prices":
            continue
        cost = f"{step['usd_per_refit']:>10} {step['usd_per_day_hourly']:>8}"
        lines.append(f"{n:>15} {step['seconds']:>8} {step['layer_kb']:>9} {cost}")
    lines.append(f"({learning['step']['prices']}; hourly refits)")
    quality = learning.get("quality")
    if quality:
        about = quality["about"]
        lines.append(
            f"\nquality, labels known {LABEL_DELAY_DAYS} days late ({about['accounts_fraction']} of the accounts, "
            f"judged from {about['judged_from']})"
        )
        lines.append(f"{'group':<30} {'scorer':<20} {'auc':>6} {'ap':>6} {'p@100':>6}")
        groups = quality["isoflow"].keys()
        for group in groups:
            for scorer in ("isoflow", "isoflow_base", "supervised_baseline"):
                m = quality[scorer][group]
                lines.append(f"{group:<30} {scorer:<20} {fmt(m['auc'])} {fmt(m['ap'])} {fmt(m['p_at_100'])}")
    return "\n".join(lines)
