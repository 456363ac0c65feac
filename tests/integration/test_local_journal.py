"""The local system's journal: a restart replays every write, compacts a journal that has grown past twice
its compact form, and leaves a compact one as it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from isoflow.local.aws import LocalAws
from isoflow.local.journal import Journal
from isoflow.local.resources import DATA_BUCKET, bootstrap


class Endpoint:
    """A local endpoint keeping its writes in `directory`, on a free port, with boto3 pointed at it."""

    def __init__(self, directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.journal = Journal(directory)
        self.aws = LocalAws("127.0.0.1", 0, {}, self.journal)
        self.aws.start()
        self.aws.reset()  # moto's backends are this process's: empty, as in a new process
        for name, value in self.aws.environment().items():
            monkeypatch.setenv(name, value)
        self.settings = bootstrap(boto3.Session(), None)
        self.s3 = boto3.client("s3")
        self.dynamodb = boto3.client("dynamodb")
        self.running = True

    def stop(self) -> None:
        self.journal.stop(self.s3, DATA_BUCKET)
        self.aws.reset()
        self.aws.stop()
        self.running = False


@pytest.fixture
def endpoints(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], Endpoint]]:
    started: list[Endpoint] = []

    def start(directory: Path) -> Endpoint:
        started.append(Endpoint(directory, monkeypatch))
        return started[-1]

    yield start
    for endpoint in started:
        if endpoint.running:
            endpoint.stop()


def account(endpoint: Endpoint) -> dict[str, Any]:
    key = {"accountId": {"S": "acc_kept"}}
    return endpoint.dynamodb.get_item(TableName=endpoint.settings.accounts_table, Key=key)["Item"]


def test_a_restart_replays_every_write_and_compacts_only_a_grown_journal(
    tmp_path: Path, endpoints: Callable[[Path], Endpoint]
) -> None:
    first = endpoints(tmp_path)
    first.journal.start()
    table = first.settings.accounts_table
    first.dynamodb.put_item(TableName=table, Item={"accountId": {"S": "acc_kept"}, "n": {"N": "0"}})
    for _ in range(30):
        first.dynamodb.update_item(
            TableName=table,
            Key={"accountId": {"S": "acc_kept"}},
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    first.s3.put_object(Bucket=DATA_BUCKET, Key="runs/r1/manifest.json", Body=b"{}")
    written = account(first)
    first.stop()

    second = endpoints(tmp_path)
    restored = second.journal.restore(second.s3, DATA_BUCKET)

    assert (restored.writes, restored.items, restored.objects) == (31, 1, 1)
    assert account(second) == written == {"accountId": {"S": "acc_kept"}, "n": {"N": "30"}}
    compact = second.journal.path.read_text()
    assert compact.count("\n") == 1 and '"BatchWriteItem"' in compact
    second.stop()

    third = endpoints(tmp_path)
    again = third.journal.restore(third.s3, DATA_BUCKET)

    assert (again.writes, again.items) == (1, 1)
    assert third.journal.path.read_text() == compact
    assert account(third) == written
