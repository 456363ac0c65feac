"""Settings from environment variables, validated once at cold start.

Every resource name reaches the code through an environment variable; `Settings.from_env(required)` fails
fast with a message naming each missing variable, so a misconfigured function never serves a request.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields

from isoflow.tables import ACCOUNTS, AUDIT, IDEMPOTENCY, RUNS, SCORES, TRANSACTIONS


class MissingSettingError(RuntimeError):
    """Raised at cold start when a required environment variable is absent or empty."""


# setting name -> environment variable
ENVIRONMENT = {
    "accounts_table": ACCOUNTS.env,
    "transactions_table": TRANSACTIONS.env,
    "scores_table": SCORES.env,
    "runs_table": RUNS.env,
    "idempotency_table": IDEMPOTENCY.env,
    "audit_table": AUDIT.env,
    "data_bucket": "DATA_BUCKET",
    "state_machine_arn": "STATE_MACHINE_ARN",
    "alerts_topic_arn": "ALERTS_TOPIC_ARN",
    # Optional: the Secrets Manager secret holding the URL of a webhook for alerts, and the dashboard's URL
    # that alerts link to.
    "alert_webhook_secret": "ALERT_WEBHOOK_SECRET",
    "dashboard_url": "DASHBOARD_URL",
}


@dataclass(frozen=True)
class Settings:
    accounts_table: str = ""
    transactions_table: str = ""
    scores_table: str = ""
    runs_table: str = ""
    idempotency_table: str = ""
    audit_table: str = ""
    data_bucket: str = ""
    state_machine_arn: str = ""
    alerts_topic_arn: str = ""
    alert_webhook_secret: str = ""
    dashboard_url: str = ""

    @classmethod
    def from_env(cls, required: Iterable[str], environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        required = tuple(required)
        unknown = set(required) - set(ENVIRONMENT)
        if unknown:
            raise ValueError(f"unknown settings: {sorted(unknown)}")
        missing = [ENVIRONMENT[name] for name in required if not environ.get(ENVIRONMENT[name])]
        if missing:
            raise MissingSettingError(f"missing environment variable(s): {', '.join(missing)}")
        values = {f.name: environ.get(ENVIRONMENT[f.name], "") for f in fields(cls)}
        return cls(**values)

    def as_environment(self) -> dict[str, str]:
        return {ENVIRONMENT[f.name]: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
