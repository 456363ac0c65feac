"""ScoreAccountBatch: score the unscored transactions of each account in a batch, and write the scores.

Per account: its most recent transactions (the model's window) from the account/time index, in time order;
its scores; every transaction without a score for its current revision is scored by the model with the
window as history. The scores of the whole batch go out together in BatchWriteItem requests of 25.

What comes back is small whatever the number of transactions: per account its id, the version read when
the run found it stale, and its risk (the highest score in its window); per batch the counts by level.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from isoflow.detection.files import PopulationFiles
from isoflow.store.db import Db, from_item, to_values
from isoflow.store.scores import RISK_LEVELS, TransactionScore, write_scores
from isoflow.tables import BY_ACCOUNT_INDEX
from isoflow.timestamps import now_text
from isoflow.workflow import Keys, States, optional_timestamp, population, step_input, text
from model.config import DEFAULT_CONFIG
from model.population import PopulationModel, load_population, loads_population
from model.scoring import ModelStore, Score, score_account

logger = Logger(service="isoflow")


class Scorer(Protocol):
    """How an account's transactions are scored: `model.scoring.score_account`, or a test's stand-in."""

    def __call__(
        self,
        account_id: str,
        history: Sequence[Mapping[str, float]],
        targets: Sequence[int],
        models: ModelStore | None,
        *,
        population: PopulationModel,
    ) -> list[Score]: ...


@dataclass(frozen=True)
class AccountRef:
    account_id: str
    version: int


@dataclass(frozen=True)
class Batch:
    execution_id: str
    index: int
    accounts: tuple[AccountRef, ...]
    clear_if_written_before: str | None = None
    population: dict[str, str] | None = None  # the run's population model; None: the shipped cold start

    @classmethod
    def from_event(cls, event: Any) -> Batch:
        """A Map item (see `isoflow.detection.find.batches_of`), checked whole before any account is read."""
        batch = step_input(
            States.SCORE_ACCOUNT_BATCH,
            event,
            {
                Keys.EXECUTION_ID: text,
                Keys.BATCH: int,
                Keys.ACCOUNTS: _account_refs,
                Keys.CLEAR_IF_WRITTEN_BEFORE: optional_timestamp,
                Keys.POPULATION: population,
            },
        )
        return cls(
            execution_id=batch[Keys.EXECUTION_ID],
            index=batch[Keys.BATCH],
            accounts=batch[Keys.ACCOUNTS],
            clear_if_written_before=batch[Keys.CLEAR_IF_WRITTEN_BEFORE],
            population=batch[Keys.POPULATION],
        )


class Populations:
    """The population models this process has loaded, by key: a warm detector loads each model once, and a run
    that names a newer one (after a refit) gets it without a redeploy."""

    def __init__(self) -> None:
        self._loaded: dict[str, PopulationModel] = {}

    def get(self, files: PopulationFiles, ref: dict[str, str] | None) -> PopulationModel:
        if ref is None:
            return load_population()
        key = ref["key"]
        if key not in self._loaded:
            model = loads_population(files.model(key))
            if model.version != ref["version"]:
                raise ValueError(f"the population model at {key} is version {model.version}, not {ref['version']}")
            self._loaded = {key: model}  # the newest only: a model is a few MB
        return self._loaded[key]


def _account_refs(value: Any) -> tuple[AccountRef, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of accounts, got {type(value).__name__}")
    return tuple(AccountRef(text(account[Keys.ACCOUNT_ID]), int(account[Keys.VERSION])) for account in value)


def read_window(db: Db, account_id: str, size: int) -> list[dict[str, Any]]:
    """The account's `size` most recent transactions, oldest first (ties in time by id, so runs agree)."""
    request: dict[str, Any] = {
        "TableName": db.transactions,
        "IndexName": BY_ACCOUNT_INDEX,
        "KeyConditionExpression": "accountId = :a",
        "ExpressionAttributeValues": to_values({":a": account_id}),
        "ProjectionExpression": "transactionId, #t, revision, features",
        "ExpressionAttributeNames": {"#t": "timestamp"},
        "ScanIndexForward": False,
    }
    items: list[dict[str, Any]] = []
    while len(items) < size:
        response = db.client.query(**request, Limit=size - len(items))
        items.extend(from_item(item) for item in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            break
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]
    return sorted(items, key=lambda t: (t["timestamp"], t["transactionId"]))


