"""The detection state machine, defined once: the CDK stack and the local stack both build it from here.

`definition(...)` returns the Amazon States Language document as a dict. It takes the function ARNs as
strings (CDK passes tokens inside strings) and the tunables that differ between a deployment and a test
(batch size, concurrency, failure tolerance, retry timing), so a test keeps retries short by configuration.

The handlers and the state machine meet only through the state names and payload keys below.

    CheckModels ─► RefitDue? ─(due)─► RefitModels ─┐
                       └─────────────────────────────┴─► FindStaleAccounts ─► AnyStale? ─(none)─► NothingStale
                                                                                  └─► ScoreAccounts
    ScoreAccounts (Distributed Map over the S3 manifest of batches)
                                     ScoreAccountBatch ─► ClearStaleFlags    (per batch)
                                  ─► RecordRun ─► (output: the run summary)
    The population model (what is ordinary across the deployment's accounts) is refitted on its own stored
    transactions when due (daily, and after a bulk import), and the layer learnt from verdicts on the verdicts
    known so far (hourly, and after a batch of verdicts): one state, so that a run picks both models at its
    start and every batch of the run scores with the two the manifest names.
    any Task that fails after its retries ─► DetectionFailed (or BatchFailed inside the Map); a failed Map goes
    on to RecordRun, which stores the summary and fails the run with the batches' own errors as its cause
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from isoflow.functions import (
    CHECK_MODELS,
    CLEAR_STALE_FLAGS,
    FIND_STALE_ACCOUNTS,
    RECORD_RUN,
    REFIT_MODELS,
    SCORE_ACCOUNT_BATCH,
    FunctionSpec,
)
from isoflow.timestamps import format_timestamp, parse_timestamp


class States:
    """State names, as people read them in the Step Functions console and on the Runs page."""

    CHECK_MODELS: Final = "CheckModels"
    REFIT_DUE: Final = "RefitDue?"
    REFIT_MODELS: Final = "RefitModels"
    FIND_STALE_ACCOUNTS: Final = "FindStaleAccounts"
    ANY_STALE: Final = "AnyStale?"
    NOTHING_STALE: Final = "NothingStale"
    SCORE_ACCOUNTS: Final = "ScoreAccounts"
    SCORE_ACCOUNT_BATCH: Final = "ScoreAccountBatch"
    CLEAR_STALE_FLAGS: Final = "ClearStaleFlags"
    BATCH_FAILED: Final = "BatchFailed"
    RECORD_RUN: Final = "RecordRun"
    DETECTION_FAILED: Final = "DetectionFailed"


class Keys:
    """Payload keys shared by the state machine and the handlers."""

    # The run, as every Task receives it.
    EXECUTION_ID: Final = "executionId"  # the execution's name (unique per state machine)
    STARTED_AT: Final = "startedAt"  # the execution's start time, from the context object
    # The models the run scores with, from CheckModels or RefitModels, carried by FindStaleAccounts into every
    # batch of the manifest: the population model ({"version", "key"}, or null for the shipped cold start) and
    # the layer learnt from verdicts ({"version", "key"}, or null while the base score stands alone).
    POPULATION: Final = "population"
    VERDICT_MODEL: Final = "verdictModel"
    # CheckModels' verdicts: what RefitModels does, and whether it runs at all (RefitDue? reads it).
    REFIT_POPULATION: Final = "refitPopulation"
    LEARN_FROM_VERDICTS: Final = "learnFromVerdicts"
    REFIT_DUE: Final = "refitDue"
    REASON: Final = "reason"  # why the models were (or were not) refitted, in words
    # FindStaleAccounts' output, which the Map and RecordRun read.
    MANIFEST: Final = "manifest"  # {"bucket", "key"}: the S3 object the Map reads its items from
    ACCOUNTS: Final = "accounts"  # the number of stale accounts found; in a batch, the accounts themselves
    BATCHES: Final = "batches"
    BATCH_SIZE: Final = "batchSize"
    INDEX_LAG_S: Final = "indexLagSeconds"  # FindStaleAccounts' input: Tuning.index_lag_s
    # In a batch and the detector's result for it: flags are cleared only on accounts last written before this
    # time (null: no such condition); see Tuning.index_lag_s.
    CLEAR_IF_WRITTEN_BEFORE: Final = "clearIfWrittenBefore"
    TOLERATED_FAILURE_PERCENTAGE: Final = "toleratedFailurePercentage"
    # A manifest item (one batch) and the detector's result for it.
    BATCH: Final = "batch"  # the batch's index in the manifest
    ACCOUNT_ID: Final = "accountId"
    VERSION: Final = "version"
    # Per account in a manifest item: the time of its earliest transaction written since it was last cleared
    # (null: score what lacks a score in its newest window).
    UNSCORED_FROM: Final = "unscoredFrom"
    # In the detector's result for a batch: the accounts it could not score (left out of `accounts`, so they
    # stay stale) and the first few of their errors.
    ACCOUNTS_FAILED: Final = "accountsFailed"
    ACCOUNT_FAILURES: Final = "accountFailures"
    # In the detector's result for a batch, and RecordRun's summary: the highest of its new HIGH scores
    # (isoflow.detection.alert.TOP of them), for the run's alert.
    TOP_ANOMALIES: Final = "topAnomalies"
    # Where a failed state's error and cause go (ResultPath of every Catch). FindStaleAccounts answers it as
    # null, so that RecordRun can read it whether or not the Map failed.
    ERROR: Final = "error"
    SCORE_ACCOUNTS_ERROR: Final = "scoreAccountsError"  # RecordRun's copy of the Map's error, if it failed


class InvalidStepInputError(ValueError):
    """A step's input is not what the state machine sends it: the message names the state and the key."""


