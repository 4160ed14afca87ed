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


def paginate_in_one_statement(query, number: int, size: int) -> Page:
    """Like paginate (counted), but the page and the total come from one statement (a window count
    beside each row), for lists whose every statement pays for a full evaluation, like a keyword
    search. Only an empty page past page 1 costs a second statement (the count, to show the last page)."""
    import peewee

    number = max(1, number)
    rows = list(query.select_extend(peewee.fn.COUNT(peewee.SQL("*")).over().alias("full_count"))
                .paginate(number, size))
    if rows:
        total = rows[0].full_count
    elif number == 1:
        total = 0
    else:
        return paginate(query, number, size)
    pages = max(1, math.ceil(total / size))
    return Page(items=rows, number=number, size=size, has_next=number < pages, total=total)
