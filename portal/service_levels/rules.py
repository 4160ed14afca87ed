"""What admins type, read and written back: working hours ("08:00-12:00, 13:00-17:00"), durations ("16" hours or
"1:30"), closed days ("2026-12-24 Christmas Eve", one a line). Pure; errors carry a translatable message."""

from __future__ import annotations

import re
from datetime import date

from portal.i18n import _l

MAX_INTERVALS_PER_DAY = 6
MAX_CLOSED_DAYS = 400
MAX_DURATION_HOURS = 10_000
_TIME = r"(\d{1,2}):([0-5]\d)"
_INTERVAL = re.compile(rf"^\s*{_TIME}\s*[-–]\s*{_TIME}\s*$")
_DURATION = re.compile(r"^\s*(\d{1,6})(?::([0-5]\d))?\s*$")
_CLOSED_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:\s+(.*))?$")


# No parameter is called "num": portal.i18n.LazyText takes num= as a plural count, not as a parameter.


class RuleError(ValueError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _minute(hours: str, minutes: str) -> int | None:
    value = int(hours) * 60 + int(minutes)
    return value if value <= 24 * 60 else None


def parse_hours(text: str) -> tuple[tuple[int, int], ...]:
    """Working intervals of one weekday, ordered; empty text: no work that day. 24:00 may end an interval."""
    text = (text or "").strip()
    if not text:
        return ()
    intervals = []
    for part in text.split(","):
        match = _INTERVAL.match(part)
        start = _minute(*match.groups()[:2]) if match else None
        end = _minute(*match.groups()[2:]) if match else None
        if start is None or end is None:
            raise RuleError(_l("Use times like 08:00-12:00, several separated by commas."))
        if end <= start:
            raise RuleError(_l("%(interval)s ends before it starts. Split a night shift at midnight.",
                               interval=part.strip()))
        intervals.append((start, end))
    if len(intervals) > MAX_INTERVALS_PER_DAY:
        raise RuleError(_l("Use at most %(count)d intervals a day.", count=MAX_INTERVALS_PER_DAY))
    intervals.sort()
    for (_, end), (start, _) in zip(intervals, intervals[1:]):
        if start < end:
            raise RuleError(_l("The intervals overlap."))
    return tuple(intervals)


def format_hours(intervals) -> str:
    return ", ".join(f"{format_minute(start)}-{format_minute(end)}" for start, end in intervals)


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_duration(text: str) -> int | None:
    """Minutes from "16" (hours) or "1:30" (hours:minutes); None for an empty text. Zero is refused."""
    text = (text or "").strip()
    if not text:
        return None
    match = _DURATION.match(text)
    if not match:
        raise RuleError(_l("Enter hours, like 16, or hours and minutes, like 1:30."))
    minutes = int(match.group(1)) * 60 + int(match.group(2) or 0)
    if minutes <= 0:
        raise RuleError(_l("Enter a duration longer than zero."))
    if minutes > MAX_DURATION_HOURS * 60:
        raise RuleError(_l("Enter at most %(hours)d hours.", hours=MAX_DURATION_HOURS))
    return minutes


def format_duration(minutes: int | None) -> str:
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    return f"{hours}:{rest:02d}" if rest else str(hours)


def parse_closed_days(text: str) -> list[tuple[date, str]]:
    """(date, label) per non-empty line "YYYY-MM-DD label", ordered by date; a date may appear once."""
    days: dict[date, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _CLOSED_DAY.match(line)
        try:
            day = date.fromisoformat(match.group(1)) if match else None
        except ValueError:
            day = None
        if day is None:
            raise RuleError(_l("Line %(line)d: start with a date like 2026-12-24, then a name.", line=number))
        label = " ".join((match.group(2) or "").split())
        if len(label) > 120:
            raise RuleError(_l("Line %(line)d: use at most %(limit)d characters for the name.", line=number, limit=120))
        if day in days:
            raise RuleError(_l("Line %(line)d: %(day)s is listed twice.", line=number, day=day.isoformat()))
        days[day] = label
    if len(days) > MAX_CLOSED_DAYS:
        raise RuleError(_l("List at most %(count)d closed days.", count=MAX_CLOSED_DAYS))
    return sorted(days.items())


def format_closed_days(days) -> str:
    return "\n".join(f"{day.isoformat()} {label}".rstrip() for day, label in days)
