"""Demo accounts for the browser tests: each with a month of ordinary history and one unusual purchase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from isoflow.store.accounts import create_account
from isoflow.store.db import Db
from isoflow.store.records import Account
from isoflow.store.transactions import create_transaction
from isoflow.timestamps import format_timestamp

ACCOUNTS: tuple[dict[str, str], ...] = (
    {"name": "Ada Lovelace", "accountType": "CHECKING", "currency": "GBP", "homeCountry": "GB"},
    {"name": "Grace Hopper", "accountType": "SAVINGS", "currency": "USD", "homeCountry": "US"},
    {"name": "Hedy Lamarr GmbH", "accountType": "BUSINESS", "currency": "EUR", "homeCountry": "AT"},
)
# (days ago, type, amount, merchant, category, channel); the last one stands out from the rest.
HISTORY: tuple[tuple[int, str, str, str, str, str], ...] = (
    (30, "DEPOSIT", "2500.00", "Payroll", "income", "BANK_TRANSFER"),
    (27, "PURCHASE", "42.10", "Corner Grocer", "groceries", "CARD_PRESENT"),
    (24, "PURCHASE", "18.75", "Daily Coffee", "dining", "CARD_PRESENT"),
    (20, "PAYMENT", "120.00", "City Power", "utilities", "BANK_TRANSFER"),
    (16, "PURCHASE", "55.30", "Corner Grocer", "groceries", "CARD_PRESENT"),
    (12, "WITHDRAWAL", "60.00", "Main Street ATM", "cash", "ATM"),
    (8, "PURCHASE", "23.40", "Daily Coffee", "dining", "CARD_PRESENT"),
    (4, "PURCHASE", "61.90", "Corner Grocer", "groceries", "CARD_PRESENT"),
    (1, "PURCHASE", "1890.00", "Lux Electronics Online", "electronics", "ONLINE"),
)


def seed_demo_data(db: Db, now: datetime | None = None) -> list[Account]:
    """A few accounts, each with a month of ordinary history and one unusual purchase; returns the accounts."""
    now = now or datetime.now(UTC)
    accounts = []
    for data in ACCOUNTS:
        account = create_account(db, data)
        for days_ago, kind, amount, merchant, category, channel in HISTORY:
            create_transaction(
                db,
                {
                    "accountId": account.accountId,
                    "transactionType": kind,
                    "amount": Decimal(amount),
                    "description": f"{merchant} ({category})",
                    "merchant": merchant,
                    "category": category,
                    "country": data["homeCountry"],
                    "channel": channel,
                    "timestamp": format_timestamp(now - timedelta(days=days_ago)),
                },
            )
        accounts.append(account)
    return accounts