def text(value: Any) -> str:
    """A non-empty string (a step_input converter)."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value


def flag(value: Any) -> bool:
    """true or false, nothing else (a step_input converter)."""
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def timestamp(value: Any) -> str:
    """A timestamp, in the stored format (a step_input converter)."""
    return format_timestamp(parse_timestamp(text(value)))


def optional_timestamp(value: Any) -> str | None:
    """null, or a timestamp in the stored format (a step_input converter)."""
    return None if value is None else timestamp(value)


def optional_model(value: Any) -> dict[str, str] | None:
    """null (no model of the deployment's own) or a stored model's {"version", "key"} (a step_input converter)."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise ValueError(f"expected null or an object, got {type(value).__name__}")
    return {"version": text(value["version"]), "key": text(value["key"])}


def step_input(
    state: str,
    event: Any,
    keys: Mapping[str, Callable[[Any], Any]],
    optional: Mapping[str, Callable[[Any], Any]] | None = None,
) -> dict[str, Any]:
    """The keys a step reads from its input, each converted by its type (e.g. `{Keys.BATCH: int}`), so that a
    malformed event fails before any work with an error naming what is wrong, not deep inside the step. The
    `optional` keys may be absent (None), as in the input of a run started before they existed."""
    if not isinstance(event, Mapping):
        raise InvalidStepInputError(f"{state} input must be a JSON object, not {type(event).__name__}")
    values: dict[str, Any] = {}
    for key, convert in {**keys, **(optional or {})}.items():
        if key not in event and key in keys:
            raise InvalidStepInputError(f"{state} input has no {key!r}")
        try:
            values[key] = convert(event[key]) if key in event else None
        except (TypeError, ValueError, KeyError) as error:
            raise InvalidStepInputError(f"{state} input {key!r} is not valid: {error}") from error
    return values


# Errors worth another attempt: Lambda's own transient failures, throttling and timeouts of the AWS calls the
# handlers make (botocore names its exceptions after the error code), and the store's BusyError (throttling
# or write conflicts that outlasted its own retries). Anything else is a bug or bad data: retrying would
# only repeat it.
TRANSIENT_ERRORS: tuple[str, ...] = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.ClientExecutionTimeoutException",
    "States.Timeout",
    "BusyError",
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "SlowDown",
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
)


MAX_BATCH_SIZE = 1000


@dataclass(frozen=True)
class Tuning:
    """What a deployment and a test may set differently."""

    batch_size: int = 100  # accounts per Map item (one detector invocation)
    max_concurrency: int = 20  # detector invocations at once
    tolerated_failure_percentage: float = 0  # batches that may fail, in percent, before the run fails
    retry_interval_s: int = 2  # Step Functions takes whole seconds, at least 1
    retry_max_attempts: int = 3
    retry_backoff_rate: float = 2.0
    retry_max_delay_s: int = 60
    task_timeout_s: int = 900  # a Task that has not answered by then counts as failed (and is retried)
    # The detector reads each account's window from a GSI, which may lag a write by a moment: a flag is
    # cleared only if the account's last write came at least this long before the run started, so that no
    # transaction the window could have missed is left unscored behind a cleared flag. (0: no such condition,
    # for tests on a local endpoint whose indexes never lag.)
    index_lag_s: int = 2

    def __post_init__(self) -> None:
        # A batch's item and its detector answer each take under 100 bytes an account (an account's id, version
        # and unscoredFrom; its id, version and risk), besides a few listed failures of at most 500 bytes each:
        # 1,000 keep them well under 256 KB.
        if not 1 <= self.batch_size <= MAX_BATCH_SIZE:
            raise ValueError(f"batch_size must be within 1-{MAX_BATCH_SIZE}")
        if self.max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        if not 0 <= self.tolerated_failure_percentage <= 100:
            raise ValueError("tolerated_failure_percentage must be within 0-100")
        if self.retry_interval_s < 1 or self.retry_max_delay_s < self.retry_interval_s:
            raise ValueError("retry intervals are whole seconds, at least 1, and at most retry_max_delay_s")
        if self.retry_max_attempts < 0:
            raise ValueError("retry_max_attempts must not be negative")
        if self.index_lag_s < 0:
            raise ValueError("index_lag_s must not be negative")


