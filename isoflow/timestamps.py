"""The one timestamp format Isoflow stores and returns: ISO 8601 UTC to the second, "2026-11-24T15:57:11Z".

Fixed width, so string order is time order in every DynamoDB sort key.
"""

from __future__ import annotations

from datetime import UTC, datetime

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def format_timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("timestamp must carry a timezone")
    return moment.astimezone(UTC).strftime(FORMAT)


def parse_timestamp(text: str) -> datetime:
    """Any ISO 8601 date-time with a timezone ("Z" or an offset), as an aware UTC datetime."""
    moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("timestamp must carry a timezone, e.g. 2026-11-24T15:57:11Z")
    return moment.astimezone(UTC).replace(microsecond=0)


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def now_text() -> str:
    return format_timestamp(utc_now())
