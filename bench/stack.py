"""The local stack for the benchmarks: the local AWS endpoint and the HTTP front on free ports.

As `make run` starts them (`isoflow.local`), minus the schedules and the demo data: this process's boto3 is
pointed at the endpoint, so the handlers run in-process exactly as they do there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3

from isoflow.functions import FUNCTIONS, FunctionSpec
from isoflow.local.aws import MOTO_CONFIG, MOTO_DEFAULTS, LocalAws
from isoflow.local.resources import LOCAL_TUNING, REGION, bootstrap, detection_definition, local_functions
from isoflow.local.server import BackgroundServer
from isoflow.local.stack import http_app
from isoflow.settings import Settings
from isoflow.store.db import Db
from isoflow.workflow import Tuning


@dataclass
class LocalEnvironment:
    aws: LocalAws
    http: BackgroundServer
    session: boto3.Session  # for the benchmark's own calls (seeding, waiting), apart from what is counted

    def fresh(self, tuning: Tuning = LOCAL_TUNING) -> Settings:
        """Empty backends with every resource created; this process's environment names them."""
        self.aws.functions.clear()
        self.aws.functions.update(local_functions(FUNCTIONS))
        self.aws.reset()
        self.aws.configure(MOTO_CONFIG)
        settings = bootstrap(self.session, detection_definition(tuning))
        os.environ.update(settings.as_environment())
        return settings

    def db(self, settings: Settings) -> Db:
        return Db.from_settings(settings, self.session.client("dynamodb"))

    def replace_function(self, name: str, spec: FunctionSpec) -> None:
        self.aws.functions[name] = spec


@contextmanager
def local_environment() -> Iterator[LocalEnvironment]:
    aws = LocalAws("127.0.0.1", 0, local_functions(FUNCTIONS))
    aws.start()
    saved = dict(os.environ)
    os.environ.update(aws.environment())
    http = BackgroundServer(http_app(aws.functions), "127.0.0.1", 0)
    http.start()
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    try:
        yield LocalEnvironment(aws, http, session)
    finally:
        aws.configure(MOTO_DEFAULTS)
        http.stop()
        aws.stop()
        os.environ.clear()
        os.environ.update(saved)
