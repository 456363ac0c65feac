"""Transactions: the atomic write path, reads joined with scores, lists and analyst feedback.

Every create, change or delete is one TransactWriteItems that also moves the account's balance, bumps its
version and marks it stale. The account update is conditional on the version read, so concurrent writes
to one account serialise: the loser re-reads and goes again.

A transaction's features are those it had at its own time. The account keeps the time of its newest
transaction (`latestAt`): a transaction at or after it (the common case) is folded into the account's rolling
feature state as it arrives; one before it (a late settlement, a back-dated entry) or a changed one is
computed by replaying the window of the account's transactions before it, and folded into the state all the
same. The account also keeps the time of the earliest transaction written since detection last cleared it
(`unscoredFrom`), so that the detector scores every transaction from there on, however old.

The rules of a write (what is posted, what a change may touch, the currency, the balance) are pure functions
over records; the functions that write read what they need, apply the rules and send one TransactWriteItems.
"""

from __future__ import annotations

import json
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from isoflow.store.accounts import read_account, stale_shard
from isoflow.store.audit import Actor, audit_put
from isoflow.store.db import (
    Db,
    batch_get,
    to_item,
    to_values,
    write_transaction,
)
from isoflow.store.errors import BusyError, InvalidReferenceError, NotFoundError, RejectedValueError
from isoflow.store.paging import Stream, collect, merged_page
from isoflow.store.records import Account, Feedback, Score, Transaction
from isoflow.store.risk import RISK_DAYS, Risk, ScoredTransaction, account_risk
from isoflow.store.scores import RISK_LEVELS, attach_scores, join_scores
from isoflow.store.timeline import history_before, newest_timestamp, recent
from isoflow.tables import BY_ACCOUNT_INDEX, BY_RISK_INDEX, FEED_INDEX, FEED_SHARDS
from isoflow.timestamps import now_text, parse_timestamp
from model.config import DEFAULT_CONFIG
from model.features import Txn, advance, fold, initial_state

CREDIT_TYPES = frozenset({"DEPOSIT"})
# The fields a transaction's owner may set; the rest are derived.
INPUT_FIELDS = (
    "transactionType",
    "amount",
    "currency",
    "description",
    "merchant",
    "category",
    "country",
    "channel",
    "timestamp",
)
# The stored fields a transaction's features are computed from (see `model_input`).
MODEL_INPUT_FIELDS = ("timestamp", "amount", "transactionType", "merchant", "category", "country", "channel")
OPTIMISTIC_ATTEMPTS = 8


def new_transaction_id() -> str:
    return "txn_" + secrets.token_hex(10)


def feed_shard(transaction_id: str) -> str:
    return str(zlib.crc32(transaction_id.encode()) % FEED_SHARDS)


def signed_amount(transaction_type: str, amount: Decimal | float | int) -> Decimal:
    value = Decimal(str(amount))
    return value if transaction_type in CREDIT_TYPES else -value


def model_input(transaction: Transaction | Mapping[str, Any]) -> Txn:
    """What detection sees of a transaction (a record, or some of its stored attributes as a projection or the
    generator gives them): never ground truth or derived fields."""
    attributes = transaction if isinstance(transaction, Mapping) else vars(transaction)
    return Txn(
        timestamp=parse_timestamp(attributes["timestamp"]),
        amount=float(attributes["amount"]),
        transaction_type=attributes.get("transactionType"),
        merchant=attributes.get("merchant"),
        category=attributes.get("category"),
        country=attributes.get("country"),
        channel=attributes.get("channel"),
    )


def check_currency(account: Account, currency: str | None) -> str:
    """A transaction's currency is its account's: `currency` (None: not given) may only repeat it."""
    if currency is not None and currency != account.currency:
        raise RejectedValueError(f"currency must be the account's currency ({account.currency})", field="currency")
    return account.currency


