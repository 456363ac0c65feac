"""Stored items as records: what goes into DynamoDB comes back the same, and only what the record knows."""

from __future__ import annotations

import dataclasses

import pytest

from isoflow.store.db import to_item
from isoflow.store.records import Account

OPENED = Account(
    accountId="acc_0123456789abcdef",
    name="Ada Lovelace",
    accountType="CHECKING",
    currency="GBP",
    homeCountry="GB",
    balance=1250.5,
    isStale=True,
    version=3,
    featureState='{"n":0}',
    createdAt="2026-11-01T09:00:00Z",
    updatedAt="2026-11-02T10:00:00Z",
    staleShard="4",
)


def test_an_account_comes_back_from_its_item_as_it_went_in() -> None:
    assert Account.from_item(OPENED.to_item()) == OPENED
    scored = dataclasses.replace(
        OPENED, riskScore=0.93, riskLevel="HIGH", lastScoredAt="2026-11-02T11:00:00Z", staleShard=None
    )
    assert Account.from_item(scored.to_item()) == scored


def test_an_item_leaves_out_what_is_none_and_a_record_ignores_attributes_it_does_not_know() -> None:
    item = OPENED.to_item()
    assert "riskScore" not in item and "latestAt" not in item
    assert item["version"] == {"N": "3"} and item["isStale"] == {"BOOL": True}
    assert Account.from_item({**item, **to_item({"legacy": "x"})}) == OPENED


def test_records_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        OPENED.balance = 0  # type: ignore[misc]