def read_scores(db: Db, account_id: str) -> dict[str, dict[str, Any]]:
    """transactionId -> the revision, score and level of every score the account has."""
    request: dict[str, Any] = {
        "TableName": db.scores,
        "KeyConditionExpression": "accountId = :a",
        "ExpressionAttributeValues": to_values({":a": account_id}),
        "ProjectionExpression": "transactionId, revision, riskScore, riskLevel",
    }
    scores: dict[str, dict[str, Any]] = {}
    while True:
        response = db.client.query(**request)
        for item in response.get("Items", []):
            score = from_item(item)
            scores[score["transactionId"]] = score
        if "LastEvaluatedKey" not in response:
            return scores
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


@dataclass(frozen=True)
class AccountResult:
    account: AccountRef
    new_scores: tuple[TransactionScore, ...]
    risk_score: float  # the highest current score in the window; 0 for an account with no transactions
    risk_level: str

    def payload(self) -> dict[str, Any]:
        return {
            Keys.ACCOUNT_ID: self.account.account_id,
            Keys.VERSION: self.account.version,
            "riskScore": self.risk_score,
            "riskLevel": self.risk_level,
        }


def score_one_account(
    db: Db,
    account: AccountRef,
    *,
    models: ModelStore | None,
    population: PopulationModel,
    scorer: Scorer = score_account,
    window_size: int = DEFAULT_CONFIG.window,
    scored_at: str,
) -> AccountResult:
    window = read_window(db, account.account_id, window_size)
    # An account whose transactions were all deleted has nothing to score and no scores that count.
    existing = read_scores(db, account.account_id) if window else {}
    targets = [
        i
        for i, transaction in enumerate(window)
        if existing.get(transaction["transactionId"], {}).get("revision") != transaction["revision"]
    ]
    rows = [t.get("features") or {} for t in window]
    scores = scorer(account.account_id, rows, targets, models, population=population) if targets else []
    new_scores = tuple(
        TransactionScore(
            account_id=account.account_id,
            transaction_id=window[i]["transactionId"],
            timestamp=window[i]["timestamp"],
            revision=window[i]["revision"],
            risk_score=score.score,
            risk_level=score.risk_level,
            is_anomaly=score.is_anomaly,
            reasons=tuple(score.reasons),
            scored_at=scored_at,
            model_version=score.model_version,
        )
        for i, score in zip(targets, scores, strict=True)
    )
    current = {s.transaction_id: (s.risk_score, s.risk_level) for s in new_scores}
    for transaction in window:
        score = existing.get(transaction["transactionId"])
        if transaction["transactionId"] not in current and score and score["revision"] == transaction["revision"]:
            current[transaction["transactionId"]] = (float(score["riskScore"]), str(score["riskLevel"]))
    risk_score, risk_level = max(current.values(), default=(0.0, RISK_LEVELS[0]))
    return AccountResult(account, new_scores, risk_score, risk_level)


def score_batch(
    db: Db,
    batch: Batch,
    *,
    models: ModelStore | None,
    population: PopulationModel | None = None,
    scorer: Scorer = score_account,
    window_size: int = DEFAULT_CONFIG.window,
    now: Callable[[], str] = now_text,
) -> dict[str, Any]:
    """Scores the batch with `population` (default: the shipped cold-start model) and writes the scores; answers
    the input of ClearStaleFlags."""
    scored_at = now()
    population = population or load_population()
    results = [
        score_one_account(
            db,
            account,
            models=models,
            population=population,
            scorer=scorer,
            window_size=window_size,
            scored_at=scored_at,
        )
        for account in batch.accounts
    ]
    new_scores = [score for result in results for score in result.new_scores]
    requests = write_scores(db, new_scores)
    levels = Counter(score.risk_level for score in new_scores)
    logger.info(
        "batch scored",
        extra={
            "executionId": batch.execution_id,
            "batch": batch.index,
            "accounts": len(results),
            "transactionsScored": len(new_scores),
            "writeRequests": requests,
            **levels,
        },
    )
    return {
        Keys.EXECUTION_ID: batch.execution_id,
        Keys.BATCH: batch.index,
        Keys.ACCOUNTS: [result.payload() for result in results],
        Keys.CLEAR_IF_WRITTEN_BEFORE: batch.clear_if_written_before,
        "transactionsScored": len(new_scores),
        "riskLevels": {level: levels.get(level, 0) for level in RISK_LEVELS},
    }
