"""Per-token rate limits: at most API_RATE_LIMIT requests a minute, of which at most
API_WRITE_RATE_LIMIT may change something (any method but GET, HEAD and OPTIONS).

The count lives in the database (ApiRateWindow, one row per token), so the limit holds across every
web worker and machine. A request costs exactly one statement, an upsert that raises the count only
while it is under the limit (or starts the next minute), and returns the new count; when it returns
nothing the limit is reached and nothing was written. Two requests racing each other are serialised
by the row, so a burst can never get more than the limit through. Fixed windows allow up to twice
the limit across a minute boundary; for protecting the service that is good enough, and it keeps
the cost at one small write.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from portal.db import database
from portal.settings import setting

WINDOW_SECONDS = 60
READS = frozenset({"GET", "HEAD", "OPTIONS"})

_UPSERT = """
INSERT INTO "api_rate_window" ("token_id", "minute", "requests", "writes") VALUES ({p}, {p}, 1, {p})
ON CONFLICT ("token_id") DO UPDATE SET
  "requests" = CASE WHEN excluded."minute" > "api_rate_window"."minute" THEN 1
                    ELSE "api_rate_window"."requests" + 1 END,
  "writes" = CASE WHEN excluded."minute" > "api_rate_window"."minute" THEN excluded."writes"
                  ELSE "api_rate_window"."writes" + excluded."writes" END,
  "minute" = CASE WHEN excluded."minute" > "api_rate_window"."minute" THEN excluded."minute"
                  ELSE "api_rate_window"."minute" END
WHERE excluded."minute" > "api_rate_window"."minute"
   OR ("api_rate_window"."requests" < {p} AND "api_rate_window"."writes" + excluded."writes" <= {p})
RETURNING "requests", "writes"
"""


@dataclass(frozen=True)
class Usage:
    """What a request may tell its client: the limit that binds it, how many remain, and when the
    window ends (seconds from now)."""

    limit: int
    remaining: int
    reset: int
    allowed: bool

    def headers(self) -> dict[str, str]:
        headers = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                   "RateLimit-Reset": str(self.reset)}
        if not self.allowed:
            headers["Retry-After"] = str(self.reset)
        return headers


def count_request(token_id: int, method: str, now: datetime) -> Usage:
    """Count one request of the token; allowed=False (and nothing counted) when its limit is reached.
    A clock a little behind another worker's counts into the newer minute rather than resetting it."""
    limit, write_limit = setting("API_RATE_LIMIT"), setting("API_WRITE_RATE_LIMIT")
    is_write = method.upper() not in READS
    seconds = now.timestamp()
    minute = int(seconds // WINDOW_SECONDS)
    reset = max(1, math.ceil((minute + 1) * WINDOW_SECONDS - seconds))
    sql = _UPSERT.format(p=database.param)
    row = database.execute_sql(sql, (token_id, minute, int(is_write), limit, write_limit)).fetchone()
    if row is None:
        binding = write_limit if is_write else limit
        return Usage(limit=binding, remaining=0, reset=reset, allowed=False)
    requests, writes = row
    if is_write and write_limit - writes < limit - requests:
        return Usage(limit=write_limit, remaining=write_limit - writes, reset=reset, allowed=True)
    return Usage(limit=limit, remaining=max(0, limit - requests), reset=reset, allowed=True)
