"""/api/accounts in order and by search, over every account and across pages, through the API against moto."""

from __future__ import annotations

from typing import Any

import pytest
from test_api_endpoints import create_account, create_transaction

from isoflow.api.models import AccountSort
from isoflow.store.accounts import AccountRisk, read_account, record_risks
from isoflow.store.db import Db
from isoflow.tables import ACCOUNT_ORDERS

PEOPLE = {
    "Ada Lovelace": 500.0,
    "José Álvarez": 20.0,
    "grace hopper": 1200.0,
    "Alan Turing": 75.0,
    "Émilie du Châtelet": 310.0,
}


def every_page(api: Any, **query: Any) -> list[dict[str, Any]]:
    """Every account the list gives, following its cursors two at a time."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        reply = api.get("/api/accounts", limit=2, cursor=cursor, **query)
        assert reply.status == 200, reply.text
        items += reply.json["items"]
        cursor = reply.json.get("nextCursor")
        if cursor is None:
            return items
    raise AssertionError("the list never ended")


@pytest.fixture
def people(api: Any) -> dict[str, dict[str, Any]]:
    """Five accounts with a deposit each (their balance), the newest deposit made last."""
    made = {}
    for hour, (name, amount) in enumerate(PEOPLE.items()):
        account = create_account(api, name=name)
        create_transaction(
            api,
            account["accountId"],
            transactionType="DEPOSIT",
            amount=amount,
            timestamp=f"2026-12-01T{10 + hour:02d}:00:00Z",
        )
        made[name] = account
    return made


def names(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


def test_every_sort_the_api_offers_has_its_index() -> None:
    assert {sort.value for sort in AccountSort} == set(ACCOUNT_ORDERS)


def test_accounts_list_by_name_over_every_page_accents_and_case_aside(people: Any, api: Any) -> None:
    assert names(every_page(api)) == [
        "Ada Lovelace",
        "Alan Turing",
        "Émilie du Châtelet",
        "grace hopper",
        "José Álvarez",
    ]
    assert names(every_page(api, order="desc"))[0] == "José Álvarez"


def test_balance_and_last_activity_sort_the_greatest_and_newest_first(people: Any, api: Any) -> None:
    by_balance = every_page(api, sort="balance")
    assert names(by_balance) == sorted(PEOPLE, key=PEOPLE.__getitem__, reverse=True)
    assert [a["balance"] for a in every_page(api, sort="balance", order="asc")] == sorted(PEOPLE.values())
    by_activity = every_page(api, sort="lastActivity")
    assert names(by_activity) == list(reversed(PEOPLE))
    assert by_activity[0]["latestAt"] == "2026-12-01T14:00:00Z"


def test_risk_lists_the_riskiest_scored_accounts_first(people: Any, api: Any, aws: Any) -> None:
    db = Db.from_settings(aws)
    scores = {"Alan Turing": 0.91, "Ada Lovelace": 0.12, "grace hopper": 0.55}
    risks = []
    for name, score in scores.items():
        account = read_account(db, people[name]["accountId"])
        level = "HIGH" if score > 0.8 else "MEDIUM" if score > 0.5 else "LOW"
        risks.append(AccountRisk(account.accountId, account.version, score, level))
    record_risks(db, risks, scored_at="2026-12-01T15:00:00Z")

    assert names(every_page(api, sort="risk")) == ["Alan Turing", "grace hopper", "Ada Lovelace"]
    assert names(every_page(api, sort="risk", riskLevel="HIGH")) == ["Alan Turing"]


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("love", ["Ada Lovelace"]),
        ("ALVAREZ", ["José Álvarez"]),
        ("jose", ["José Álvarez"]),
        ("chat", ["Émilie du Châtelet"]),
        ("a", ["Ada Lovelace", "Alan Turing", "José Álvarez"]),
        ("  grace   hop ", ["grace hopper"]),
        ("urin", []),  # inside a word: not a match
    ],
)
def test_search_finds_names_with_a_word_starting_with_the_text(
    people: Any, api: Any, search: str, found: list[str]
) -> None:
    assert names(every_page(api, q=search)) == found


def test_a_renamed_account_is_found_and_sorted_by_its_new_name(people: Any, api: Any) -> None:
    account_id = people["Alan Turing"]["accountId"]
    assert api.patch(f"/api/accounts/{account_id}", {"name": "Zoe Turing"}).status == 200
    assert names(every_page(api))[-1] == "Zoe Turing"
    assert names(every_page(api, q="zoe")) == ["Zoe Turing"]
    assert every_page(api, q="alan") == []


@pytest.mark.parametrize(
    "query",
    [{"sort": "amount"}, {"order": "up"}, {"q": "x" * 101}],
)
def test_a_sort_or_search_the_api_does_not_offer_is_a_422(api: Any, query: dict[str, str]) -> None:
    reply = api.get("/api/accounts", **query)
    assert reply.status == 422, reply.text


def test_a_cursor_of_one_order_is_refused_by_another(people: Any, api: Any) -> None:
    cursor = api.get("/api/accounts", limit=2).json["nextCursor"]
    reply = api.get("/api/accounts", sort="balance", limit=2, cursor=cursor)
    assert reply.status == 400, reply.text
