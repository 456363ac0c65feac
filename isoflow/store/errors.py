"""What the data layer reports to its callers; the API maps each to an HTTP status."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: `field` names the input the error is about, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(StoreError):
    """The item named in the request does not exist (404 when it is the path's id)."""


class InvalidReferenceError(StoreError):
    """The request refers to something that does not exist, e.g. a transaction for an unknown account."""


class ConflictError(StoreError):
    """The request conflicts with the current state, e.g. deleting an account that has transactions."""


class RunInProgressError(ConflictError):
    """A run cannot start while another is in progress (or being started): `execution_id` names that one."""

    def __init__(self, execution_id: str) -> None:
        super().__init__(f"run {execution_id} is in progress; start another once it has finished", field="executionId")
        self.execution_id = execution_id


class BusyError(StoreError):
    """Concurrent writes or throttling outlasted the retries; nothing was written and a retry may succeed."""


class RejectedValueError(StoreError):
    """A value the request may not set, e.g. a currency that differs from the account's."""