def new_transaction(
    data: Mapping[str, Any], *, transaction_id: str, currency: str, now: str, injected_anomaly: str | None = None
) -> Transaction:
    """The transaction its owner posts (`data`: its accountId and INPUT_FIELDS, the time defaulting to now) in
    its account's `currency`, as its first revision, before its features are computed."""
    return Transaction(
        transactionId=transaction_id,
        accountId=data["accountId"],
        transactionType=data["transactionType"],
        amount=Decimal(str(data["amount"])),
        currency=currency,
        description=data.get("description"),
        merchant=data.get("merchant"),
        category=data.get("category"),
        country=data.get("country"),
        channel=data.get("channel"),
        timestamp=data.get("timestamp") or now,
        feedShard=feed_shard(transaction_id),
        revision=1,
        createdAt=now,
        updatedAt=now,
        injectedAnomaly=injected_anomaly,
        features={},
    )


def check_same_account(transaction: Transaction, changes: Mapping[str, Any]) -> None:
    """A transaction stays with the account it was posted to."""
    if "accountId" in changes and changes["accountId"] != transaction.accountId:
        raise RejectedValueError("a transaction cannot move to another account", field="accountId")


def changed(old: Transaction, changes: Mapping[str, Any], account: Account, now: str) -> Transaction:
    """`old` with its owner's `changes` (of INPUT_FIELDS; others are not theirs to set) as its next revision, its
    features still those of `old`."""
    given = {name: value for name, value in changes.items() if name in INPUT_FIELDS}
    if "amount" in given:
        given["amount"] = Decimal(str(given["amount"]))
    given["currency"] = check_currency(account, changes.get("currency", old.currency))
    return replace(old, **given, revision=old.revision + 1, updatedAt=now)


def balance_after(account: Account, old: Transaction | None, new: Transaction | None) -> Decimal:
    """The account's balance once `old` (None for a new transaction) is replaced by `new` (None for a deleted
    one)."""
    delta = Decimal(0)
    if new is not None:
        delta += signed_amount(new.transactionType, new.amount)
    if old is not None:
        delta -= signed_amount(old.transactionType, old.amount)
    return Decimal(str(account.balance)) + delta


def _account_update(db: Db, account: Account, now: str, **changes: Any) -> dict[str, Any]:
    """Marks the account stale with its next version, setting `changes` too (None values are left alone),
    on the condition that its version is still the one read."""
    assignments = "version = :next, isStale = :true, staleShard = :shard, updatedAt = :now"
    values: dict[str, Any] = {
        ":next": account.version + 1,
        ":version": account.version,
        ":true": True,
        ":shard": stale_shard(account.accountId),
        ":now": now,
    }
    for name, value in changes.items():
        if value is not None:
            assignments += f", {name} = :{name}"
            values[f":{name}"] = value
    return {
        "Update": {
            "TableName": db.accounts,
            "Key": to_item({"accountId": account.accountId}),
            "UpdateExpression": "SET " + assignments,
            "ConditionExpression": "version = :version",
            "ExpressionAttributeValues": to_values(values),
        }
    }


def _latest(db: Db, account: Account, state: Mapping[str, Any]) -> str | None:
    """The time of the account's newest transaction so far (None before its first)."""
    latest = account.latestAt
    if latest is None and state["n"] > 0:  # an account written before accounts kept `latestAt`
        return newest_timestamp(db, account.accountId)
    return None if latest is None else str(latest)


def _features_at_its_time(db: Db, account: Account, transaction: Transaction) -> dict[str, float]:
    """The features of a transaction that is not the account's newest, from the model's window of transactions
    before it (without itself), replayed from the start: what the live path gives for the same history in
    time order, exactly so for an account with no more than a window of transactions before it."""
    position = (transaction.timestamp, transaction.transactionId)
    state = initial_state(account.homeCountry)
    for earlier in history_before(db, account.accountId, position, DEFAULT_CONFIG.window, MODEL_INPUT_FIELDS):
        fold(state, model_input(earlier))
    return fold(state, model_input(transaction))


def _earliest(stored: str | None, timestamp: str) -> str:
    return timestamp if stored is None else min(stored, timestamp)


