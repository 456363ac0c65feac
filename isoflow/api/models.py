"""The API's request and response bodies: the one definition of its JSON, and of its OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema

from isoflow.store import risk
from isoflow.store.transactions import Outcome
from isoflow.timestamps import format_timestamp, parse_timestamp, utc_now


class AccountType(StrEnum):
    CHECKING = "CHECKING"
    SAVINGS = "SAVINGS"
    BUSINESS = "BUSINESS"
    CREDIT = "CREDIT"


class TransactionType(StrEnum):
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    TRANSFER = "TRANSFER"
    PURCHASE = "PURCHASE"
    PAYMENT = "PAYMENT"


class Channel(StrEnum):
    CARD_PRESENT = "CARD_PRESENT"
    ONLINE = "ONLINE"
    ATM = "ATM"
    BANK_TRANSFER = "BANK_TRANSFER"


class RiskLevel(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class AccountSort(StrEnum):
    NAME = "name"
    RISK = "risk"
    BALANCE = "balance"
    LAST_ACTIVITY = "lastActivity"


class SortOrder(StrEnum):
    ASC = "asc"
    DESC = "desc"


class Verdict(StrEnum):
    CONFIRMED = risk.CONFIRMED
    NOT_FRAUD = risk.NOT_FRAUD


def _timestamp(text: str) -> str:
    try:
        return format_timestamp(parse_timestamp(text))
    except (ValueError, OverflowError) as error:
        raise ValueError(f"not an ISO 8601 date-time with a timezone: {error}") from None


# A transaction dated beyond this after now is a mistake (a wrong year, a local time sent as UTC, a test left
# running), never a payment: settlements arrive late, not early.
MAX_AHEAD = timedelta(days=1)


def _not_far_ahead(text: str) -> str:
    if parse_timestamp(text) > utc_now() + MAX_AHEAD:
        raise ValueError("more than a day in the future: a transaction's time is when it happened")
    return text


Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), Field(examples=["EUR"])]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), Field(examples=["DE"])]
# At least one character that is neither white space nor a control character, in Python's, JSON Schema's
# and pydantic's regular expressions alike: so a name the schema allows is never empty once stripped.
NAME_PATTERN = r"[^\s\x00-\x1f\x7f-\x9f]"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NAME_PATTERN)]
Text = Annotated[str, StringConstraints(max_length=200)]
# Years 1000 to 9998: every such time with any offset is a time in UTC too (0001-01-01T00:00+01:00 is not).
TIMESTAMP_YEARS = r"^(?:[1-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])-"
Timestamp = Annotated[
    str,
    StringConstraints(max_length=40, pattern=TIMESTAMP_YEARS),
    AfterValidator(_timestamp),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "pattern": TIMESTAMP_YEARS,
            "examples": ["2026-11-24T15:57:11Z"],
            "description": "ISO 8601 date-time with a timezone, years 1000 to 9998; stored in UTC to the second",
        }
    ),
]
# When a transaction happened: a Timestamp at most MAX_AHEAD after now.
TransactionTime = Annotated[
    Timestamp,
    AfterValidator(_not_far_ahead),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "maxLength": 40,
            "pattern": TIMESTAMP_YEARS,
            "examples": ["2026-11-24T15:57:11Z"],
            "description": "ISO 8601 date-time with a timezone, at most one day after now; stored in UTC to the second",
        }
    ),
]


def _json_number(value: Any) -> Any:
    # A money amount is a JSON number, read as a decimal from its literal digits (the API's JSON parser reads
    # numbers with a fraction as Decimal): "10", " 10 " and "1_000" are not amounts, 12.30000000000000000001 is
    # not 12.30.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a JSON number, such as 42.5")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_json_number),
    Field(gt=0, le=Decimal("1000000000"), decimal_places=2, allow_inf_nan=False),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1000000000,
            "multipleOf": 0.01,
            "examples": [42.5],
            "description": "a JSON number (not a string), positive, at most 2 decimal places",
        }
    ),
]
ACCOUNT_ID_PATTERN = r"^acc_[0-9a-f]{16}$"
TRANSACTION_ID_PATTERN = r"^txn_[0-9a-f]{20}$"
AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_ID_PATTERN)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AccountCreate(Strict):
    name: Name
    accountType: AccountType
    currency: Currency
    homeCountry: Country


class Partial(Strict):
    """A change: only the fields sent change; a field may be left out but not set to null."""

    @field_validator("*", mode="before")
    @classmethod
    def no_nulls(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("may be left out but not null")
        return value


class AccountUpdate(Partial):
    name: Name | SkipJsonSchema[None] = None
    accountType: AccountType | SkipJsonSchema[None] = None


class Account(BaseModel):
    accountId: str
    name: str
    accountType: AccountType
    currency: str
    homeCountry: str
    balance: float
    riskScore: float | None = Field(
        default=None,
        description=f"the highest current score among the account's transactions of the {risk.RISK_DAYS} days up to "
        "its newest, leaving out those judged NOT_FRAUD (a CONFIRMED one counts as HIGH); null before its first run",
    )
    riskLevel: RiskLevel | None = None
    isStale: bool
    lastScoredAt: str | None = None
    latestAt: str | None = Field(default=None, description="the time of its newest transaction (its last activity)")
    createdAt: str
    updatedAt: str


class TransactionCreate(Strict):
    accountId: AccountId
    transactionType: TransactionType
    amount: Amount
    currency: Currency | None = Field(default=None, description="defaults to the account's currency")
    description: Text | None = None
    merchant: Text | None = None
    category: Text | None = None
    country: Country | None = None
    channel: Channel | None = None
    timestamp: TransactionTime | None = Field(default=None, description="defaults to now")


class TransactionUpdate(Partial):
    transactionType: TransactionType | SkipJsonSchema[None] = None
    amount: Amount | SkipJsonSchema[None] = None
    currency: Currency | SkipJsonSchema[None] = None
    description: Text | SkipJsonSchema[None] = None
    merchant: Text | SkipJsonSchema[None] = None
    category: Text | SkipJsonSchema[None] = None
    country: Country | SkipJsonSchema[None] = None
    channel: Channel | SkipJsonSchema[None] = None
    timestamp: TransactionTime | SkipJsonSchema[None] = None


class Feedback(BaseModel):
    verdict: Verdict
    note: str | None = None
    at: str = Field(description="when it was recorded")
    by: str | None = Field(default=None, description="who gave the verdict: e-mail or user name")
    knownAt: str | None = Field(default=None, description="when it became known (absent: when it was recorded)")


class AuditEntry(BaseModel):
    """One write or verdict made through the API."""

    entityId: str = Field(description="the account or transaction it touched")
    entityType: Literal["account", "transaction"]
    at: str = Field(description="when, to the microsecond")
    action: Literal["created", "changed", "deleted", "verdict"]
    subject: str = Field(description='who: the Cognito user\'s subject ("local" on the local system without sign-in)')
    name: str | None = Field(default=None, description="who: their e-mail or user name")
    fields: dict[str, Any] = Field(default_factory=dict, description="the fields it set (a verdict: verdict, note)")


class FeedbackCreate(Strict):
    verdict: Verdict
    note: Text | None = None


# The most verdicts one request carries: each is a few reads and one write, so a batch answers in seconds.
MAX_VERDICTS = 100


class VerdictGiven(Strict):
    transactionId: str = Field(min_length=1, max_length=64, description="an id no transaction has is reported")
    verdict: Verdict
    knownAt: TransactionTime = Field(description="when it became known: the chargeback's or the call's date")
    note: Text | None = None


class VerdictBatch(Strict):
    verdicts: list[VerdictGiven] = Field(min_length=1, max_length=MAX_VERDICTS)


class VerdictResult(BaseModel):
    transactionId: str
    outcome: Outcome = Field(
        description="recorded; unchanged (it already carries this verdict, note and knownAt); superseded (it "
        "carries a verdict known later, which stands); unknown (no such transaction)"
    )


class VerdictResults(BaseModel):
    results: list[VerdictResult] = Field(description="one per verdict sent, in the same order")


class Transaction(BaseModel):
    transactionId: str
    accountId: str
    accountName: str | None = Field(default=None, description="its account's name (absent once it is deleted)")
    homeCountry: str | None = Field(default=None, description="its account's home country")
    transactionType: TransactionType
    amount: float
    currency: str
    description: str | None = None
    merchant: str | None = None
    category: str | None = None
    country: str | None = None
    channel: Channel | None = None
    timestamp: str
    riskScore: float | None = None
    riskLevel: RiskLevel | None = None
    isAnomaly: bool | None = None
    reasons: list[str] | None = None
    scoredAt: str | None = None
    modelVersion: str | None = Field(default=None, description="every model that judged the score, '+' between them")
    baseScore: float | None = Field(
        default=None, description="the IsolationForest's own score, when a layer learnt from verdicts gave riskScore"
    )
    feedback: Feedback | None = None
    injectedAnomaly: str | None = Field(
        default=None, description="the generator's ground truth; returned only with include=groundTruth"
    )
    createdAt: str
    updatedAt: str


Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    nextCursor: str | None = None


class FieldError(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    message: str
    errors: list[FieldError] = Field(default_factory=list)
    executionId: str | None = Field(default=None, description="the run in progress that a start waits for (409)")


class DependencyStatus(BaseModel):
    name: str
    ok: bool
    detail: str | None = None


class Health(BaseModel):
    status: str = Field(examples=["ok", "degraded"])
    dependencies: list[DependencyStatus]


class Activity(BaseModel):
    since: str
    transactions: int = Field(description="transactions dated from `since` on")
    activeAccounts: int = Field(description="accounts whose newest transaction is from `since` on")
    staleAccounts: int = Field(description="accounts waiting for the next detection run, now")
    anomalies: dict[str, int] = Field(description="MEDIUM and HIGH scores of transactions from `since` on")
    open: dict[str, int] = Field(description="of those, the transactions without a verdict yet")


class AnomalyStats(BaseModel):
    since: str
    counts: dict[str, int]
    open: dict[str, int] = Field(description="MEDIUM and HIGH transactions without a verdict yet, per level")
    histogram: list[int] = Field(description="scores in ten bins of width 0.1, from 0 to 1")
    daily: list[dict[str, Any]] = Field(description="per day: date and a count per risk level")
    lastRun: dict[str, Any] | None = None


class ModelInUse(BaseModel):
    role: str = Field(examples=["detector", "population", "verdicts"])
    version: str
    fittedAt: str | None = Field(default=None, description="null: shipped with the code")
    description: str = Field(description="what it is and what it was fitted on, in words")


class AlertPrecision(BaseModel):
    week: str = Field(description="the Monday of the week of the transactions' time")
    level: RiskLevel
    reviewed: int = Field(description="transactions scored at this level that carry a verdict")
    confirmed: int = Field(description="of those, confirmed as fraud")
    precision: float


class ScoreDistribution(BaseModel):
    confirmed: list[int] = Field(description="reviewed transactions confirmed as fraud, by score in ten bins of 0.1")
    notFraud: list[int] = Field(description="reviewed transactions judged not fraud, by score in ten bins of 0.1")


class ModelReport(BaseModel):
    since: str = Field(description="the report counts the verdicts on transactions from this time on")
    models: list[ModelInUse] = Field(description="the models that judge new scores")
    learning: str = Field(description="what the detector learns from verdicts now, in words")
    verdictsLearntFrom: int = Field(description="verdicts the layer in use learnt from (0: none in use)")
    fraudsLearntFrom: int
    confirmed: int = Field(description="verdicts of fraud since `since`")
    notFraud: int
    precision: list[AlertPrecision] = Field(description="per week and alert level, oldest first")
    distribution: ScoreDistribution
