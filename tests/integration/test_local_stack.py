"""`isoflow local` (what `make run` starts), run as a person runs it, on free ports, and used over HTTP."""

from __future__ import annotations

import os
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
from typing import Any

import boto3
import jwt
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

    def client(self, service: str) -> Any:
        """A client of its printed AWS endpoint, as `aws --endpoint-url` uses it (any credentials work)."""
        return boto3.client(
            service,
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

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
        start_new_session=True,  # a process group of its own, as a terminal's command has
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


def group_alive(stack: RunningStack) -> bool:
    """Whether any process of its group (it and its workers) is still running: not ended, nor a zombie left
    for a parent to reap."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        state, group = fields[0], int(fields[2])
        if group == stack.process.pid and state != "Z":
            return True
    return False


def ctrl_c(stack: RunningStack) -> None:
    """Stops it as a person does (Ctrl-C signals every process of the terminal's group), and checks it stopped
    cleanly."""
    os.killpg(stack.process.pid, signal.SIGINT)
    assert stack.process.wait(timeout=30) == 0


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
    dynamodb = running_stack.client("dynamodb")
    scanned = dynamodb.scan(TableName="isoflow-accounts", Select="COUNT")
    assert scanned["Count"] == len(seeded) + 1

    ctrl_c(running_stack)
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
        ctrl_c(first)
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
        # Its detector workers end with it.
        deadline = time.monotonic() + 10
        while group_alive(second):
            assert time.monotonic() < deadline, "a worker outlived the killed system"
            time.sleep(0.2)
    finally:
        stop(second)

    third = start_stack(data)
    try:
        assert {kept, killed} <= set(accounts_of(third))
        assert accounts_of(third)[killed]["balance"] == 42.5
        ctrl_c(third)
    finally:
        stop(third)

    fresh = start_stack(data, "--fresh")
    try:
        printed = "".join(fresh.output)
        assert f"Starting over: deleting {data}" in printed and "a new system, seeded with 5 accounts" in printed
        assert kept not in accounts_of(fresh) and len(accounts_of(fresh)) == 5
    finally:
        stop(fresh)


def test_with_sign_in_the_local_users_those_added_by_hand_too_are_kept_across_a_restart(tmp_path: Path) -> None:
    def passwords(stack: RunningStack) -> dict[str, str]:
        return dict(re.findall(r"Sign in as\s+(\S+)\s+(\S+)", "".join(stack.output)))

    def pool(stack: RunningStack) -> tuple[str, str, Any]:
        found = re.search(r"User pool\s+(\S+) \(client (\S+)\)", "".join(stack.output))
        assert found, stack.output
        return found.group(1), found.group(2), stack.client("cognito-idp")

    added = "auditor@example.com"
    first = start_stack(tmp_path / "data", "--auth")
    try:
        before = passwords(first)
        assert set(before) == {"analyst@isoflow.local", "admin@isoflow.local"}
        # A user added by hand, as `aws cognito-idp admin-create-user` against the printed endpoint adds one.
        pool_id, _, cognito = pool(first)
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=added,
            UserAttributes=[{"Name": "email", "Value": added}, {"Name": "name", "Value": "Ada Auditor"}],
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=added, Password="Kept-across-1", Permanent=True)
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=added, GroupName="analysts")
        ctrl_c(first)
    finally:
        stop(first)
    second = start_stack(tmp_path / "data", "--auth")
    try:
        assert passwords(second) == before
        pool_id, client_id, cognito = pool(second)
        signed_in = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": added, "PASSWORD": "Kept-across-1"},
        )
        token = signed_in["AuthenticationResult"]["IdToken"]
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["cognito:groups"] == ["analysts"]
        attributes = cognito.admin_get_user(UserPoolId=pool_id, Username=added)["UserAttributes"]
        assert {"Name": "name", "Value": "Ada Auditor"} in attributes
        reply = requests.get(f"{second.url}/api/accounts", headers={"Authorization": token}, timeout=30)
        assert reply.status_code == 200
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
        ctrl_c(first)
        # The failure is one readable line on the console; its detail is on the run's page.
        printed = first.everything()
        assert "FindStaleAccounts failed on purpose" in printed and "FailureEventException" not in printed
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
