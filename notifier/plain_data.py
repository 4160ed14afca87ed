"""Message context must be plain JSON data: templates then can reach no objects, methods or the
database, and the context survives the round trip through the outbox unchanged."""

from __future__ import annotations

import json
from datetime import date, datetime

MAX_CONTEXT_BYTES = 64 * 1024
MAX_DEPTH = 8


def plain_context(context: object) -> dict:
    """A copy of `context` with datetimes and dates as ISO strings; ValueError for anything else."""
    if not isinstance(context, dict):
        raise ValueError(f"context must be a dict, not {type(context).__name__}")
    cleaned = _plain(context, "context", 0)
    size = len(json.dumps(cleaned, separators=(",", ":")).encode())
    if size > MAX_CONTEXT_BYTES:
        raise ValueError(f"context is {size} bytes; the limit is {MAX_CONTEXT_BYTES}")
    return cleaned


def _plain(value: object, path: str, depth: int) -> object:
    if depth > MAX_DEPTH:
        raise ValueError(f"{path}: nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{path}: NaN and infinity are not JSON")
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: keys must be strings, got {type(key).__name__}")
            result[key] = _plain(item, f"{path}.{key}", depth + 1)
        return result
    if isinstance(value, list | tuple):
        return [_plain(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]
    raise ValueError(
        f"{path}: {type(value).__name__} is not plain data; pass dicts, lists, strings, numbers, "
        "booleans, None or datetimes"
    )
