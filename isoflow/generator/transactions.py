"""One generated transaction, from draft (what happened) to the stored item shape (camelCase dict)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from decimal import Decimal

from isoflow.generator.catalog import CATEGORIES, Channel, Merchant, TransactionType


@dataclass(frozen=True)
class Draft:
    """A transaction before it is checked against the balance and given an id."""

    category: str
    merchant: Merchant
    channel: Channel
    cents: int
    description: str
    transaction_type: TransactionType
    # Injected anomalies only: the kind, and the least amount that still makes the anomaly what it is
    # (an amount spike capped to the available balance must still be a spike).
    anomaly: str | None = None
    minimum_cents: int = 1


def to_cents(amount: float | Decimal | str) -> int:
    return int((Decimal(str(amount)) * 100).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def iso(timestamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))


def cents_for(category: str, amount: float) -> int:
    """Amounts as people pay them: cash in multiples of 20, everything else to the cent, never zero."""
    if category == "cash":
        return max(1, round(amount / 20)) * 2000
    return max(1, round(amount * 100))


def pick_channel(rng: random.Random, category: str) -> Channel:
    channels = CATEGORIES[category].channels
    if len(channels) == 1:
        return channels[0][0]
    return rng.choices([channel for channel, _ in channels], weights=[share for _, share in channels])[0]


def describe(rng: random.Random, category: str, channel: Channel, merchant: Merchant, timestamp: int) -> str:
    """A statement line as a bank would print it."""
    month = time.strftime("%b %Y", time.gmtime(timestamp))
    name = merchant.name
    match category:
        case "income":
            return f"Salary {month}, {name}"
        case "housing":
            return f"Standing order {name}, rent {month}"
        case "utilities" | "telecom" | "insurance":
            return f"Direct debit {name}, ref {rng.randrange(10**7, 10**8)}"
        case "fitness":
            return f"Membership {name}, {month}"
        case "subscriptions":
            return f"{name} subscription"
        case "savings":
            return "Standing order from current account"
        case "interest":
            return f"Interest {month}"
        case "repayment":
            return "Card repayment received, thank you"
        case "own_transfer":
            return "Transfer to current account"
        case "payroll":
            return f"Payroll {month}"
        case "sales":
            return f"Payment from {name}, invoice INV-{rng.randrange(10000, 100000)}"
        case "suppliers":
            return f"Payment to {name}, invoice {rng.randrange(100000, 1000000)}"
        case "transfer":
            return f"Transfer to {name}"
        case "cash":
            return f"ATM withdrawal {name}, {merchant.city}"
    if channel == "ONLINE":
        return f"Online purchase {name}"
    return f"Card purchase {name}, {merchant.city}"


def opening_deposit(account_type: str, home_country: str, cents: int) -> Draft:
    description = "Credit line opened" if account_type == "CREDIT" else "Opening deposit"
    merchant = Merchant(name="Account opening", city="", country=home_country)
    return Draft("opening", merchant, "BANK_TRANSFER", cents, description, "DEPOSIT")


def to_item(draft: Draft, transaction_id: str, account_id: str, currency: str, timestamp: int) -> dict[str, object]:
    """The transaction in its stored shape, without what the data layer adds (features, balance after)."""
    item: dict[str, object] = {
        "transactionId": transaction_id,
        "accountId": account_id,
        "transactionType": draft.transaction_type,
        "amount": from_cents(draft.cents),
        "currency": currency,
        "description": draft.description,
        "merchant": draft.merchant.name,
        "category": draft.category,
        "country": draft.merchant.country,
        "channel": draft.channel,
        "timestamp": iso(timestamp),
    }
    if draft.anomaly:
        item["injectedAnomaly"] = draft.anomaly
    return item