def create_transaction(
    db: Db,
    data: Mapping[str, Any],
    *,
    transaction_id: str | None = None,
    injected_anomaly: str | None = None,
    actor: Actor | None = None,
) -> Transaction:
    """Write a new transaction, move its account's balance and mark the account stale, atomically; with an
    `actor`, the audit trail records who posted it in the same write."""
    transaction_id = transaction_id or new_transaction_id()
    replayed: dict[str, float] = {}
    for _ in range(OPTIMISTIC_ATTEMPTS):
        try:
            account = read_account(db, data["accountId"], consistent=True)
        except NotFoundError as error:
            raise InvalidReferenceError(f"account {data['accountId']} does not exist", "accountId") from error
        now = now_text()
        posted = new_transaction(
            data,
            transaction_id=transaction_id,
            currency=check_currency(account, data.get("currency")),
            now=now,
            injected_anomaly=injected_anomaly,
        )
        state = json.loads(account.featureState)
        latest = _latest(db, account, state)
        if latest is None or posted.timestamp >= latest:
            features, state = advance(state, model_input(posted))
        else:
            # The same transaction at the same time, whichever attempt: its history is read once.
            replayed = replayed or _features_at_its_time(db, account, posted)
            features, state = replayed, advance(state, model_input(posted))[1]
        transaction = replace(posted, features=features)
        actions = [
            {
                "Put": {
                    "TableName": db.transactions,
                    "Item": transaction.to_item(),
                    "ConditionExpression": "attribute_not_exists(transactionId)",
                }
            },
            _account_update(
                db,
                account,
                now,
                balance=balance_after(account, None, transaction),
                featureState=json.dumps(state, separators=(",", ":")),
                latestAt=max(latest or transaction.timestamp, transaction.timestamp),
                unscoredFrom=_earliest(account.unscoredFrom, transaction.timestamp),
            ),
        ]
        if actor is not None:
            fields = {"accountId": account.accountId, **{f: getattr(transaction, f) for f in INPUT_FIELDS}}
            actions.append(audit_put(db, actor, "transaction", transaction_id, "created", fields))
        if write_transaction(db, actions, what="create transaction"):
            return transaction
        if _exists(db, transaction_id):
            raise RejectedValueError(f"transaction {transaction_id} already exists", field="transactionId")
    raise BusyError("too many concurrent writes to this account, try again", field="accountId")


def _exists(db: Db, transaction_id: str) -> bool:
    response = db.client.get_item(
        TableName=db.transactions, Key=to_item({"transactionId": transaction_id}), ConsistentRead=True
    )
    return "Item" in response


def read_transaction(db: Db, transaction_id: str, *, consistent: bool = False) -> Transaction:
    response = db.client.get_item(
        TableName=db.transactions, Key=to_item({"transactionId": transaction_id}), ConsistentRead=consistent
    )
    if "Item" not in response:
        raise NotFoundError(f"transaction {transaction_id} not found", field="transactionId")
    return Transaction.from_item(response["Item"])


def get_transaction(db: Db, transaction_id: str) -> dict[str, Any]:
    """The transaction as the API shows it: with its current score, if any."""
    return attach_scores(db, [read_transaction(db, transaction_id)])[0]


def _score_delete(transaction: Transaction, db: Db) -> dict[str, Any]:
    key = {"accountId": transaction.accountId, "transactionId": transaction.transactionId}
    return {"Delete": {"TableName": db.scores, "Key": to_item(key)}}


def update_transaction(
    db: Db, transaction_id: str, changes: Mapping[str, Any], *, actor: Actor | None = None
) -> Transaction:
    """Change a transaction: its balance effect moves, its old score is dropped, its account goes stale.

    A change to what its features are computed from recomputes them from the window before it (without
    itself); the account's rolling state is not advanced again.
    """
    for _ in range(OPTIMISTIC_ATTEMPTS):
        old = read_transaction(db, transaction_id, consistent=True)
        check_same_account(old, changes)
        account = read_account(db, old.accountId, consistent=True)
        now = now_text()
        new = changed(old, changes, account, now)
        if model_input(new) != model_input(old):
            new = replace(new, features=_features_at_its_time(db, account, new))
        actions = [
            {
                "Put": {
                    "TableName": db.transactions,
                    "Item": new.to_item(),
                    "ConditionExpression": "revision = :revision",
                    "ExpressionAttributeValues": to_values({":revision": old.revision}),
                }
            },
            _account_update(
                db,
                account,
                now,
                balance=balance_after(account, old, new),
                # An account without `latestAt` (written before accounts kept it) learns it on its next create.
                latestAt=max(account.latestAt, new.timestamp) if account.latestAt is not None else None,
                unscoredFrom=_earliest(account.unscoredFrom, new.timestamp),
            ),
            _score_delete(old, db),
        ]
        if actor is not None:
            actions.append(audit_put(db, actor, "transaction", transaction_id, "changed", changes))
        if write_transaction(db, actions, what="update transaction"):
            return new
    raise BusyError("too many concurrent writes to this transaction, try again", field="transactionId")


