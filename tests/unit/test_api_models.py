"""Validation of the API's bodies: what a client may send, and how it is normalised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from pydantic import ValidationError

from isoflow.api.models import AccountUpdate, TransactionCreate, TransactionUpdate

VALID = {"accountId": "acc_0123456789abcdef", "transactionType": "PURCHASE", "amount": 12.5}


def test_amount_keeps_two_decimals_exactly() -> None:
    assert TransactionCreate.model_validate({**VALID, "amount": 0.1}).amount == Decimal("0.1")
    assert TransactionCreate.model_validate({**VALID, "amount": Decimal("19.99")}).amount == Decimal("19.99")
    assert TransactionCreate.model_validate({**VALID, "amount": 20}).amount == Decimal("20")


@pytest.mark.parametrize(
    "amount",
    [
        *(0, -1, 1.001, float("nan"), float("inf"), 1e12, True, None),
        *("NaN", "19.99", "10", " 10 ", "1_000", Decimal("12.30000000000000000001")),
    ],
)
def test_amount_must_be_positive_finite_with_two_decimals(amount: object) -> None:
    with pytest.raises(ValidationError) as failure:
        TransactionCreate.model_validate({**VALID, "amount": amount})
    assert failure.value.errors()[0]["loc"][0] == "amount"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-24T10:00:00Z", "2026-11-24T10:00:00Z"),
        ("2026-11-24T11:30:15.987+01:30", "2026-11-24T10:00:15Z"),
        ("2026-11-24t10:00:00z", "2026-11-24T10:00:00Z"),
    ],
)
def test_timestamps_are_stored_in_utc_to_the_second(given: str, stored: str) -> None:
    assert TransactionCreate.model_validate({**VALID, "timestamp": given}).timestamp == stored


@pytest.mark.parametrize("given", ["2026-11-24T10:00:00", "2026-13-01T00:00:00Z", "now", "0001-01-01T00:00:00+00:01"])
def test_timestamps_need_a_real_date_and_a_timezone(given: str) -> None:
    with pytest.raises(ValidationError):
        TransactionCreate.model_validate({**VALID, "timestamp": given})


def test_unknown_fields_and_enum_values_are_refused() -> None:
    with pytest.raises(ValidationError):
        TransactionCreate.model_validate({**VALID, "fraud": False})
    with pytest.raises(ValidationError):
        TransactionCreate.model_validate({**VALID, "transactionType": "REFUND"})


def test_changes_may_leave_fields_out_but_not_null_them() -> None:
    assert TransactionUpdate.model_validate({"merchant": "Bakery"}).model_dump(exclude_unset=True) == {
        "merchant": "Bakery"
    }
    with pytest.raises(ValidationError):
        TransactionUpdate.model_validate({"merchant": None})
    with pytest.raises(ValidationError):
        AccountUpdate.model_validate({"name": None})
    with pytest.raises(ValidationError):
        AccountUpdate.model_validate({"currency": "USD"})


def test_a_transaction_time_more_than_a_day_ahead_is_refused_and_one_within_it_kept() -> None:
    soon = (datetime.now(UTC) + timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M:%SZ")
    later = (datetime.now(UTC) + timedelta(days=1, minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

    assert TransactionCreate.model_validate({**VALID, "timestamp": soon}).timestamp == soon
    for model, body in ((TransactionCreate, {**VALID, "timestamp": later}), (TransactionUpdate, {"timestamp": later})):
        with pytest.raises(ValidationError, match="more than a day in the future"):
            model.model_validate(body)
