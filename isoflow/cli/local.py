"""`isoflow local`: the whole system on 127.0.0.1 until Ctrl-C (what `make run` starts)."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from aws_lambda_powertools.logging.filters import SuppressFilter
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from isoflow.local.faults import STEP_FUNCTIONS
from isoflow.local.scheduler import DEFAULT_SCHEDULE, FAST_SCHEDULE, Schedule
from isoflow.local.stack import FAIL_NEXT_PATH, LocalStack
from isoflow.tables import ACCOUNTS, local_table_name

HOST = "127.0.0.1"
DEFAULT_DATA_DIR = ".local/data"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "local",
        help="run the whole system locally (moto as AWS, the real handlers in-process)",
        description="Runs the API, the dashboard, the generator and detection schedules against a local AWS "
        "endpoint (moto) on 127.0.0.1, seeded with generated accounts, until interrupted.",
    )
    parser.add_argument("--port", type=int, default=8000, help="HTTP port of the API and dashboard")
    parser.add_argument("--aws-port", type=int, default=4566, help="port of the local AWS endpoint")
    parser.add_argument(
        "--fast",
        action="store_true",
        help=f"demo schedule: generator every {FAST_SCHEDULE.generator_every_s:g}s, "
        f"detection every {FAST_SCHEDULE.detection_every_s:g}s",
    )
    parser.add_argument(
        "--generator-every", type=float, metavar="SECONDS", help="generator interval (overrides --fast)"
    )
    parser.add_argument(
        "--detection-every", type=float, metavar="SECONDS", help="detection interval (overrides --fast)"
    )
    parser.add_argument(
        "--seed-accounts", type=int, default=300, metavar="N", help="accounts generated into an empty system (0: none)"
    )
    parser.add_argument("--seed-days", type=int, default=60, metavar="D", help="days of history for each of them")
    parser.add_argument(
        "--auth",
        action="store_true",
        help="require sign-in: a local Cognito user pool with an analyst and an admin, checked as API Gateway does",
    )
    parser.add_argument(
        "--data-dir",
        default=DEFAULT_DATA_DIR,
        metavar="DIR",
        help=f"where the system's data is kept between runs (default: {DEFAULT_DATA_DIR}); 'none' keeps nothing",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="delete the kept data first (it says what) and start a new system"
    )
    parser.add_argument(
        "--alert-webhook",
        metavar="URL",
        help="after each run that finds new high-risk anomalies, POST its alert (Slack-compatible JSON) here",
    )
    parser.set_defaults(func=run)
    actions = parser.add_subparsers(dest="local_command")
    failing = actions.add_parser(
        "fail-next",
        help="make a step of the detection workflow fail the next time it runs, in the running local system",
        description="The step's function fails once, with a cause naming this command; the run fails, its page "
        "shows why, and a rerun succeeds.",
    )
    failing.add_argument("step", choices=list(STEP_FUNCTIONS), help="a Task state of the detection workflow")
    failing.add_argument("--port", type=int, default=8000, help="HTTP port of the running local system")
    failing.set_defaults(func=fail_next_command)


def schedule_from(args: argparse.Namespace) -> Schedule:
    base = FAST_SCHEDULE if args.fast else DEFAULT_SCHEDULE
    return Schedule(
        generator_every_s=args.generator_every or base.generator_every_s,
        detection_every_s=args.detection_every or base.detection_every_s,
    )


# Library lines no one running Isoflow can act on: moto's interpreter does not enforce a Map's tolerated
# failures, which RecordRun applies itself (isoflow.detection.record); and it logs each failed state (every
# retry too) with its details escaped twice over, which the run's page shows readably, while the function's
# own failure is one line of ours (isoflow.local.lambda_invoke).
UNACTIONABLE = (
    "ToleratedFailurePercentage declarations currently have no effect",
    "Exception=FailureEventException",
)


def actionable(record: logging.LogRecord) -> bool:
    return not any(text in record.getMessage() for text in UNACTIONABLE)


def log_json_to_console() -> None:
    """Warnings of the libraries (moto, botocore, werkzeug) as JSON lines too, like our own logs, but for those
    no one can act on. Our loggers (services "isoflow*") have their own handlers: the filter keeps their
    records from repeating."""
    handler = logging.StreamHandler()
    handler.setFormatter(LambdaPowertoolsFormatter())
    handler.addFilter(SuppressFilter("isoflow"))
    handler.addFilter(actionable)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def sign_in(stack: LocalStack) -> str:
    """The start-up lines naming the users and their passwords, when the stack requires sign-in."""
    if stack.user_pool is None:
        return ""
    pool = stack.user_pool
    users = "".join(f"  Sign in as        {email}  {password}\n" for email, password in pool.passwords.items())
    return f"{users}  User pool         {pool.pool_id} (client {pool.client_id})\n"


def fail_next_command(args: argparse.Namespace) -> int:
    request = urllib.request.Request(
        f"http://{HOST}:{args.port}{FAIL_NEXT_PATH}",
        data=json.dumps({"step": args.step}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            print(json.loads(reply.read())["message"])
            return 0
    except urllib.error.HTTPError as error:
        print(json.loads(error.read())["message"], file=sys.stderr)
    except urllib.error.URLError:
        print(f"no local system answers at {HOST}:{args.port}: start it with `make run`", file=sys.stderr)
    return 1


def data_dir(args: argparse.Namespace) -> Path | None:
    """The data directory the flags name, emptied first with --fresh (saying what goes)."""
    if str(args.data_dir).lower() == "none":
        return None
    directory = Path(args.data_dir)
    if args.fresh and directory.exists():
        files = [p for p in directory.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        print(f"Starting over: deleting {directory} ({len(files):,} files, {size / 1e6:.1f} MB): every account, "
              "transaction, verdict and stored model of the last system.", flush=True)  # fmt: skip
        shutil.rmtree(directory)
    return directory


def run(args: argparse.Namespace) -> int:
    log_json_to_console()
    stack = LocalStack(
        HOST,
        args.port,
        args.aws_port,
        schedule_from(args),
        seed_accounts=args.seed_accounts,
        seed_days=args.seed_days,
        auth=args.auth,
        alert_webhook=args.alert_webhook,
        data_dir=data_dir(args),
    )
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    stack.start()
    try:
        print(
            f"""
Isoflow is running locally.
  Dashboard         {stack.http.url}/
  API               {stack.http.url}/api  (docs: {stack.http.url}/api/docs)
  AWS endpoint      AWS_ENDPOINT_URL={stack.aws.url}
  Data              {stack.data}
  e.g.              aws --endpoint-url {stack.aws.url} --region us-east-1 dynamodb scan --table-name \
{local_table_name(ACCOUNTS)}
                    (any credentials work, e.g. AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test)
{sign_in(stack)}Press Ctrl-C to stop.
""",
            flush=True,
        )
        stopping.wait()
    finally:
        stack.stop()
    return 0
