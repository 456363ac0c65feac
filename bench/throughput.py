"""Detector throughput: how many transactions and accounts one core scores, and what model reuse saves.

Timed in CPU seconds of this process (`time.process_time`), which is what "per core" means and what a busy
shared machine disturbs least; wall-clock seconds are reported beside them.

- Windows: accounts whose window holds 100, 500 or 2,000 transactions, every transaction scored (an account's
  first run: one forest fitted, the whole window scored, reasons for MEDIUM and HIGH).
- Incremental: after a first run with persisted models, 10% of the accounts get 1-3 new transactions. The
  detector scores only those, reusing each stored forest; the refit-everything baseline fits every account's
  forest again (a detector without stale tracking or persisted models), and refit-changed fits only the
  changed accounts' forests (stale tracking without persisted models). The new transactions' scores must be
  the same either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from isoflow.generator.history import generate_history
from isoflow.store.transactions import model_input
from model.config import DEFAULT_CONFIG
from model.features import replay
from model.population import load_population
from model.scoring import InMemoryModelStore, Score, score_account

HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY_SEED = 23
# The generator makes about 1.25 transactions a day per account; a margin for quieter accounts.
TRANSACTIONS_PER_DAY = 1.0
CHANGED_SHARE = 0.1


@dataclass(frozen=True)
class Account:
    account_id: str
    rows: list[dict[str, float]]  # feature rows, oldest first


@dataclass(frozen=True)
class Timing:
    cpu_s: float
    wall_s: float


def timed(work: Callable[[], Any]) -> tuple[Any, Timing]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = work()
    return result, Timing(time.process_time() - cpu, time.perf_counter() - wall)


def accounts_with(count: int, rows: int) -> list[Account]:
    """`count` generated accounts with at least `rows` transactions each, as feature rows (the last `rows`)."""
    found: list[Account] = []
    days = int(rows / TRANSACTIONS_PER_DAY) + 30
    for history in generate_history(count * 3, days, HISTORY_SEED + rows, HISTORY_END):
        if len(history.transactions) < rows:
            continue
        txns = [model_input(t) for t in history.transactions]
        features = replay(txns, history.account["homeCountry"])
        found.append(Account(history.account["accountId"], features[-rows:]))
        if len(found) == count:
            return found
    raise RuntimeError(f"only {len(found)} generated accounts reached {rows} transactions")


def window_throughput(window: int, accounts: int) -> dict[str, float]:
    sample = accounts_with(accounts, window)
    load_population()
    _, timing = timed(lambda: [score_account(a.account_id, a.rows, range(window)) for a in sample])
    return {
        "accounts": accounts,
        "window": window,
        "cpu_s": round(timing.cpu_s, 3),
        "wall_s": round(timing.wall_s, 3),
        "txns_per_s_per_core": round(accounts * window / timing.cpu_s, 1),
        "accounts_per_s_per_core": round(accounts / timing.cpu_s, 2),
    }


def incremental(accounts: int, history: int) -> dict[str, Any]:
    if history + 3 > DEFAULT_CONFIG.window:
        raise ValueError("the history and its new transactions must fit the window, so that nothing ages out")
    sample = accounts_with(accounts, history + 3)
    changed = {a.account_id: 1 + i % 3 for i, a in enumerate(sample[:: round(1 / CHANGED_SHARE)])}
    store = InMemoryModelStore()
    load_population()
    for a in sample:  # the previous run: every transaction scored, the forests stored
        score_account(a.account_id, a.rows[:history], range(history), store)

    def new_targets(a: Account) -> range:
        return range(history, history + changed[a.account_id])

    def score_changed(models: InMemoryModelStore | None) -> dict[str, list[Score]]:
        return {
            a.account_id: score_account(a.account_id, a.rows[: history + changed[a.account_id]], new_targets(a), models)
            for a in sample
            if a.account_id in changed
        }

    def refit_everything() -> dict[str, list[Score]]:
        out = {}
        for a in sample:
            if a.account_id in changed:
                out[a.account_id] = score_account(
                    a.account_id, a.rows[: history + changed[a.account_id]], new_targets(a)
                )
            else:  # nothing new: the forest is refitted all the same, and the latest transaction scored again
                score_account(a.account_id, a.rows[:history], [history - 1])
        return out

    reused, reuse_timing = timed(lambda: score_changed(store))
    refit_all, all_timing = timed(refit_everything)
    refit_changed, changed_timing = timed(lambda: score_changed(None))
    differing = _differing(reused, refit_all) + _differing(reused, refit_changed)
    new_transactions = sum(changed.values())
    return {
        "accounts": accounts,
        "history": history,
        "changed_accounts": len(changed),
        "new_transactions": new_transactions,
        "incremental_cpu_s": round(reuse_timing.cpu_s, 4),
        "refit_everything_cpu_s": round(all_timing.cpu_s, 3),
        "refit_changed_cpu_s": round(changed_timing.cpu_s, 3),
        "incremental_wall_s": round(reuse_timing.wall_s, 4),
        "refit_everything_wall_s": round(all_timing.wall_s, 3),
        "incremental_speedup": round(all_timing.cpu_s / reuse_timing.cpu_s, 1),
        "reuse_speedup": round(changed_timing.cpu_s / reuse_timing.cpu_s, 1),
        "same_scores": not differing,
        "differing_scores": differing,
    }


def _differing(a: dict[str, Sequence[Score]], b: dict[str, Sequence[Score]]) -> int:
    return sum(x != y for key in a for x, y in zip(a[key], b[key], strict=True))


def run(*, windows: dict[int, int], incremental_accounts: int, incremental_history: int) -> dict[str, Any]:
    by_window = {str(w): window_throughput(w, n) for w, n in windows.items()}
    inc = incremental(incremental_accounts, incremental_history)
    return {
        "txns_per_s_per_core": {w: r["txns_per_s_per_core"] for w, r in by_window.items()},
        "accounts_per_s_per_core": {w: r["accounts_per_s_per_core"] for w, r in by_window.items()},
        "windows": by_window,
        "incremental_speedup": inc["incremental_speedup"],
        "incremental": inc,
    }


def table(throughput: dict[str, Any]) -> str:
    lines = [f"{'window':>7} {'accounts':>9} {'cpu s':>8} {'txns/s/core':>12} {'accounts/s/core':>16}"]
    for w, r in throughput["windows"].items():
        lines.append(
            f"{w:>7} {r['accounts']:>9} {r['cpu_s']:>8.2f} {r['txns_per_s_per_core']:>12.0f}"
            f" {r['accounts_per_s_per_core']:>16.2f}"
        )
    inc = throughput["incremental"]
    lines += [
        "",
        f"incremental: {inc['changed_accounts']} of {inc['accounts']} accounts ({inc['history']} transactions each)"
        f" with {inc['new_transactions']} new transactions",
        f"  reuse stored forests  {inc['incremental_cpu_s']:>8.3f} cpu s",
        f"  refit everything      {inc['refit_everything_cpu_s']:>8.3f} cpu s   speedup {inc['incremental_speedup']}x",
        f"  refit changed only    {inc['refit_changed_cpu_s']:>8.3f} cpu s   speedup {inc['reuse_speedup']}x",
        f"  same scores for the new transactions: {inc['same_scores']} ({inc['differing_scores']} differ)",
    ]
    return "\n".join(lines)
