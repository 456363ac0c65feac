"""The whole system on one machine: the local AWS endpoint, the HTTP front (API and site), seeded data and the
schedules, started and stopped together. `isoflow local` runs it."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, MutableMapping
from dataclasses import replace
from pathlib import Path

import boto3

from isoflow.functions import (
    API,
    FUNCTIONS,
    GENERATOR,
    REFIT_MODELS,
    SCORE_ACCOUNT_BATCH,
    START_SCHEDULED_RUN,
    FunctionSpec,
    local_function_name,
)
from isoflow.generator.bulk import load_generated
from isoflow.local import logger
from isoflow.local.api_gateway import API_PREFIX, ApiGateway
from isoflow.local.auth import CognitoAuthorizer, UserPool, create_user_pool, pool_users
from isoflow.local.aws import MOTO_CONFIG, LocalAws
from isoflow.local.executions import ExecutionArchive
from isoflow.local.faults import fail_next
from isoflow.local.journal import Journal
from isoflow.local.lambda_invoke import ProcessEnvironments
from isoflow.local.resources import (
    DATA_BUCKET,
    REGION,
    bootstrap,
    detection_definition,
    local_functions,
    state_machine_arn,
)
from isoflow.local.scheduler import Schedule, Scheduler
from isoflow.local.server import BackgroundServer
from isoflow.local.site import DEFAULT_BUILD, Site
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.timestamps import utc_now

# The CPU-bound functions, which run in worker processes (isoflow.local.lambda_invoke), one per core.
IN_PROCESSES = (SCORE_ACCOUNT_BATCH, REFIT_MODELS)

# The generator seed of the starting data: every fresh local system starts with the same accounts.
SEED = 7


def site_config(user_pool: UserPool | None = None) -> dict[str, object]:
    """The dashboard's /config.json for the local stack (the CDK stack writes the deployed one); with a user
    pool, the dashboard signs in to it."""
    return {
        "apiBaseUrl": API_PREFIX,
        "environment": "local",
        "region": REGION,
        "stateMachineArn": state_machine_arn(),
        **({"auth": user_pool.site_config()} if user_pool else {}),
    }


def http_app(
    functions: MutableMapping[str, FunctionSpec], build: Path = DEFAULT_BUILD, user_pool: UserPool | None = None
) -> Callable:
    """WSGI for the front door: /api/* to the API function, as API Gateway would (with a user pool, behind
    its Cognito authorizer); /local/fail-next to the failure switch (fail_next_app); the rest to the site."""
    api = ApiGateway(local_function_name(API), functions, CognitoAuthorizer(user_pool) if user_pool else None)
    site = Site(site_config(user_pool), build)

    def front(environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == FAIL_NEXT_PATH:
            return fail_next_app(functions, environ, start_response)
        target = api if path == API_PREFIX or path.startswith(f"{API_PREFIX}/") else site
        return target(environ, start_response)

    return front


# Only the local system has it (never API Gateway): `isoflow local fail-next STEP` posts here.
FAIL_NEXT_PATH = "/local/fail-next"


def fail_next_app(functions: MutableMapping[str, FunctionSpec], environ: dict, start_response: Callable) -> list[bytes]:
    """POST {"step": "ScoreAccountBatch"}: that step fails the next time it runs (isoflow.local.faults)."""

    def answer(status: str, body: dict[str, str]) -> list[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    if environ.get("REQUEST_METHOD") != "POST":
        return answer("405 Method Not Allowed", {"message": "POST a step"})
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        step = str(json.loads(environ["wsgi.input"].read(length) or b"{}").get("step", ""))
        fail_next(functions, step)
    except (ValueError, AttributeError) as error:
        return answer("400 Bad Request", {"message": str(error)})
    return answer("202 Accepted", {"step": step, "message": f"{step} fails the next time it runs"})


def is_empty(db: Db) -> bool:
    return not db.client.scan(TableName=db.accounts, Limit=1, Select="COUNT")["Count"]


class LocalStack:
    """Everything `isoflow local` runs, on host:port (HTTP) and host:aws_port (the AWS endpoint).

    `start()` points this process's boto3 at the endpoint (handlers run in-process and read the same
    environment they get in AWS), creates the resources (with `auth`, a user pool with a user in each group
    that the API and dashboard require), seeds generated accounts and their history into empty tables and
    starts the schedules."""

    def __init__(
        self,
        host: str,
        port: int,
        aws_port: int,
        schedule: Schedule,
        seed_accounts: int = 300,
        seed_days: int = 60,
        auth: bool = False,
        alert_webhook: str | None = None,
        data_dir: Path | None = None,
    ) -> None:
        self.alert_webhook = alert_webhook
        # Where its data is kept between runs (isoflow.local.journal); None: nowhere, gone at the stop.
        self.journal = Journal(data_dir) if data_dir else None
        self.archive = ExecutionArchive(data_dir / "executions", state_machine_arn()) if data_dir else None
        self.data = "not kept: it is gone when this stops"
        self.seed_accounts = seed_accounts
        self.seed_days = seed_days
        self.auth = auth
        self.user_pool: UserPool | None = None
        self.processes = ProcessEnvironments(IN_PROCESSES, os.cpu_count() or 1)
        self.aws = LocalAws(host, aws_port, local_functions(FUNCTIONS), self.journal, self.processes, self.archive)
        # The front's app is built in start(): with sign-in it needs the user pool, which needs the endpoint.
        self._front: Callable = http_app(self.aws.functions)
        self.http = BackgroundServer(lambda environ, respond: self._front(environ, respond), host, port)
        self.schedule = schedule
        self.scheduler: Scheduler | None = None

    def start(self) -> Settings:
        self.aws.start()
        os.environ.update(self.aws.environment())
        self.aws.configure(MOTO_CONFIG)
        session = boto3.Session()
        settings = bootstrap(session, detection_definition())
        # Alerts link to the local dashboard.
        settings = replace(settings, dashboard_url=self.http.url)
        os.environ.update(settings.as_environment())
        if self.alert_webhook:
            session.client("secretsmanager").put_secret_value(
                SecretId=settings.alert_webhook_secret, SecretString=self.alert_webhook
            )
        db = Db.from_settings(settings, session.client("dynamodb"))
        if self.auth:
            kept = self.journal.users() if self.journal else {}
            self.user_pool = create_user_pool(session.client("cognito-idp"), self.aws.url, REGION, kept)
            if self.journal:
                self.journal.keep_users(pool_users(session.client("cognito-idp"), self.user_pool))
            self._front = http_app(self.aws.functions, user_pool=self.user_pool)
        if self.journal is not None:
            self.data = f"kept in {self.journal.directory}"
            if self.journal.exists:
                began = time.monotonic()
                restored = self.journal.restore(session.client("s3"), DATA_BUCKET)
                runs = self.archive.load() if self.archive else 0
                self.data = (
                    f"restored from {self.journal.directory}: {restored.items:,} items, {restored.objects:,} "
                    f"stored objects, {runs:,} run {'history' if runs == 1 else 'histories'} "
                    f"({time.monotonic() - began:.1f} s)"
                )
                logger.info("restored", **vars(restored), seconds=round(time.monotonic() - began, 1))
            self.journal.start()
        if is_empty(db) and self.seed_accounts:
            self.data += f"; a new system, seeded with {self.seed_accounts} accounts"
            logger.info("seeding", accounts=self.seed_accounts, days=self.seed_days)
            loaded = load_generated(
                settings,
                accounts=self.seed_accounts,
                days=self.seed_days,
                seed=SEED,
                end=utc_now(),
                workers=os.cpu_count() or 1,
            )
            logger.info(
                "seeded", accounts=loaded.accounts, transactions=loaded.transactions, anomalies=loaded.anomalies
            )
        # The detector's workers load once the data is in (loading beside the restore only slows both down).
        self.processes.start()
        self.http.start()
        if self.archive is not None:
            self.archive.start(self.aws.url)
        # The schedules of the CDK stack: EventBridge rules that invoke these functions. Detection also runs
        # once at start-up, so that the dashboard shows scores within a minute, not after a whole interval.
        detection = local_function_name(START_SCHEDULED_RUN)
        self.scheduler = Scheduler(
            session.client("lambda"),
            {
                local_function_name(GENERATOR): self.schedule.generator_every_s,
                detection: self.schedule.detection_every_s,
            },
            at_start=(detection,),
        )
        self.scheduler.start()
        return settings

    def stop(self) -> None:
        """Stops everything. A step that fails is logged and the rest still run, so that what can be kept is
        kept; then the first failure is raised."""
        steps: list[tuple[str, Callable[[], object]]] = []
        if self.scheduler:
            steps.append(("schedules", self.scheduler.stop))
        steps.append(("http", self.http.stop))
        if self.journal is not None and self.user_pool is not None:
            steps.append(("users", self._keep_users))
        if self.archive is not None:
            steps.append(("run histories", self._keep_runs))
        if self.journal is not None:
            steps.append(("data", self._keep_data))
        steps.append(("aws", self.aws.stop))
        failures: list[Exception] = []
        for name, action in steps:
            try:
                action()
            except Exception as error:
                logger.exception("a step of the stop failed", step=name)
                failures.append(error)
        if failures:
            raise failures[0]

    def _keep_users(self) -> None:
        assert self.journal is not None and self.user_pool is not None
        self.journal.keep_users(pool_users(boto3.client("cognito-idp"), self.user_pool))

    def _keep_runs(self) -> None:
        assert self.archive is not None
        logger.info("run histories kept", archived=self.archive.stop())

    def _keep_data(self) -> None:
        assert self.journal is not None
        saved = self.journal.stop(boto3.client("s3"), DATA_BUCKET)
        logger.info("data kept", directory=str(self.journal.directory), objects=saved)
