"""What the API talks to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from isoflow.detection.files import ModelFiles
from isoflow.runs import Runs
from isoflow.store.db import Db


@dataclass
class Services:
    """What the API talks to; tests build it over moto, the Lambda over the real endpoints."""

    db: Db
    idempotency_table: str
    health_checks: dict[str, Callable[[], None]] = field(default_factory=dict)
    # Detection runs: without a state machine (a bare data API) the /api/executions routes are absent.
    runs: Runs | None = None
    # The models detection keeps in the data bucket (the Model page reads which are current); None without one.
    population_files: ModelFiles | None = None
    verdict_files: ModelFiles | None = None