@dataclass(frozen=True)
class FunctionArns:
    """The ARN (or, in CDK, a token inside a string) of each function the state machine invokes."""

    check_models: str
    refit_models: str
    find_stale_accounts: str
    score_account_batch: str
    clear_stale_flags: str
    record_run: str

    @classmethod
    def of(cls, arn: Callable[[FunctionSpec], str]) -> FunctionArns:
        """The ARNs of the registered functions, given how a deployment names a function's ARN."""
        return cls(
            check_models=arn(CHECK_MODELS),
            refit_models=arn(REFIT_MODELS),
            find_stale_accounts=arn(FIND_STALE_ACCOUNTS),
            score_account_batch=arn(SCORE_ACCOUNT_BATCH),
            clear_stale_flags=arn(CLEAR_STALE_FLAGS),
            record_run=arn(RECORD_RUN),
        )


def _retry(tuning: Tuning) -> list[dict[str, Any]]:
    return [
        {
            "ErrorEquals": list(TRANSIENT_ERRORS),
            "IntervalSeconds": tuning.retry_interval_s,
            "MaxAttempts": tuning.retry_max_attempts,
            "BackoffRate": tuning.retry_backoff_rate,
            "MaxDelaySeconds": tuning.retry_max_delay_s,
            "JitterStrategy": "FULL",
        }
    ]


def _catch(next_state: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": f"$.{Keys.ERROR}", "Next": next_state}]


def _invoke(
    function_arn: str, payload: dict[str, Any] | str, tuning: Tuning, *, output: bool = True, **fields: Any
) -> dict[str, Any]:
    """A Task that invokes a Lambda function and passes on what the function returned (or, without
    `output`, nothing: an empty object)."""
    parameters: dict[str, Any] = {"FunctionName": function_arn}
    if isinstance(payload, str):
        parameters["Payload.$"] = payload
    else:
        parameters["Payload"] = payload
    shaping = (
        {"ResultSelector": {"result.$": "$.Payload"}, "OutputPath": "$.result"}
        if output
        else {
            "ResultPath": None,
            "OutputPath": None,
        }
    )
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": parameters,
        **shaping,
        "TimeoutSeconds": tuning.task_timeout_s,
        "Retry": _retry(tuning),
        **fields,
    }


def _fail(comment: str) -> dict[str, Any]:
    return {
        "Type": "Fail",
        "Comment": comment,
        "ErrorPath": f"$.{Keys.ERROR}.Error",
        "CausePath": f"$.{Keys.ERROR}.Cause",
    }


