"""The rules of a transaction's writes, over records: what is posted, what a change may touch, the currency, the
balance and what detection sees."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from isoflow.store.errors import RejectedValueError
from isoflow.store.records import Account, Feedback, Transaction
from isoflow.store.transactions import (
    balance_after,
    changed,
    check_currency,
    check_same_account,
    feed_shard,
    model_input,
    new_transaction,
)
from model.features import Txn

NOW = "2026-11-02T08:15:01Z"
ACCOUNT = Account(
    accountId="acc_0123456789abcdef",
    name="Ada Lovelace",
    accountType="CHECKING",
    currency="GBP",
    homeCountry="GB",
    balance=100.5,
    isStale=False,
    version=4,
    featureState='{"n":0}',
    createdAt="2026-11-01T09:00:00Z",
    updatedAt="2026-11-01T09:00:00Z",
)
POSTED = {
    "accountId": ACCOUNT.accountId,
    "transactionType": "PURCHASE",
    "amount": Decimal("12.30"),
    "merchant": "Corner Cafe",
    "channel": "CARD_PRESENT",
    "timestamp": "2026-11-02T08:15:00Z",
}


def posted(**data: object) -> Transaction:
    return new_transaction({**POSTED, **data}, transaction_id="txn_0123456789abcdef0123", currency="GBP", now=NOW)


def test_a_new_transaction_is_its_owners_input_as_a_first_revision() -> None:
    assert posted() == Transaction(
        transactionId="txn_0123456789abcdef0123",
        accountId=ACCOUNT.accountId,
        transactionType="PURCHASE",
        amount=Decimal("12.30"),
        currency="GBP",
        merchant="Corner Cafe",
        channel="CARD_PRESENT",
        timestamp="2026-11-02T08:15:00Z",
        feedShard=feed_shard("txn_0123456789abcdef0123"),
        revision=1,
        createdAt=NOW,
        updatedAt=NOW,
        features={},
    )
    assert posted(timestamp=None).timestamp == NOW  # without a time, it happened now
    assert posted(amount=12.3).amount == posted(amount="12.30").amount == Decimal("12.30")


def test_a_transaction_is_in_its_accounts_currency_and_another_is_refused() -> None:
    assert check_currency(ACCOUNT, None) == check_currency(ACCOUNT, "GBP") == "GBP"
    with pytest.raises(RejectedValueError, match=r"currency must be the account's currency \(GBP\)") as refused:
        check_currency(ACCOUNT, "EUR")
    assert refused.value.field == "currency"


def test_a_change_is_the_next_revision_and_touches_only_what_the_owner_may_set() -> None:
    old = dataclasses.replace(
        posted(),
        features={"history_size": 3.0},
        feedback=Feedback(verdict="NOT_FRAUD", at="2026-11-03T09:00:00Z"),
    )
    later = "2026-11-04T10:00:00Z"
    new = changed(old, {"amount": "50", "country": "FR", "revision": 9, "feedShard": "0"}, ACCOUNT, later)
    assert (new.amount, new.country, new.revision, new.feedShard) == (Decimal(50), "FR", 2, old.feedShard)
    assert (new.createdAt, new.updatedAt) == (old.createdAt, later)
    assert new.features == old.features and new.feedback == old.feedback  # features are the caller's to redo
    with pytest.raises(RejectedValueError, match="currency") as refused:
        changed(old, {"currency": "EUR"}, ACCOUNT, later)
    assert refused.value.field == "currency"


def test_a_transaction_stays_with_its_account() -> None:
    check_same_account(posted(), {"accountId": ACCOUNT.accountId, "amount": 5})
    with pytest.raises(RejectedValueError, match="cannot move to another account") as refused:
        check_same_account(posted(), {"accountId": "acc_fedcba9876543210"})
    assert refused.value.field == "accountId"


def test_the_balance_moves_by_what_a_write_adds_and_takes_back() -> None:
    purchase, deposit = posted(), posted(transactionType="DEPOSIT", amount=Decimal("40.00"))
    assert balance_after(ACCOUNT, None, purchase) == Decimal("88.20")
    assert balance_after(ACCOUNT, None, deposit) == Decimal("140.50")
    assert balance_after(ACCOUNT, purchase, deposit) == Decimal("152.80")  # the purchase undone, the deposit added
    assert balance_after(ACCOUNT, purchase, None) == Decimal("112.80")


def test_detection_sees_the_same_of_a_record_and_of_its_stored_attributes_and_never_the_ground_truth() -> None:
    transaction = posted()
    expected = Txn(
        timestamp=datetime(2026, 11, 2, 8, 15, tzinfo=UTC),
        amount=12.3,
        transaction_type="PURCHASE",
        merchant="Corner Cafe",
        channel="CARD_PRESENT",
    )
    assert model_input(transaction) == model_input(POSTED) == expected
    flagged = dataclasses.replace(transaction, injectedAnomaly="amount_spike", features={"history_size": 9.0})
    assert model_input(flagged) == expected