def delete_transaction(db: Db, transaction_id: str, *, actor: Actor | None = None) -> None:
    for _ in range(OPTIMISTIC_ATTEMPTS):
        old = read_transaction(db, transaction_id, consistent=True)
        account = read_account(db, old.accountId, consistent=True)
        actions = [
            {
                "Delete": {
                    "TableName": db.transactions,
                    "Key": to_item({"transactionId": transaction_id}),
                    "ConditionExpression": "revision = :revision",
                    "ExpressionAttributeValues": to_values({":revision": old.revision}),
                }
            },
            _account_update(db, account, now_text(), balance=balance_after(account, old, None)),
            _score_delete(old, db),
        ]
        if actor is not None:
            gone = {
                "accountId": old.accountId,
                "transactionType": old.transactionType,
                "amount": old.amount,
                "timestamp": old.timestamp,
            }
            actions.append(audit_put(db, actor, "transaction", transaction_id, "deleted", gone))
        if write_transaction(db, actions, what="delete transaction"):
            return
    raise BusyError("too many concurrent writes to this transaction, try again", field="transactionId")


# An alert is open until a verdict closes it.
Status = Literal["open", "closed"]


class Outcome(StrEnum):
    """What became of a verdict given for a transaction."""

    RECORDED = "recorded"
    UNCHANGED = "unchanged"  # the transaction already carries this verdict, note and time known
    SUPERSEDED = "superseded"  # it carries a verdict that became known later, which stands
    UNKNOWN = "unknown"  # no such transaction


def verdict_outcome(stored: Feedback | None, given: Feedback) -> Outcome:
    """Whether `given` replaces the verdict `stored` on a transaction: the one known last stands, so a file of
    verdicts sent twice, or after an analyst's later verdict, changes nothing."""
    if stored is None:
        return Outcome.RECORDED
    if (stored.verdict, stored.note, stored.known_at) == (given.verdict, given.note, given.known_at):
        return Outcome.UNCHANGED
    return Outcome.SUPERSEDED if given.known_at < stored.known_at else Outcome.RECORDED


@dataclass(frozen=True)
class GivenVerdict:
    """A verdict for a transaction, as a batch of confirmed frauds and chargebacks gives it."""

    transaction_id: str
    verdict: str
    known_at: str  # when it became known
    note: str | None = None


