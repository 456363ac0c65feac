"""The detection state machine's definition: the shape the console shows and the guarantees it encodes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from isoflow.workflow import TRANSIENT_ERRORS, FunctionArns, Keys, States, Tuning, definition

ARNS = FunctionArns(
    check_models="arn:check",
    refit_models="arn:refit",
    find_stale_accounts="arn:find",
    score_account_batch="arn:score",
    clear_stale_flags="arn:clear",
    record_run="arn:record",
)


def all_states(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    states = dict(document["States"])
    for state in document["States"].values():
        if "ItemProcessor" in state:
            states.update(all_states(state["ItemProcessor"]))
    return states


def test_the_run_checks_the_models_refits_if_due_then_goes_find_choose_map_record() -> None:
    document = definition(ARNS)
    top = document["States"]
    assert document["StartAt"] == States.CHECK_MODELS
    assert top[States.CHECK_MODELS]["Next"] == States.REFIT_DUE
    refit_due = top[States.REFIT_DUE]
    assert refit_due["Choices"] == [
        {"Variable": f"$.{Keys.REFIT_DUE}", "BooleanEquals": True, "Next": States.REFIT_MODELS}
    ]
    assert refit_due["Default"] == top[States.REFIT_MODELS]["Next"] == States.FIND_STALE_ACCOUNTS
    # The models either step names reach FindStaleAccounts (which writes them into every batch) and RecordRun
    # (which names them in the summary).
    models = {f"{key}.$": f"$.{key}" for key in (Keys.POPULATION, Keys.VERDICT_MODEL)}
    for state in (States.REFIT_MODELS, States.FIND_STALE_ACCOUNTS, States.RECORD_RUN):
        assert models.items() <= top[state]["Parameters"]["Payload"].items(), state
    # RefitModels is told what is due.
    due = {f"{key}.$": f"$.{key}" for key in (Keys.REFIT_POPULATION, Keys.LEARN_FROM_VERDICTS)}
    assert due.items() <= top[States.REFIT_MODELS]["Parameters"]["Payload"].items()
    assert top[States.FIND_STALE_ACCOUNTS]["Next"] == States.ANY_STALE
    choice = top[States.ANY_STALE]
    assert choice["Choices"] == [
        {"Variable": f"$.{Keys.BATCHES}", "NumericGreaterThan": 0, "Next": States.SCORE_ACCOUNTS}
    ]
    assert top[choice["Default"]]["Type"] == "Succeed"
    assert top[States.SCORE_ACCOUNTS]["Next"] == States.RECORD_RUN and top[States.RECORD_RUN]["End"]
    # A failed Map still records the run, which then fails with the batches' errors as its cause.
    assert top[States.SCORE_ACCOUNTS]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": f"$.{Keys.ERROR}", "Next": States.RECORD_RUN}
    ]
    assert top[States.RECORD_RUN]["Parameters"]["Payload"][f"{Keys.SCORE_ACCOUNTS_ERROR}.$"] == f"$.{Keys.ERROR}"
    batch = top[States.SCORE_ACCOUNTS]["ItemProcessor"]
    assert batch["StartAt"] == States.SCORE_ACCOUNT_BATCH
    assert batch["States"][States.SCORE_ACCOUNT_BATCH]["Next"] == States.CLEAR_STALE_FLAGS
    assert batch["States"][States.CLEAR_STALE_FLAGS]["End"]
    invoked = {
        name: state["Parameters"]["FunctionName"]
        for name, state in all_states(document).items()
        if state["Type"] == "Task"
    }
    assert invoked == {
        States.CHECK_MODELS: "arn:check",
        States.REFIT_MODELS: "arn:refit",
        States.FIND_STALE_ACCOUNTS: "arn:find",
        States.SCORE_ACCOUNT_BATCH: "arn:score",
        States.CLEAR_STALE_FLAGS: "arn:clear",
        States.RECORD_RUN: "arn:record",
    }


def test_every_task_retries_transient_errors_with_jittered_backoff_and_catches_to_a_fail_state() -> None:
    tuning = Tuning(retry_interval_s=3, retry_max_attempts=5, retry_backoff_rate=1.5, retry_max_delay_s=40)
    states = all_states(definition(ARNS, tuning))
    tasks = {name: state for name, state in states.items() if state["Type"] == "Task"}
    assert len(tasks) == 6
    for name, task in tasks.items():
        (retry,) = task["Retry"]
        assert retry == {
            "ErrorEquals": list(TRANSIENT_ERRORS),
            "IntervalSeconds": 3,
            "MaxAttempts": 5,
            "BackoffRate": 1.5,
            "MaxDelaySeconds": 40,
            "JitterStrategy": "FULL",
        }, name
        (catch,) = task["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"] and catch["ResultPath"] == f"$.{Keys.ERROR}"
        failed = states[catch["Next"]]
        # The run's cause is the failed task's own error and cause, not a fixed text.
        assert (failed["Type"], failed["ErrorPath"], failed["CausePath"]) == (
            "Fail",
            f"$.{Keys.ERROR}.Error",
            f"$.{Keys.ERROR}.Cause",
        )
    assert "States.ALL" not in TRANSIENT_ERRORS and "Lambda.TooManyRequestsException" in TRANSIENT_ERRORS


def test_the_map_reads_its_batches_from_the_manifest_in_s3_with_the_configured_limits() -> None:
    tuning = Tuning(batch_size=250, max_concurrency=7, tolerated_failure_percentage=10)
    document = definition(ARNS, tuning)
    score = document["States"][States.SCORE_ACCOUNTS]
    assert score["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket.$": f"$.{Keys.MANIFEST}.bucket", "Key.$": f"$.{Keys.MANIFEST}.key"},
    }
    assert score["ItemProcessor"]["ProcessorConfig"]["Mode"] == "DISTRIBUTED"
    assert (score["MaxConcurrency"], score["ToleratedFailurePercentage"]) == (7, 10.0)
    assert score["ResultPath"] is None  # the batches' results go to S3, never into the state's output
    assert "ItemBatcher" not in score
    find = document["States"][States.FIND_STALE_ACCOUNTS]
    assert find["Parameters"]["Payload"][Keys.BATCH_SIZE] == 250
    assert find["Parameters"]["Payload"][Keys.INDEX_LAG_S] == Tuning().index_lag_s == 2
    record = document["States"][States.RECORD_RUN]
    assert record["Parameters"]["Payload"][Keys.TOLERATED_FAILURE_PERCENTAGE] == 10
    clear = score["ItemProcessor"]["States"][States.CLEAR_STALE_FLAGS]
    assert (clear["ResultPath"], clear["OutputPath"]) == (None, None)


def test_the_definition_is_plain_jsonpath_asl_and_accepts_cdk_tokens_as_arns() -> None:
    token_arns = FunctionArns(*(f"${{Token[TOKEN.{n}]}}" for n in range(6)))
    text = json.dumps(definition(token_arns))
    assert "${Token[TOKEN.0]}" in text
    for unsupported in ("ItemBatcher", "Assign", "JSONata", "QueryLanguage"):
        assert unsupported not in text


@pytest.mark.parametrize(
    "bad",
    [
        {"batch_size": 0},
        {"batch_size": 1001},
        {"max_concurrency": 0},
        {"tolerated_failure_percentage": 101},
        {"retry_interval_s": 0},
        {"retry_interval_s": 5, "retry_max_delay_s": 4},
        {"retry_max_attempts": -1},
    ],
)
def test_tuning_refuses_values_step_functions_would_reject(bad: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Tuning(**bad)
