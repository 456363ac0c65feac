"""Query parameters that several routes take."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

page_limit = Annotated[int, Query(ge=1, le=200, description="items per page")]
Cursor = Annotated[
    str | None,
    Query(max_length=4096, pattern=r"^[A-Za-z0-9_-]+$", description="the nextCursor of the previous page"),
]
