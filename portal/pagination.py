"""Pages of a list: the page number from a query string, and one page of a peewee query.

Every paged list (the case dashboard, the staff lists and search, the outbox, captured mail) uses these,
and templates/_macros/pagination.html draws the links.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_PAGE = 100_000

__all__ = ["MAX_PAGE", "Page", "page_number", "paginate", "paginate_in_one_statement"]


def page_number(value: object, *, maximum: int = MAX_PAGE) -> int:
    """A page number from user input: a whole number written in ASCII digits, at least 1 and at most
    maximum; anything else ("", "abc", "-3", "1.5", other scripts' digits) is page 1. Never raises."""
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > len(str(maximum)):  # no need to read a number this long to know it is too large
        return maximum
    return min(max(1, int(text)), maximum)


@dataclass
class Page:
    """One page of a list: its items, its number (from 1), whether pages come before and after it,
    and, when the list was counted, the total and the number of pages."""

    items: list
    number: int
    size: int
    has_next: bool
    total: int | None = None
    # An uncounted list that proved a lower bound of its length (a keyword search: "more than N found").
    more_than: int | None = None

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def pages(self) -> int | None:
        """How many pages there are (at least 1); None when the list was not counted."""
        return None if self.total is None else max(1, math.ceil(self.total / self.size))

    @property
    def first_index(self) -> int:
        """The position of the first item on this page in the whole list (from 1; 0 when empty)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)

    def window(self, radius: int = 2) -> list[int]:
        """Page numbers to link: the first, the last and a few around this one (counted lists only)."""
        pages = self.pages or self.number
        near = range(max(1, self.number - radius), min(pages, self.number + radius) + 1)
        return sorted({1, pages, *near})


def paginate(query, number: int, size: int, *, counted: bool = True, total: int | None = None) -> Page:
    """Page `number` of query, `size` items a page.

    Counted (two queries: count and rows), a number past the end shows the last page. Not counted (one
    query, for lists too long to count on every view), one item more than a page is read to know
    whether a next page exists, and a number past the end is an empty page.
    """
    number = max(1, number)
    if not counted:
        rows = list(query.limit(size + 1).offset((number - 1) * size))
        return Page(items=rows[:size], number=number, size=size, has_next=len(rows) > size)
    if total is None:  # a caller that counted already (e.g. by category) passes the total
        total = query.count()
    pages = max(1, math.ceil(total / size))
    number = min(number, pages)
    rows = list(query.paginate(number, size)) if total else []
    return Page(items=rows, number=number, size=size, has_next=number < pages, total=total)


def paginate_in_one_statement(query, number: int, size: int, *, key, rows_for=None) -> Page:
    """Like paginate (counted), for lists whose every statement pays a full evaluation (a keyword
    search): one statement reads the page's `key` values (e.g. Case.id) and the total (a window
    count), then rows_for(keys) reads what the page shows by key, in the page's order. Only an empty
    page past page 1 costs more (the count, to show the last page)."""
    import peewee

    number = max(1, number)
    narrow = query.select(key, peewee.fn.COUNT(peewee.SQL("*")).over()).tuples()
    found = list(narrow.paginate(number, size))
    if not found and number > 1:
        total = query.count()
        if not total:
            return Page(items=[], number=1, size=size, has_next=False, total=0)
        number = max(1, math.ceil(total / size))
        found = list(narrow.paginate(number, size))
    total = found[0][1] if found else 0
    keys = [k for k, _ in found]
    items = keys
    if rows_for is not None and keys:
        by_key = {key_of: row for key_of, row in rows_for(keys)}
        items = [by_key[k] for k in keys if k in by_key]
    pages = max(1, math.ceil(total / size))
    return Page(items=items, number=number, size=size, has_next=number < pages, total=total)
