"""The local failure switch: `isoflow local fail-next STEP` fails that step once, so a person sees a failed
run with its cause and reruns it; the step works again afterwards."""

from __future__ import annotations

import argparse
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from detection_stack import seed_account

from isoflow.cli.local import fail_next_command
from isoflow.store.db import Db


def finished(api: str, execution_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while (run := requests.get(f"{api}/executions/{execution_id}", timeout=30).json())["status"] == "RUNNING":
        assert time.monotonic() < deadline, run
        time.sleep(0.2)
    return run


@pytest.mark.parametrize(
    ("step", "cause"),
    [
        ("FindStaleAccounts", "FindStaleAccounts failed on purpose: `isoflow local fail-next FindStaleAccounts`"),
        # A batch's failure is counted by RecordRun, which names the batches that did not finish.
        ("ScoreAccountBatch", "1 of 1 account batches failed after retries"),
        ("RecordRun", "RecordRun failed on purpose: `isoflow local fail-next RecordRun`"),
    ],
)
def test_a_step_made_to_fail_fails_the_next_run_once_and_the_rerun_succeeds(
    local_stack: Any, step: str, cause: str, capsys: pytest.CaptureFixture
) -> None:
    seed_account(Db.from_settings(local_stack.aws.settings), transactions=31)
    api = f"{local_stack.url}/api"
    port = urlsplit(local_stack.url).port
    assert fail_next_command(argparse.Namespace(step=step, port=port)) == 0
    assert capsys.readouterr().out == f"{step} fails the next time it runs\n"

    failed = finished(api, requests.post(f"{api}/executions", timeout=30).json()["executionId"])

    assert failed["status"] == "FAILED", failed
    assert cause in (failed["cause"] or ""), failed["cause"]
    rerun = requests.post(f"{api}/executions/{failed['executionId']}/rerun", timeout=30).json()
    assert finished(api, rerun["executionId"])["status"] == "SUCCEEDED"


def test_the_switch_names_the_steps_it_knows(local_stack: Any, capsys: pytest.CaptureFixture) -> None:
    reply = requests.post(f"{local_stack.url}/local/fail-next", json={"step": "Lunch"}, timeout=30)
    assert reply.status_code == 400 and "choose one of CheckModels" in reply.json()["message"]
    assert requests.get(f"{local_stack.url}/local/fail-next", timeout=30).status_code == 405
    assert fail_next_command(argparse.Namespace(step="RecordRun", port=1)) == 1
    assert "no local system answers" in capsys.readouterr().err
