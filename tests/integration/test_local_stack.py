"""`isoflow local` (what `make run` starts), run as a person runs it, on free ports, and used over HTTP."""

from __future__ import annotations

import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests

STARTUP_S = 120
ISOFLOW = Path(sys.executable).parent / "isoflow"


@dataclass
class RunningStack:
    process: subprocess.Popen
    url: str
    aws_url: str
    output: list[str]
    lines: queue.Queue[str]

    def everything(self) -> str:
        """All it printed, once it has stopped."""
        while not self.lines.empty():
            self.output.append(self.lines.get())
        return "".join(self.output)


def _lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put(line)


def start_stack(data_dir: Path, *flags: str) -> RunningStack:
    """`isoflow local` on free ports keeping its data in `data_dir`, once it says it is running."""
    process = subprocess.Popen(
        [str(ISOFLOW), "local", "--port", "0", "--aws-port", "0", "--seed-accounts", "5", "--seed-days", "10",
         "--data-dir", str(data_dir), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    deadline = time.monotonic() + STARTUP_S
    while not any("Press Ctrl-C" in line for line in output):
        assert time.monotonic() < deadline and process.poll() is None, "".join(output)
        try:
            output.append(lines.get(timeout=1))
        except queue.Empty:
            continue
    text = "".join(output)
    url = re.search(r"Dashboard\s+(http://127\.0\.0\.1:\d+)/", text)
    aws_url = re.search(r"AWS_ENDPOINT_URL=(http://127\.0\.0\.1:\d+)", text)
    assert url and aws_url, text
    return RunningStack(process, url.group(1), aws_url.group(1), output, lines)


def stop(stack: RunningStack) -> None:
    if stack.process.poll() is None:
        stack.process.kill()
        stack.process.wait()


@pytest.fixture
def running_stack(tmp_path: Path) -> Iterator[RunningStack]:
    stack = start_stack(tmp_path / "data")
    yield stack
    stop(stack)


def test_the_local_stack_serves_the_api_with_seeded_data_and_stops_on_ctrl_c(running_stack):
    api = f"{running_stack.url}/api"

    assert requests.get(f"{api}/health", timeout=30).status_code == 200
    seeded = requests.get(f"{api}/accounts", timeout=30).json()["items"]
    assert len(seeded) == 5, "the stack starts with generated accounts"

    # Detection runs once at start-up: the seeded accounts are scored without waiting for the schedule.
    deadline = time.monotonic() + 120
    while (
        not (listed := requests.get(f"{api}/executions", timeout=30).json()["items"])
        or listed[0]["status"] == "RUNNING"
    ):
        assert time.monotonic() < deadline, listed
        time.sleep(0.5)
    assert listed[0]["trigger"] == "schedule" and listed[0]["status"] == "SUCCEEDED", listed
    scored = requests.get(f"{api}/accounts", timeout=30).json()["items"]
    assert all(a["riskLevel"] and not a["isStale"] for a in scored), scored

    created = requests.post(
        f"{api}/accounts",
        json={"name": "Alan Turing", "accountType": "CHECKING", "currency": "GBP", "homeCountry": "GB"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    account_id = created.json()["accountId"]
    payment = requests.post(
        f"{api}/transactions",
        json={"accountId": account_id, "transactionType": "DEPOSIT", "amount": 100.25},
        timeout=30,
    )
    assert payment.status_code == 201, payment.text
    account = requests.get(f"{api}/accounts/{account_id}", timeout=30).json()
    assert account["isStale"] is True
    assert account["balance"] == 100.25
    bad = requests.post(f"{api}/transactions", json={"accountId": account_id, "amount": -5}, timeout=30)
    assert 400 <= bad.status_code < 500

    # A detection run, started as the dashboard starts one, scores the stale accounts and clears them.
    run_id = requests.post(f"{api}/executions", json={}, timeout=30).json()["executionId"]
    deadline = time.monotonic() + 120
    while (run := requests.get(f"{api}/executions/{run_id}", timeout=30).json())["status"] == "RUNNING":
        assert time.monotonic() < deadline, run
        time.sleep(0.5)
    assert run["status"] == "SUCCEEDED", run
    assert requests.get(f"{api}/accounts/{account_id}", timeout=30).json()["isStale"] is False

    config = requests.get(f"{running_stack.url}/config.json", timeout=30).json()
    assert config["apiBaseUrl"] == "/api"

    # The printed endpoint is a working AWS endpoint for any client, as `aws --endpoint-url` uses it.
    dynamodb = boto3.client(
        "dynamodb",
        endpoint_url=running_stack.aws_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    scanned = dynamodb.scan(TableName="isoflow-accounts", Select="COUNT")
    assert scanned["Count"] == len(seeded) + 1

    running_stack.process.send_signal(signal.SIGINT)
    assert running_stack.process.wait(timeout=30) == 0
    # A quiet console: no library warning no one can act on, no escaped stack traces.
    printed = running_stack.everything()
    assert "ToleratedFailurePercentage" not in printed and "Traceback" not in printed, printed


def accounts_of(stack: RunningStack) -> dict[str, dict]:
    listed = requests.get(f"{stack.url}/api/accounts", params={"limit": 100}, timeout=30).json()["items"]
    return {a["accountId"]: a for a in listed}


def open_account(stack: RunningStack, name: str) -> str:
    api = f"{stack.url}/api"
    body = {"name": name, "accountType": "CHECKING", "currency": "EUR", "homeCountry": "DE"}
    account_id = requests.post(f"{api}/accounts", json=body, timeout=30).json()["accountId"]
    deposit = {"accountId": account_id, "transactionType": "DEPOSIT", "amount": 42.5}
    assert requests.post(f"{api}/transactions", json=deposit, timeout=30).status_code == 201
    return account_id


def test_the_data_survives_a_stop_and_a_kill_and_fresh_starts_over(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_stack(data)
    try:
        assert "a new system, seeded with 5 accounts" in "".join(first.output)
        seeded = accounts_of(first)
        kept = open_account(first, "Kept Across Stops")
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=30) == 0
    finally:
        stop(first)

    second = start_stack(data)
    try:
        banner = "".join(second.output)
        assert f"restored from {data}" in banner and "seeded" not in banner, banner
        after = accounts_of(second)
        assert set(after) == set(seeded) | {kept}, "every account back, and no second seed"
        assert after[kept]["balance"] == 42.5 and after[kept]["name"] == "Kept Across Stops"
        # Killed, not stopped: what was written before the kill is kept all the same.
        killed = open_account(second, "Kept Across A Kill")
        second.process.kill()
        second.process.wait()
    finally:
        stop(second)

    third = start_stack(data)
    try:
        assert {kept, killed} <= set(accounts_of(third))
        assert accounts_of(third)[killed]["balance"] == 42.5
        third.process.send_signal(signal.SIGINT)
        assert third.process.wait(timeout=30) == 0
    finally:
        stop(third)

    fresh = start_stack(data, "--fresh")
    try:
        printed = "".join(fresh.output)
        assert f"Starting over: deleting {data}" in printed and "a new system, seeded with 5 accounts" in printed
        assert kept not in accounts_of(fresh) and len(accounts_of(fresh)) == 5
    finally:
        stop(fresh)


def test_with_sign_in_the_local_users_keep_their_passwords_across_a_restart(tmp_path: Path) -> None:
    def passwords(stack: RunningStack) -> dict[str, str]:
        return dict(re.findall(r"Sign in as\s+(\S+)\s+(\S+)", "".join(stack.output)))

    first = start_stack(tmp_path / "data", "--auth")
    try:
        before = passwords(first)
        assert set(before) == {"analyst@isoflow.local", "admin@isoflow.local"}
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=30) == 0
    finally:
        stop(first)
    second = start_stack(tmp_path / "data", "--auth")
    try:
        assert passwords(second) == before
    finally:
        stop(second)


def finished_runs(stack: RunningStack, count: int) -> list[dict]:
    """The runs listed, once `count` are listed and none is running."""
    deadline = time.monotonic() + STARTUP_S
    while True:
        listed = requests.get(f"{stack.url}/api/executions", timeout=30).json()["items"]
        if len(listed) >= count and all(run["status"] != "RUNNING" for run in listed):
            return listed
        assert time.monotonic() < deadline, listed
        time.sleep(0.5)


def test_run_histories_survive_a_stop_and_a_kill_and_a_failed_run_is_rerun_after(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = start_stack(data)
    try:
        finished_runs(first, 1)  # the start-up run
        requests.post(f"{first.url}/local/fail-next", json={"step": "FindStaleAccounts"}, timeout=30)
        failed_id = requests.post(f"{first.url}/api/executions", json={}, timeout=30).json()["executionId"]
        before = finished_runs(first, 2)
        failed = requests.get(f"{first.url}/api/executions/{failed_id}", timeout=30).json()
        assert failed["status"] == "FAILED" and "fail-next" in str(failed["cause"]), failed
        first.process.send_signal(signal.SIGINT)
        assert first.process.wait(timeout=30) == 0
    finally:
        stop(first)

    second = start_stack(data)
    try:
        assert "2 run histories" in "".join(second.output)
        # Each start runs detection once: that run first, then the two kept.
        listed = finished_runs(second, 3)
        assert [(r["executionId"], r["status"]) for r in listed[1:]] == [
            (r["executionId"], r["status"]) for r in before
        ]
        kept = requests.get(f"{second.url}/api/executions/{failed_id}", timeout=30).json()
        assert (kept["events"], kept["cause"], kept["definition"]) == (
            failed["events"],
            failed["cause"],
            failed["definition"],
        )
        rerun = requests.post(f"{second.url}/api/executions/{failed_id}/rerun", json={}, timeout=30)
        assert rerun.status_code < 300, rerun.text
        after = finished_runs(second, 4)
        assert after[0]["executionId"] == rerun.json()["executionId"] and after[0]["status"] == "SUCCEEDED"
        assert after[0]["rerunOf"] == failed_id
        time.sleep(6)  # a finished run is archived within 5 s, so a kill keeps it
        second.process.kill()
        second.process.wait()
    finally:
        stop(second)

    third = start_stack(data)
    try:
        assert [r["executionId"] for r in finished_runs(third, 5)[1:]] == [r["executionId"] for r in after]
    finally:
        stop(third)
