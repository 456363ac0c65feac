"""`isoflow local`: the whole system on 127.0.0.1 until Ctrl-C (what `make run` starts)."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from aws_lambda_powertools.logging.filters import SuppressFilter
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from isoflow.local.scheduler import DEFAULT_SCHEDULE, FAST_SCHEDULE, Schedule
from isoflow.local.stack import LocalStack
from isoflow.tables import ACCOUNTS, local_table_name

HOST = "127.0.0.1"


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
        "--alert-webhook",
        metavar="URL",
        help="after each run that finds new high-risk anomalies, POST its alert (Slack-compatible JSON) here",
    )
    parser.set_defaults(func=run)


def schedule_from(args: argparse.Namespace) -> Schedule:
    base = FAST_SCHEDULE if args.fast else DEFAULT_SCHEDULE
    return Schedule(
        generator_every_s=args.generator_every or base.generator_every_s,
        detection_every_s=args.detection_every or base.detection_every_s,
    )


def log_json_to_console() -> None:
    """Warnings of the libraries (moto, botocore, werkzeug) as JSON lines too, like our own logs. Our
    loggers (services "isoflow*") have their own handlers: the filter keeps their records from repeating."""
    handler = logging.StreamHandler()
    handler.setFormatter(LambdaPowertoolsFormatter())
    handler.addFilter(SuppressFilter("isoflow"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler])


def sign_in(stack: LocalStack) -> str:
    """The start-up lines naming the users and their passwords, when the stack requires sign-in."""
    if stack.user_pool is None:
        return ""
    pool = stack.user_pool
    users = "".join(f"  Sign in as        {email}  {password}\n" for email, password in pool.passwords.items())
    return f"{users}  User pool         {pool.pool_id} (client {pool.client_id})\n"


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
