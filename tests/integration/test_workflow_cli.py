"""`isoflow runs ...` against a deployment named by the environment (here the local AWS endpoint)."""

from __future__ import annotations

import argparse
from typing import Any

import pytest
from detection_stack import Stack, detection_stack, seed_account

from isoflow.cli import runs as runs_command


def main(argv: list[str]) -> int:
    """`isoflow <argv>` with only this command registered, so other commands' state cannot interfere."""
    parser = argparse.ArgumentParser(prog="isoflow")
    runs_command.register(parser.add_subparsers(required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def stack(local_aws: Any) -> Stack:
    return detection_stack(local_aws)


def test_start_list_show_and_refuse_to_rerun_a_successful_run(stack: Stack, capsys: pytest.CaptureFixture) -> None:
    seed_account(stack.db, transactions=31)

    assert main(["runs", "start", "--wait"]) == 0
    started = capsys.readouterr().out
    execution_id = started.split()[0]
    assert "SUCCEEDED" in started and "1 accounts, 31 transactions scored" in started
    assert "ScoreAccounts" in started and "batches: 1 total, 1 succeeded, 0 failed" in started

    assert main(["runs", "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 1 and listed[0].startswith(execution_id) and "SUCCEEDED" in listed[0]

    assert main(["runs", "show", execution_id]) == 0
    assert "RecordRun" in capsys.readouterr().out

    assert main(["runs", "rerun", execution_id]) == 1
    assert "only a failed" in capsys.readouterr().err
    assert main(["runs", "show", "run-that-never-was"]) == 1
    assert "not found" in capsys.readouterr().err
