"""FindStaleAccounts: the stale accounts, in batches, with the version of each as it was read and the time its
unscored transactions begin."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from itertools import islice
from typing import Any

from isoflow.detection.files import RunFiles
from isoflow.observability import logger
from isoflow.store.accounts import StaleAccount, stale_accounts
from isoflow.store.db import Db
from isoflow.timestamps import format_timestamp, parse_timestamp
from isoflow.workflow import Keys


def batches_of(
    accounts: Iterable[StaleAccount],
    execution_id: str,
    size: int,
    clear_if_written_before: str | None = None,
    population: dict[str, str] | None = None,
    verdict_model: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The Map's items: each names its run and its index, so a batch's result can be stored on its own, and the
    models every batch of the run scores with."""
    iterator = iter(accounts)
    batches: list[dict[str, Any]] = []
    while chunk := list(islice(iterator, size)):
        batches.append(
            {
                Keys.EXECUTION_ID: execution_id,
                Keys.BATCH: len(batches),
                Keys.ACCOUNTS: [
                    {Keys.ACCOUNT_ID: a.account_id, Keys.VERSION: a.version, Keys.UNSCORED_FROM: a.unscored_from}
                    for a in chunk
                ],
                Keys.CLEAR_IF_WRITTEN_BEFORE: clear_if_written_before,
                Keys.POPULATION: population,
                Keys.VERDICT_MODEL: verdict_model,
            }
        )
    return batches


def find_stale_accounts(
    db: Db,
    files: RunFiles,
    *,
    execution_id: str,
    started_at: str,
    batch_size: int,
    index_lag_s: int = 0,
    population: dict[str, str] | None = None,
    verdict_model: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Writes the manifest of batches to S3 and answers a few counts and where the manifest is."""
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    if index_lag_s < 0:
        raise ValueError(f"index lag must not be negative, got {index_lag_s}")
    # Whole seconds, compared strictly: an account stored as written in this second or later stays stale.
    settled = format_timestamp(parse_timestamp(started_at) - timedelta(seconds=index_lag_s)) if index_lag_s else None
    # Sorted, so that the batches of a run over the same accounts are the same (reruns read alike).
    accounts = sorted(stale_accounts(db))
    batches = batches_of(accounts, execution_id, batch_size, settled, population, verdict_model)
    output: dict[str, Any] = {
        Keys.EXECUTION_ID: execution_id,
        Keys.STARTED_AT: started_at,
        Keys.ACCOUNTS: len(accounts),
        Keys.BATCHES: len(batches),
        Keys.POPULATION: population,
        Keys.VERDICT_MODEL: verdict_model,
        Keys.MANIFEST: None,
        Keys.ERROR: None,
    }
    if batches:
        output[Keys.MANIFEST] = files.write_manifest(execution_id, batches)
    logger.info(
        "stale accounts found", extra={"executionId": execution_id, "accounts": len(accounts), "batches": len(batches)}
    )
    return output
