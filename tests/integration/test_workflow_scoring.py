"""ScoreAccountBatch against DynamoDB (moto): what it scores, what it writes, and the risk it reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from detection_stack import purchase

from isoflow.detection.score import AccountRef, Batch, score_batch
from isoflow.store.accounts import create_account, read_account
from isoflow.store.db import Db, from_item
from isoflow.store.transactions import create_transaction, update_transaction
from model.population import PopulationModel
from model.scoring import ModelStore, Score


class AmountScorer:
    """A stand-in model: a transaction's score is its amount in thousands; it records what it was asked."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, list[int]]] = []

    def __call__(
        self,
        account_id: str,
        history: Sequence[Mapping[str, float]],
        targets: Sequence[int],
        models: ModelStore | None,
        *,
        population: PopulationModel,
    ) -> list[Score]:
        self.calls.append((account_id, len(history), list(targets)))
        scores = []
        for i in targets:
            value = min(1.0, history[i]["amount"] / 1000)
            level = "HIGH" if value >= 0.7 else "MEDIUM" if value >= 0.6 else "LOW"
            scores.append(Score(value, level, level == "HIGH", ("amount",), "test-1"))
        return scores


def stale_account(db: Db, amounts: Sequence[float]) -> tuple[str, list[str]]:
    account = create_account(db, {"name": "A", "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"})
    ids = [
        create_transaction(db, {**purchase(account.accountId, i), "amount": f"{amount:.2f}"}).transactionId
        for i, amount in enumerate(amounts)
    ]
    return account.accountId, ids


def batch_of(db: Db, *account_ids: str) -> Batch:
    """The batch FindStaleAccounts would write for these accounts."""
    accounts = [read_account(db, a) for a in account_ids]
    refs = tuple(AccountRef(a.accountId, a.version, a.unscoredFrom) for a in accounts)
    return Batch(execution_id="run-1", index=0, accounts=refs)


def scores(db: Db) -> dict[str, dict[str, Any]]:
    items = db.client.scan(TableName=db.scores)["Items"]
    return {item["transactionId"]["S"]: from_item(item) for item in items}


def test_only_transactions_without_a_current_score_are_scored(db: Db) -> None:
    account_id, ids = stale_account(db, [100, 800, 50])
    scorer = AmountScorer()

    first = score_batch(db, batch_of(db, account_id), models=None, scorer=scorer, now=lambda: "2026-11-24T10:00:00Z")

    assert first["transactionsScored"] == 3 and first["riskLevels"] == {"LOW": 2, "MEDIUM": 0, "HIGH": 1}
    (account,) = first["accounts"]
    assert (account["riskScore"], account["riskLevel"]) == (0.8, "HIGH")
    written = scores(db)
    assert written[ids[1]]["riskShard"].startswith("HIGH#") and written[ids[1]]["revision"] == 1
    assert written[ids[1]]["timestamp"] == purchase(account_id, 1)["timestamp"]

    update_transaction(db, ids[2], {"amount": "650.00"})  # a new revision, its old score dropped
    second = score_batch(db, batch_of(db, account_id), models=None, scorer=scorer, now=lambda: "2026-11-24T11:00:00Z")

    assert scorer.calls[-1] == (account_id, 3, [2])
    assert second["transactionsScored"] == 1 and second["riskLevels"]["MEDIUM"] == 1
    # The account keeps the highest score of its recent days, scored in this run or before.
    assert (second["accounts"][0]["riskScore"], second["accounts"][0]["riskLevel"]) == (0.8, "HIGH")
    rescored = scores(db)
    assert rescored[ids[2]]["revision"] == 2 and rescored[ids[2]]["scoredAt"] == "2026-11-24T11:00:00Z"
    assert rescored[ids[0]] == written[ids[0]]


def test_every_unscored_transaction_is_scored_against_at_most_a_window_before_it(db: Db) -> None:
    account_id, ids = stale_account(db, [10.0 * (i + 1) for i in range(12)])
    scorer = AmountScorer()

    score_batch(db, batch_of(db, account_id), models=None, scorer=scorer, window_size=5)

    assert set(scores(db)) == set(ids)
    # The first window shares a fit on itself (too little history before it); then each group of targets
    # gets the five transactions before it as history.
    assert scorer.calls == [(account_id, 5, [0, 1, 2, 3, 4]), (account_id, 9, [5, 6, 7, 8]), (account_id, 8, [5, 6, 7])]


def test_without_a_mark_the_newest_window_is_scored(db: Db) -> None:
    # An account stale for a delete only, or marked before accounts carried where their unscored ones begin.
    account_id, ids = stale_account(db, [10.0 * (i + 1) for i in range(8)])
    unmarked = Batch(execution_id="run-1", index=0, accounts=(AccountRef(account_id, 8, None),))
    scorer = AmountScorer()

    score_batch(db, unmarked, models=None, scorer=scorer, window_size=5)

    assert scorer.calls == [(account_id, 5, [0, 1, 2, 3, 4])]
    assert set(scores(db)) == set(ids[3:])


def test_a_batch_writes_its_scores_together_and_answers_per_account(db: Db) -> None:
    accounts = [stale_account(db, [20.0] * 30)[0] for _ in range(3)]
    calls: list[int] = []
    real = db.client.batch_write_item

    def counted(**request: Any) -> Any:
        calls.append(sum(len(v) for v in request["RequestItems"].values()))
        return real(**request)

    db.client.batch_write_item = counted  # type: ignore[method-assign]
    result = score_batch(db, batch_of(db, *accounts), models=None, scorer=AmountScorer())

    assert calls == [25, 25, 25, 15]  # 90 scores of three accounts, 25 a request
    assert [a["accountId"] for a in result["accounts"]] == accounts
    assert {a["version"] for a in result["accounts"]} == {30}