def record_verdict(
    db: Db,
    transaction_id: str,
    verdict: str,
    note: str | None,
    *,
    known_at: str | None = None,
    actor: Actor | None = None,
) -> Outcome:
    """Record a verdict on the transaction, known at `known_at` (default: now), unless the verdict it carries
    stands (`verdict_outcome`). Scores stay as they are; the account's risk counts verdicts
    (`isoflow.store.risk`), so when this one changes it, the new risk is written in the same transaction and
    the account is marked stale: a detection run that read the account before the verdict cannot clear it
    with the risk it had, and the next run records the risk again from what it reads."""
    now = now_text()
    by = (actor.name or actor.subject) if actor is not None else None
    feedback = Feedback(verdict=verdict, note=note, at=now, by=by, knownAt=known_at or now)
    for _ in range(OPTIMISTIC_ATTEMPTS):
        transaction = read_transaction(db, transaction_id, consistent=True)
        outcome = verdict_outcome(transaction.feedback, feedback)
        if outcome is not Outcome.RECORDED:
            return outcome
        account = read_account(db, transaction.accountId, consistent=True)
        actions = [
            {
                "Update": {
                    "TableName": db.transactions,
                    "Key": to_item({"transactionId": transaction_id}),
                    # With a verdict, the transaction is listed in the verdict index (Transaction.verdictShard).
                    "UpdateExpression": "SET feedback = :feedback, verdictShard = :shard",
                    "ConditionExpression": "revision = :revision",
                    "ExpressionAttributeValues": {
                        ":feedback": {"M": feedback.to_item()},
                        **to_values({":revision": transaction.revision, ":shard": transaction.feedShard}),
                    },
                }
            }
        ]
        # An account never scored has no risk to change: its first run records one.
        if account.riskLevel is not None and account.riskScore is not None:
            risk = _risk_with_verdict(db, account, transaction_id, verdict)
            if risk != Risk(account.riskScore, account.riskLevel):
                actions.append(_account_update(db, account, now, riskScore=risk.score, riskLevel=risk.level))
        if actor is not None:
            given = {"verdict": verdict, "note": note, "knownAt": feedback.knownAt}
            actions.append(audit_put(db, actor, "transaction", transaction_id, "verdict", given))
        if write_transaction(db, actions, what="record feedback"):
            return Outcome.RECORDED
    raise BusyError("too many concurrent writes to this transaction, try again", field="transactionId")


def set_feedback(
    db: Db, transaction_id: str, verdict: str, note: str | None, *, actor: Actor | None = None
) -> dict[str, Any]:
    """Record an analyst's verdict, known now (`record_verdict`), and return the transaction as the API shows
    it."""
    record_verdict(db, transaction_id, verdict, note, actor=actor)
    return get_transaction(db, transaction_id)


def record_verdicts(db: Db, verdicts: Sequence[GivenVerdict], *, actor: Actor | None = None) -> list[Outcome]:
    """Record each verdict of a batch in turn (`record_verdict`); one for a transaction that does not exist is
    UNKNOWN and the rest of the batch goes on."""
    outcomes = []
    for given in verdicts:
        try:
            outcomes.append(
                record_verdict(
                    db, given.transaction_id, given.verdict, given.note, known_at=given.known_at, actor=actor
                )
            )
        except NotFoundError:
            outcomes.append(Outcome.UNKNOWN)
    return outcomes


def _risk_with_verdict(db: Db, account: Account, transaction_id: str, verdict: str) -> Risk:
    """The account's risk once `verdict` is recorded on the transaction, from its recent transactions (as many
    as the detector's window holds) and their current scores."""
    transactions = recent(
        db,
        account.accountId,
        timedelta(days=RISK_DAYS),
        DEFAULT_CONFIG.window,
        ("revision", "feedback.verdict"),
    )
    keys = [{"accountId": account.accountId, "transactionId": t["transactionId"]} for t in transactions]
    scores = {s.transactionId: s for s in map(Score.from_item, batch_get(db, db.scores, keys))}
    judged = []
    for t in transactions:
        score = scores.get(t["transactionId"])
        if score is not None and score.revision != t["revision"]:
            score = None  # a score of an earlier revision does not count
        judged.append(
            ScoredTransaction(
                timestamp=t["timestamp"],
                risk_score=None if score is None else score.riskScore,
                risk_level=None if score is None else score.riskLevel,
                verdict=verdict if t["transactionId"] == transaction_id else (t.get("feedback") or {}).get("verdict"),
            )
        )
    return account_risk(judged)


def _time_condition(key: str, since: str | None, until: str | None, values: dict[str, Any]) -> str:
    if since and until:
        values.update({":from": since, ":to": until})
        return f"{key} = :p AND #ts BETWEEN :from AND :to"
    if since:
        values[":from"] = since
        return f"{key} = :p AND #ts >= :from"
    if until:
        values[":to"] = until
        return f"{key} = :p AND #ts <= :to"
    return f"{key} = :p"