def definition(functions: FunctionArns, tuning: Tuning | None = None) -> dict[str, Any]:
    """The state machine as an Amazon States Language document (JSONPath, no ItemBatcher, no Assign)."""
    tuning = tuning or Tuning()
    batch_states = {
        States.SCORE_ACCOUNT_BATCH: _invoke(
            functions.score_account_batch,
            "$",
            tuning,
            Comment="Score the unscored transactions of each account in the batch and write the scores",
            Catch=_catch(States.BATCH_FAILED),
            Next=States.CLEAR_STALE_FLAGS,
        ),
        States.CLEAR_STALE_FLAGS: _invoke(
            functions.clear_stale_flags,
            "$",
            tuning,
            Comment="Record each account's risk; clear its stale flag unless it was written during the run",
            # The batch's counts go to S3 for RecordRun; the Map collects only empty objects.
            output=False,
            Catch=_catch(States.BATCH_FAILED),
            End=True,
        ),
        States.BATCH_FAILED: _fail("This batch's accounts stay stale and are scored by the next run"),
    }
    return {
        "Comment": "Isoflow detection: score the transactions of every stale account and clear the flags",
        "StartAt": States.CHECK_MODELS,
        "States": {
            States.CHECK_MODELS: _invoke(
                functions.check_models,
                {f"{Keys.STARTED_AT}.$": "$$.Execution.StartTime"},
                tuning,
                Comment="Read which models are current and whether a refit of either is due",
                Catch=_catch(States.DETECTION_FAILED),
                Next=States.REFIT_DUE,
            ),
            States.REFIT_DUE: {
                "Type": "Choice",
                "Choices": [{"Variable": f"$.{Keys.REFIT_DUE}", "BooleanEquals": True, "Next": States.REFIT_MODELS}],
                "Default": States.FIND_STALE_ACCOUNTS,
            },
            States.REFIT_MODELS: _invoke(
                functions.refit_models,
                {
                    f"{Keys.STARTED_AT}.$": "$$.Execution.StartTime",
                    f"{Keys.POPULATION}.$": f"$.{Keys.POPULATION}",
                    f"{Keys.VERDICT_MODEL}.$": f"$.{Keys.VERDICT_MODEL}",
                    f"{Keys.REFIT_POPULATION}.$": f"$.{Keys.REFIT_POPULATION}",
                    f"{Keys.LEARN_FROM_VERDICTS}.$": f"$.{Keys.LEARN_FROM_VERDICTS}",
                },
                tuning,
                Comment="Refit what is due: the population model on a sample of the deployment's own transactions, "
                "the layer learnt from the verdicts known so far",
                Catch=_catch(States.DETECTION_FAILED),
                Next=States.FIND_STALE_ACCOUNTS,
            ),
            States.FIND_STALE_ACCOUNTS: _invoke(
                functions.find_stale_accounts,
                {
                    f"{Keys.EXECUTION_ID}.$": "$$.Execution.Name",
                    f"{Keys.STARTED_AT}.$": "$$.Execution.StartTime",
                    f"{Keys.POPULATION}.$": f"$.{Keys.POPULATION}",
                    f"{Keys.VERDICT_MODEL}.$": f"$.{Keys.VERDICT_MODEL}",
                    Keys.BATCH_SIZE: tuning.batch_size,
                    Keys.INDEX_LAG_S: tuning.index_lag_s,
                },
                tuning,
                Comment="Query the stale-account index and write the batches to score to S3",
                Catch=_catch(States.DETECTION_FAILED),
                Next=States.ANY_STALE,
            ),
            States.ANY_STALE: {
                "Type": "Choice",
                "Choices": [{"Variable": f"$.{Keys.BATCHES}", "NumericGreaterThan": 0, "Next": States.SCORE_ACCOUNTS}],
                "Default": States.NOTHING_STALE,
            },
            States.NOTHING_STALE: {"Type": "Succeed", "Comment": "No account changed since the last run"},
            States.SCORE_ACCOUNTS: {
                "Type": "Map",
                "Comment": "One detector invocation per batch of accounts, read from the manifest in S3",
                "ItemReader": {
                    "Resource": "arn:aws:states:::s3:getObject",
                    "ReaderConfig": {"InputType": "JSON"},
                    "Parameters": {
                        "Bucket.$": f"$.{Keys.MANIFEST}.bucket",
                        "Key.$": f"$.{Keys.MANIFEST}.key",
                    },
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": States.SCORE_ACCOUNT_BATCH,
                    "States": batch_states,
                },
                "MaxConcurrency": tuning.max_concurrency,
                # Always written with a decimal point: some ASL parsers (moto's) take no integer here.
                "ToleratedFailurePercentage": float(tuning.tolerated_failure_percentage),
                "Label": States.SCORE_ACCOUNTS,
                # Each batch's result goes to S3 (RecordRun sums them), so the state's output stays the
                # input's few keys whatever the number of batches.
                "ResultPath": None,
                # A failed Map (more failed batches than tolerated) still gets its summary and a cause that
                # names the batches' errors: RecordRun stores the one and fails the run with the other.
                "Catch": _catch(States.RECORD_RUN),
                "Next": States.RECORD_RUN,
            },
            States.RECORD_RUN: _invoke(
                functions.record_run,
                {
                    f"{Keys.EXECUTION_ID}.$": f"$.{Keys.EXECUTION_ID}",
                    f"{Keys.STARTED_AT}.$": f"$.{Keys.STARTED_AT}",
                    f"{Keys.ACCOUNTS}.$": f"$.{Keys.ACCOUNTS}",
                    f"{Keys.BATCHES}.$": f"$.{Keys.BATCHES}",
                    f"{Keys.POPULATION}.$": f"$.{Keys.POPULATION}",
                    f"{Keys.VERDICT_MODEL}.$": f"$.{Keys.VERDICT_MODEL}",
                    f"{Keys.SCORE_ACCOUNTS_ERROR}.$": f"$.{Keys.ERROR}",
                    Keys.TOLERATED_FAILURE_PERCENTAGE: tuning.tolerated_failure_percentage,
                },
                tuning,
                Comment="Sum the batches' results into the run summary, store it and return it",
                Catch=_catch(States.DETECTION_FAILED),
                End=True,
            ),
            States.DETECTION_FAILED: _fail("The run stopped; every account it did not finish stays stale"),
        },
    }
