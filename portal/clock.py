"""The one place that reads the clock. Tests pass now= to services or monkeypatch utcnow."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
