"""`isoflow runs list|show|start|rerun`: detection runs from a terminal.

Against the local stack by default (`make run`: its AWS endpoint on 127.0.0.1:4566 and its resource names);
against AWS, or any other endpoint, when STATE_MACHINE_ARN and RUNS_TABLE (or the flags) name the resources,
with AWS_ENDPOINT_URL set for an endpoint that is not AWS itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Any

import boto3

from isoflow import runs
from isoflow.cli.system import LOCAL_ENDPOINT
from isoflow.local.resources import REGION, state_machine_arn
from isoflow.settings import ENVIRONMENT
from isoflow.store.errors import StoreError
from isoflow.tables import RUNS, local_table_name

FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"})


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list, show, start and rerun detection runs",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    parser.add_argument("--state-machine-arn", default=os.environ.get(ENVIRONMENT["state_machine_arn"]))
    parser.add_argument("--runs-table", default=os.environ.get(ENVIRONMENT["runs_table"]))
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL"))
    commands = parser.add_subparsers(dest="runs_command", required=True)

    listing = commands.add_parser("list", help="the newest runs")
    listing.add_argument("--limit", type=int, default=20)
    listing.add_argument("--json", action="store_true", help="print the runs as JSON")
    listing.set_defaults(func=list_command)

    show = commands.add_parser("show", help="one run: status, summary, cause and its states")
    show.add_argument("execution_id")
    show.add_argument("--json", action="store_true", help="print everything the API returns, as JSON")
    show.set_defaults(func=show_command)

    start = commands.add_parser("start", help="start a run now")
    start.add_argument("--wait", action="store_true", help="wait until it finishes, then show it")
    start.set_defaults(func=start_command)

    rerun = commands.add_parser("rerun", help="rerun a failed run (redrive, or a new run with its input)")
    rerun.add_argument("execution_id")
    rerun.add_argument("--wait", action="store_true", help="wait until it finishes, then show it")
    rerun.set_defaults(func=rerun_command)


def connect(args: argparse.Namespace) -> runs.Runs:
    """The runs of the deployment the flags and environment name, or of the local stack."""
    # The service's JSON log lines are for CloudWatch; in a terminal the command's own output says it all.
    logging.getLogger("isoflow").setLevel(logging.WARNING)
    if args.state_machine_arn and args.runs_table:
        session = boto3.Session()
        endpoint = args.endpoint_url
        machine, table = args.state_machine_arn, args.runs_table
    else:
        session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
        endpoint = args.endpoint_url or LOCAL_ENDPOINT
        machine, table = state_machine_arn(), local_table_name(RUNS)
    return runs.Runs(
        session.client("stepfunctions", endpoint_url=endpoint),
        session.client("dynamodb", endpoint_url=endpoint),
        machine,
        table,
    )


def _summary_line(run: dict[str, Any]) -> str:
    summary = run.get("summary")
    if not summary:
        return ""
    return (
        f"{summary['accounts']} accounts, {summary['transactionsScored']} transactions scored, "
        f"{summary['anomalies']} anomalies, {summary['failedBatches']} of {summary['batches']} batches failed"
    )


def print_runs(items: list[dict[str, Any]]) -> None:
    if not items:
        print("no runs yet")
        return
    for run in items:
        rerun_of = f" (rerun of {run['rerunOf']})" if run.get("rerunOf") else ""
        print(
            f"{run['executionId']:<32} {run['status']:<10} {run['startedAt']} {run['durationSeconds']:>5}s  "
            f"{_summary_line(run)}{rerun_of}",
        )


def print_run(run: dict[str, Any]) -> None:
    print(f"{run['executionId']}  {run['status']}  started {run['startedAt']}, {run['durationSeconds']}s")
    if run.get("rerunOf"):
        print(f"  reruns {run['rerunOf']}")
    if line := _summary_line(run):
        print(f"  {line}")
    if run.get("error"):
        print(f"  error: {run['error']}\n  cause: {run['cause']}")
    print("  states:")
    for event in run["events"]:
        if event["type"].endswith(("StateEntered", "StateExited")) or event["type"].startswith("MapRun"):
            print(f"    {event['timestamp']}  {event['type']:<22} {event.get('stateName') or ''}")
    for map_run in run["mapRuns"]:
        counts = map_run["itemCounts"]
        print(
            f"  batches: {counts.get('total', 0)} total, {counts.get('succeeded', 0)} succeeded, "
            f"{counts.get('failed', 0)} failed",
        )


def _finish(detection_runs: runs.Runs, started: runs.Started, wait: bool) -> int:
    print(f"{started.executionId} ({started.mode})")
    if not wait:
        return 0
    while (run := runs.describe_run(detection_runs, started.executionId))["status"] not in FINISHED:
        time.sleep(1)
    print_run(run)
    return 0 if run["status"] == "SUCCEEDED" else 1


def list_command(args: argparse.Namespace) -> int:
    items, _ = runs.list_runs(connect(args), limit=args.limit)
    if args.json:
        print(json.dumps(items, indent=2))
    else:
        print_runs(items)
    return 0


def show_command(args: argparse.Namespace) -> int:
    try:
        run = runs.describe_run(connect(args), args.execution_id)
    except StoreError as error:
        print(error.message, file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(run, indent=2))
    else:
        print_run(run)
    return 0


def start_command(args: argparse.Namespace) -> int:
    detection_runs = connect(args)
    try:
        started = runs.start(detection_runs, trigger="cli")
    except StoreError as error:  # a run in progress
        print(error.message, file=sys.stderr)
        return 1
    return _finish(detection_runs, started, args.wait)


def rerun_command(args: argparse.Namespace) -> int:
    detection_runs = connect(args)
    try:
        started = runs.rerun(detection_runs, args.execution_id, trigger="cli")
    except StoreError as error:
        print(error.message, file=sys.stderr)
        return 1
    return _finish(detection_runs, started, args.wait)
