"""moto's DynamoDB, fast enough to hold a seeded system, for the requests the local endpoint serves.

moto is written to be right for a test's handful of items; a local system holds tens of thousands of
transactions, and several of moto's operations cost time in proportion to the whole table or to the square of
an item's attributes. Each module replaces one such operation with one of the same behaviour:
`transactions` (TransactWriteItems), `queries` (Query), `items` (building an item) and `wire` (reading
requests and writing responses).

The replacements apply only while the local endpoint serves a request (`serving_requests` wraps its app):
`install` puts a dispatcher in place of each of moto's methods that runs the replacement inside such a
request and moto's own method anywhere else, so moto in-process (`mock_aws`) in the same process is moto.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from isoflow.local.dynamodb import items, queries, transactions, wire

_serving: ContextVar[bool] = ContextVar("isoflow_local_dynamodb_serving", default=False)


@contextmanager
def serving() -> Iterator[None]:
    """Within this block (this thread or task), moto's DynamoDB runs the replacements."""
    token = _serving.set(True)
    try:
        yield
    finally:
        _serving.reset(token)


def serving_requests(app: Callable) -> Callable:
    """WSGI in front of moto: each request it serves runs the replacements."""

    def served(environ: dict, start_response: Callable) -> Iterable[bytes]:
        with serving():
            return app(environ, start_response)

    return served


def _dispatcher(replacement: Callable, moto: Callable) -> Callable:
    @functools.wraps(moto)
    def dispatch(*args: Any, **kwargs: Any) -> Any:
        return (replacement if _serving.get() else moto)(*args, **kwargs)

    dispatch.replaces_moto = True  # type: ignore[attr-defined]
    return dispatch


def install() -> None:
    """Put the dispatchers in place of moto's methods (idempotent)."""
    for module in (items, queries, transactions, wire):
        for owner, name, replacement in module.REPLACEMENTS:
            current = getattr(owner, name)
            if not getattr(current, "replaces_moto", False):
                setattr(owner, name, _dispatcher(replacement, current))
