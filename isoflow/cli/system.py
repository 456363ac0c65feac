"""The system a command writes into: the tables the functions' variables name, the local stack's by default."""

from __future__ import annotations

import logging
import os

import boto3

from isoflow.local.resources import DATA_BUCKET, REGION
from isoflow.settings import ENVIRONMENT, Settings
from isoflow.store.db import Db, dynamodb_client
from isoflow.tables import ACCOUNTS, AUDIT, SCORES, TRANSACTIONS, local_table_name

LOCAL_ENDPOINT = "http://127.0.0.1:4566"  # the local stack's AWS endpoint (`make run`)


def system_settings() -> Settings:
    """The tables and data bucket named by the functions' variables, defaulting to the local stack's.

    A local endpoint accepts any credentials and region; without any configured, the local stack's are used
    (set in this process's environment, which worker processes inherit).
    """
    session = boto3.Session()
    if os.environ.get("AWS_ENDPOINT_URL"):
        if session.get_credentials() is None:
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        if session.region_name is None:
            os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    defaults = {spec.env: local_table_name(spec) for spec in (ACCOUNTS, TRANSACTIONS, SCORES, AUDIT)}
    defaults[ENVIRONMENT["data_bucket"]] = DATA_BUCKET
    return Settings.from_env((), {**defaults, **os.environ})


def system_db() -> Db:
    """The tables the environment names, or the local stack's."""
    # The service's JSON log lines are for CloudWatch; in a terminal the command's own output says it all.
    logging.getLogger("isoflow").setLevel(logging.WARNING)
    if TRANSACTIONS.env not in os.environ:
        os.environ.setdefault("AWS_ENDPOINT_URL", LOCAL_ENDPOINT)
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
    return Db.from_settings(system_settings(), dynamodb_client())
