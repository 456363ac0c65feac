"""Whole populations with their history, and the next few minutes of an existing account.

Everything is drawn from random generators seeded by strings built from the seed and the account id, so
the same seed, period and rate give byte-identical accounts and transactions, ids included.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from isoflow.generator.anomalies import DEFAULT_ANOMALY_RATE
from isoflow.generator.catalog import HOME_COUNTRIES, seeded_faker
from isoflow.generator.profiles import ACCOUNT_TYPE_WEIGHTS, profile_for
from isoflow.generator.simulate import DAY, HOUR, simulate
from isoflow.generator.transactions import iso, to_cents

LATE_OPENERS = 0.15  # share of accounts opened during the period rather than at its start


@dataclass(frozen=True)
class AccountHistory:
    account: dict[str, Any]  # stored shape, without what the data layer adds (balance, version, features)
    transactions: list[dict[str, Any]]  # oldest first; the first is the opening deposit


def generate_history(
    accounts: int,
    days: int,
    seed: int,
    end: datetime,
    anomaly_rate: float = DEFAULT_ANOMALY_RATE,
) -> Iterator[AccountHistory]:
    """`accounts` accounts, each with its transactions from its opening (within `days` before `end`)."""
    for account in generate_accounts(accounts, days, seed, end):
        yield history_of(account, seed, end, anomaly_rate)


def generate_accounts(accounts: int, days: int, seed: int, end: datetime) -> Iterator[dict[str, Any]]:
    """The accounts of `generate_history`, without their transactions (quick to draw)."""
    if accounts < 0 or days < 1:
        raise ValueError("accounts must be >= 0 and days >= 1")
    end_at = int(end.timestamp())
    population = random.Random(f"population:{seed}")
    for _ in range(accounts):
        yield new_account(population, end_at - days * DAY, end_at)


def history_of(
    account: dict[str, Any], seed: int, end: datetime, anomaly_rate: float = DEFAULT_ANOMALY_RATE
) -> AccountHistory:
    """One account of `generate_accounts` with its transactions: drawn from its own seed, so accounts can be
    generated in any order or in parallel and come out the same."""
    rng = random.Random(f"history:{seed}:{account['accountId']}")
    opened_at = int(datetime.fromisoformat(account["createdAt"]).timestamp())
    transactions = simulate(
        profile_for(account), opened_at, int(end.timestamp()), rng, anomaly_rate=anomaly_rate, open_account=True
    )
    return AccountHistory(account, transactions)


def new_account(rng: random.Random, start: int, end: int) -> dict[str, Any]:
    """A new account holder, opened at a business hour of their home country between start and end."""
    account_type = rng.choices(list(ACCOUNT_TYPE_WEIGHTS), weights=list(ACCOUNT_TYPE_WEIGHTS.values()))[0]
    home = rng.choices(list(HOME_COUNTRIES.values()), weights=[c.weight for c in HOME_COUNTRIES.values()])[0]
    account_id = f"acc_{rng.getrandbits(64):016x}"
    with seeded_faker(home.locale, rng.getrandbits(64)) as fake:
        name = fake.company() if account_type == "BUSINESS" else f"{fake.first_name()} {fake.last_name()}"
    if rng.random() < LATE_OPENERS:
        day = rng.randrange(start, max(start + 1, end - 7 * DAY))
    else:
        day = start + rng.randrange(min(2 * DAY, end - start))
    offset = home.utc_offset_minutes * 60
    local_day = (day + offset) // DAY * DAY
    opened = local_day + rng.randrange(9 * HOUR, 17 * HOUR) - offset
    if opened < start:
        opened += DAY
    opened = min(opened, end - 1)
    return {
        "accountId": account_id,
        "name": str(name),
        "accountType": account_type,
        "currency": home.currency,
        "homeCountry": home.code,
        "createdAt": iso(opened),
    }


def generate_window(
    account: Mapping[str, Any],
    start: datetime,
    end: datetime,
    anomaly_rate: float = DEFAULT_ANOMALY_RATE,
) -> list[dict[str, Any]]:
    """An existing account's transactions in [start, end), continuing from its stored balance.

    Seeded by the account and the period, so generating the same period again gives the same transactions
    (and the same ids) rather than new ones.
    """
    start_at, end_at = int(start.timestamp()), int(end.timestamp())
    opened_at = int(datetime.fromisoformat(str(account["createdAt"])).timestamp())
    start_at = max(start_at, opened_at + 1)
    if start_at >= end_at:
        return []
    rng = random.Random(f"window:{account['accountId']}:{start_at}:{end_at}")
    balance = to_cents(account.get("balance", 0))
    return simulate(profile_for(account), start_at, end_at, rng, balance, anomaly_rate)