def _query(
    table: str,
    index: str,
    key: str,
    partition: str,
    *,
    since: str | None,
    until: str | None,
    filters: Mapping[str, tuple[str, Any]] = {},
) -> dict[str, Any]:
    """A newest-first Query on `index` for one partition, with optional time range and filters."""
    values: dict[str, Any] = {":p": partition}
    names = {"#ts": "timestamp"} if since or until else {}
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": _time_condition(key, since, until, values),
        "ScanIndexForward": False,
    }
    conditions = []
    for attribute, (operator, value) in filters.items():
        names[f"#{attribute}"] = attribute
        values[f":{attribute}"] = value
        conditions.append(f"#{attribute} {operator} :{attribute}")
    if conditions:
        request["FilterExpression"] = " AND ".join(conditions)
    request.update(ExpressionAttributeNames=names, ExpressionAttributeValues=to_values(values))
    return request


def list_transactions(
    db: Db,
    *,
    account_id: str | None = None,
    transaction_type: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_score: float | None = None,
    risk_levels: Sequence[str] | None = None,
    status: Status | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Transactions newest first, with their scores; every path is a Query (or merged Queries). With
    `risk_levels`, only those scored at one of them; with `status`, only those with a verdict (closed) or
    without (open)."""
    type_filter = {"transactionType": ("=", transaction_type)} if transaction_type else {}
    if account_id is None and (risk_levels or min_score is not None):
        return scored_transactions(
            db,
            tuple(risk_levels or RISK_LEVELS),
            since=since,
            until=until,
            min_score=min_score,
            transaction_type=transaction_type,
            status=status,
            limit=limit,
            cursor=cursor,
        )
    if account_id is not None:
        streams = [
            Stream(
                "account",
                _query(
                    db.transactions,
                    BY_ACCOUNT_INDEX,
                    "accountId",
                    account_id,
                    since=since,
                    until=until,
                    filters=type_filter,
                ),
                ("transactionId", "accountId", "timestamp"),
            )
        ]
    else:
        streams = [
            Stream(
                f"feed{shard}",
                _query(
                    db.transactions,
                    FEED_INDEX,
                    "feedShard",
                    str(shard),
                    since=since,
                    until=until,
                    filters=type_filter,
                ),
                ("transactionId", "feedShard", "timestamp"),
            )
            for shard in range(FEED_SHARDS)
        ]

    def keep(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        joined = attach_scores(db, [Transaction.from_item(item) for item in items])
        return [
            t
            for t in joined
            if (risk_levels is None or t.get("riskLevel") in risk_levels)
            and (min_score is None or t.get("riskScore", -1) >= min_score)
            and _in_status(t, status)
        ]

    return collect(lambda c, n: merged_page(db.client, streams, limit=n, cursor=c), keep, limit=limit, cursor=cursor)


def scored_transactions(
    db: Db,
    levels: tuple[str, ...],
    *,
    since: str | None = None,
    until: str | None = None,
    min_score: float | None = None,
    transaction_type: str | None = None,
    status: Status | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Scored transactions at the given risk levels, newest first, from the scores' risk index."""
    score_filter = {"riskScore": (">=", min_score)} if min_score is not None else {}
    streams = [
        Stream(
            f"{level}{shard}",
            _query(
                db.scores,
                BY_RISK_INDEX,
                "riskShard",
                f"{level}#{shard}",
                since=since,
                until=until,
                filters=score_filter,
            ),
            ("accountId", "transactionId", "riskShard", "timestamp"),
        )
        for level in levels
        for shard in range(FEED_SHARDS)
    ]

    def keep(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        scores = [Score.from_item(item) for item in items]
        found = batch_get(db, db.transactions, [{"transactionId": s.transactionId} for s in scores])
        by_id = {t.transactionId: t for t in map(Transaction.from_item, found)}
        joined: list[dict[str, Any]] = []
        for score in scores:
            transaction = by_id.get(score.transactionId)
            if transaction is None or transaction.revision != score.revision:
                continue
            if transaction_type and transaction.transactionType != transaction_type:
                continue
            joined.extend(t for t in join_scores([transaction], [score]) if _in_status(t, status))
        return joined

    return collect(lambda c, n: merged_page(db.client, streams, limit=n, cursor=c), keep, limit=limit, cursor=cursor)


def _in_status(transaction: Mapping[str, Any], status: Status | None) -> bool:
    return status is None or (status == "closed") == (transaction.get("feedback") is not None)
