"""ScoreAccountBatch: score the unscored transactions of each account in a batch, and write the scores.

Per account: its transactions from the account/time index, in time order, from its `unscoredFrom` mark (the
earliest transaction written since it was last cleared, however old) to its newest, with the model's window
before the mark as history; its scores; every transaction without a score for its current revision is scored
against the window of transactions before it. Unscored transactions close together share one fit
(`target_groups`), so an account with a few new transactions, the common case, takes one. The scores of the
whole batch go out together in BatchWriteItem requests of 25.

An account that cannot be scored (a throttled read, a stored model that will not load) is logged and counted,
and left out: none of its scores are written and its flag stays for the next run, while the batch's other
accounts complete. A batch whose every account fails raises the first error, for Step Functions to retry.

What comes back is small whatever the number of transactions: per account its id, the version read when
the run found it stale, and its risk (`isoflow.store.risk`); per batch the counts by level and the failures.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from isoflow.detection.alert import top_anomalies
from isoflow.detection.files import ModelFiles
from isoflow.observability import logger
from isoflow.store import records
from isoflow.store.db import Db, from_item, to_values
from isoflow.store.risk import Risk, ScoredTransaction, account_risk
from isoflow.store.scores import RISK_LEVELS, write_scores
from isoflow.store.timeline import window_from
from isoflow.timestamps import now_text, parse_timestamp
from isoflow.workflow import Keys, States, optional_model, optional_timestamp, step_input, text
from model.config import DEFAULT_CONFIG, ScoringConfig
from model.learning import Rows, VerdictLayer, layer_reasons, loads_layer
from model.population import PopulationModel, load_population, loads_population
from model.scoring import ModelStore, Score, feature_matrix, risk_level, score_account

M = TypeVar("M")


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
    unscored_from: str | None = None  # see Keys.UNSCORED_FROM


@dataclass(frozen=True)
class Batch:
    execution_id: str
    index: int
    accounts: tuple[AccountRef, ...]
    clear_if_written_before: str | None = None
    population: dict[str, str] | None = None  # the run's population model; None: the shipped cold start
    verdict_model: dict[str, str] | None = None  # the run's layer learnt from verdicts; None: the base score alone

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
                Keys.POPULATION: optional_model,
            },
            # A manifest written before layers were learnt from verdicts names none.
            optional={Keys.VERDICT_MODEL: optional_model},
        )
        return cls(
            execution_id=batch[Keys.EXECUTION_ID],
            index=batch[Keys.BATCH],
            accounts=batch[Keys.ACCOUNTS],
            clear_if_written_before=batch[Keys.CLEAR_IF_WRITTEN_BEFORE],
            population=batch[Keys.POPULATION],
            verdict_model=batch[Keys.VERDICT_MODEL],
        )


class StoredModels(Generic[M]):
    """The stored models of one kind this process has loaded, by key: a warm detector loads each model once,
    and a run that names a newer one (after a refit) gets it without a redeploy. `loads` makes a model of the
    stored bytes; `version_of` reads its version, which must be the one the run names."""

    def __init__(self, loads: Callable[[bytes], M], version_of: Callable[[M], str]) -> None:
        self._loads = loads
        self._version_of = version_of
        self._loaded: dict[str, M] = {}

    def get(self, files: ModelFiles, ref: dict[str, str]) -> M:
        key = ref["key"]
        if key not in self._loaded:
            model = self._loads(files.model(key))
            if self._version_of(model) != ref["version"]:
                raise ValueError(f"the model at {key} is version {self._version_of(model)}, not {ref['version']}")
            self._loaded = {key: model}  # the newest only: a model is a few MB
        return self._loaded[key]


def populations() -> StoredModels[PopulationModel]:
    return StoredModels(loads_population, lambda model: model.version)


def verdict_layers() -> StoredModels[VerdictLayer]:
    return StoredModels(loads_layer, lambda layer: layer.version)


def _account_refs(value: Any) -> tuple[AccountRef, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of accounts, got {type(value).__name__}")
    return tuple(
        AccountRef(
            text(account[Keys.ACCOUNT_ID]),
            int(account[Keys.VERSION]),
            # Optional: a manifest written before accounts carried the mark is still read (newest window).
            optional_timestamp(account.get(Keys.UNSCORED_FROM)),
        )
        for account in value
    )


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


def target_groups(targets: Sequence[int], window: int, config: ScoringConfig = DEFAULT_CONFIG) -> list[list[int]]:
    """The targets (ascending indexes into an account's transactions in time order) in groups that share one
    fit, on the window before the group's first target. A group reaches as many transactions past its first
    target as `model.scoring` would still reuse a model for (max(reuse_min_changes, reuse_fraction of its
    rows)): to the model, the history before each of them is the same. Targets with too little history before
    them for a model of their own (fewer than min_history) are scored, as `model.scoring` does, with a model
    of the account's first window, and share it up to a window's length."""
    groups: list[list[int]] = []
    for target in targets:
        if groups:
            first = groups[-1][0]
            if _too_little_history(first, window, config):
                reach = window - 1 - first
            else:
                reach = max(config.reuse_min_changes, math.ceil(config.reuse_fraction * min(first, window)))
            if target - first <= reach:
                groups[-1].append(target)
                continue
        groups.append([target])
    return groups


def history_of(
    group: Sequence[int], transactions: int, window: int, config: ScoringConfig = DEFAULT_CONFIG
) -> tuple[int, int]:
    """The [start, end) of the transactions `model.scoring` gets as the history of a group of targets: the
    window before its first target and the group; with too little history before it, the first window."""
    if _too_little_history(group[0], window, config):
        return 0, max(group[-1] + 1, min(transactions, window))
    return max(0, group[0] - window), group[-1] + 1


def _too_little_history(first: int, window: int, config: ScoringConfig) -> bool:
    return first < min(config.min_history, window)


@dataclass(frozen=True)
class AccountResult:
    account: AccountRef
    new_scores: tuple[records.Score, ...]
    risk: Risk

    def payload(self) -> dict[str, Any]:
        return {
            Keys.ACCOUNT_ID: self.account.account_id,
            Keys.VERSION: self.account.version,
            "riskScore": self.risk.score,
            "riskLevel": self.risk.level,
        }


@dataclass(frozen=True)
class AccountFailure:
    account_id: str
    error: Exception

    def payload(self) -> dict[str, Any]:
        return {Keys.ACCOUNT_ID: self.account_id, "error": type(self.error).__name__, "message": str(self.error)[:300]}


# A batch's result lists at most this many failed accounts, to stay small whatever happened.
MAX_LISTED_FAILURES = 5


def score_one_account(
    db: Db,
    account: AccountRef,
    *,
    models: ModelStore | None,
    population: PopulationModel,
    layer: VerdictLayer | None = None,
    scorer: Scorer = score_account,
    window_size: int = DEFAULT_CONFIG.window,
    scored_at: str,
) -> AccountResult:
    rows = window_from(
        db,
        account.account_id,
        account.unscored_from,
        window_size,
        ("revision", "features", "merchant", "feedback.verdict"),
    )
    # An account whose transactions were all deleted has nothing to score and no scores that count.
    existing = read_scores(db, account.account_id) if rows else {}
    targets = [
        i
        for i, transaction in enumerate(rows)
        if existing.get(transaction["transactionId"], {}).get("revision") != transaction["revision"]
    ]
    new_scores: list[records.Score] = []
    for group in target_groups(targets, window_size):
        start, end = history_of(group, len(rows), window_size)
        history = rows[start:end]
        # Only the group that ends with the account's newest transaction keeps its model for the next run: a
        # model fitted on an older stretch of history must not replace it.
        store = models if group[-1] == len(rows) - 1 else None
        scores = scorer(
            account.account_id,
            [t.get("features") or {} for t in history],
            [i - start for i in group],
            store,
            population=population,
        )
        new_scores.extend(
            records.Score(
                accountId=account.account_id,
                transactionId=rows[i]["transactionId"],
                timestamp=rows[i]["timestamp"],
                revision=rows[i]["revision"],
                riskScore=score.score,
                riskLevel=score.risk_level,
                isAnomaly=score.is_anomaly,
                reasons=tuple(score.reasons),
                scoredAt=scored_at,
                modelVersion=score.model_version,
            )
            for i, score in zip(group, scores, strict=True)
        )
    if layer is not None:
        new_scores = judged_by(layer, rows, new_scores)
    return AccountResult(account, tuple(new_scores), _risk(rows, existing, new_scores))


def judged_by(
    layer: VerdictLayer, rows: Sequence[Mapping[str, Any]], scores: Sequence[records.Score]
) -> list[records.Score]:
    """The scores, each of a transaction the layer may judge (at or after the time its verdicts were known by)
    replaced by the layer's: its base score kept beside it, its reasons led by what the verdicts say, and its
    model version naming the layer too."""
    by_id = {row["transactionId"]: row for row in rows}
    times = np.array([parse_timestamp(score.timestamp).timestamp() for score in scores])
    judged = [int(k) for k in np.flatnonzero(layer.judges(times))]
    if not judged:
        return list(scores)
    chosen = [scores[k] for k in judged]
    learnt, verdict_rows = layer.judge(
        Rows(
            ids=[score.transactionId for score in chosen],
            accounts=[score.accountId for score in chosen],
            merchants=[by_id[score.transactionId].get("merchant") for score in chosen],
            times=times[judged],
        ),
        np.array([score.riskScore for score in chosen]),
        feature_matrix([by_id[score.transactionId].get("features") or {} for score in chosen]),
    )
    out = list(scores)
    for k, score, value, verdict_row in zip(judged, chosen, learnt, verdict_rows, strict=True):
        value = round(float(value), 6)
        level = risk_level(value)
        out[k] = replace(
            score,
            riskScore=value,
            riskLevel=level,
            isAnomaly=level == "HIGH",
            reasons=layer_reasons(layer.model, verdict_row, score.reasons, score.riskScore, value, level),
            modelVersion=f"{score.modelVersion}+{layer.version}",
            baseScore=score.riskScore,
        )
    return out


def _risk(
    rows: Sequence[Mapping[str, Any]], existing: Mapping[str, Mapping[str, Any]], new_scores: Sequence[records.Score]
) -> Risk:
    """The account's risk from the transactions read and their current scores, new or kept."""
    scored = {s.transactionId: (s.riskScore, s.riskLevel) for s in new_scores}
    judged = []
    for transaction in rows:
        score, level = scored.get(transaction["transactionId"], (None, None))
        kept = existing.get(transaction["transactionId"])
        if score is None and kept is not None and kept["revision"] == transaction["revision"]:
            score, level = float(kept["riskScore"]), str(kept["riskLevel"])
        verdict = (transaction.get("feedback") or {}).get("verdict")
        judged.append(ScoredTransaction(transaction["timestamp"], score, level, verdict))
    return account_risk(judged)


def score_batch(
    db: Db,
    batch: Batch,
    *,
    models: ModelStore | None,
    population: PopulationModel | None = None,
    layer: VerdictLayer | None = None,
    scorer: Scorer = score_account,
    window_size: int = DEFAULT_CONFIG.window,
    now: Callable[[], str] = now_text,
) -> dict[str, Any]:
    """Scores the batch with `population` (default: the shipped cold-start model) and the `layer` learnt from
    verdicts (default: none, the base score alone), and writes the scores; answers the input of
    ClearStaleFlags. Raises the first account's error when no account could be scored."""
    scored_at = now()
    population = population or load_population()
    results: list[AccountResult] = []
    failures: list[AccountFailure] = []
    for account in batch.accounts:
        try:
            results.append(
                score_one_account(
                    db,
                    account,
                    models=models,
                    population=population,
                    layer=layer,
                    scorer=scorer,
                    window_size=window_size,
                    scored_at=scored_at,
                )
            )
        except Exception as error:
            # The account stays stale and is scored by the next run; the batch's other accounts go on.
            logger.exception(
                "account not scored",
                extra={
                    "accountId": account.account_id,
                    "executionId": batch.execution_id,
                    "batch": batch.index,
                    "error": f"{type(error).__name__}: {error}",
                },
            )
            failures.append(AccountFailure(account.account_id, error))
    if failures and not results:
        raise failures[0].error
    new_scores = [score for result in results for score in result.new_scores]
    requests = write_scores(db, new_scores)
    levels = Counter(score.riskLevel for score in new_scores)
    logger.info(
        "batch scored",
        extra={
            "executionId": batch.execution_id,
            "batch": batch.index,
            "accounts": len(results),
            "accountsFailed": len(failures),
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
        Keys.ACCOUNTS_FAILED: len(failures),
        Keys.ACCOUNT_FAILURES: [failure.payload() for failure in failures[:MAX_LISTED_FAILURES]],
        Keys.TOP_ANOMALIES: top_anomalies(
            {
                "transactionId": score.transactionId,
                "accountId": score.accountId,
                "riskScore": score.riskScore,
                "reasons": list(score.reasons[:3]),
            }
            for score in new_scores
            if score.riskLevel == "HIGH"
        ),
    }
