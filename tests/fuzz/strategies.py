"""Hypothesis strategies for the values people (and attackers) type: numbers, dates, UUIDs, case
references, search text and file names, each mixing the valid, the unusual-but-valid-looking and
the plainly wrong."""

from __future__ import annotations

import os
import string
import uuid

from hypothesis import strategies as st


def examples(count: int) -> int:
    """How many examples a fuzz test tries: count, times FUZZ_SCALE when hunting (see conftest.py)."""
    return count * int(os.environ.get("FUZZ_SCALE", "1"))


# Digits of other scripts: str.isdigit() and int() accept some of them, regular expressions' \d all.
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Any character a form can carry: not lone surrogates (no UTF-8 for them), not NUL (the request gate
# refuses it before any view, which tests/test_route_guards.py checks once).
CHARACTERS = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


def _text(**kwargs) -> st.SearchStrategy[str]:
    return st.text(CHARACTERS, **kwargs)


def _other_digits(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text.translate(ARABIC_INDIC), text.translate(DEVANAGARI), text.translate(FULLWIDTH)])


def _edges_first(edges: list[str], *generated: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Half the time one of the known edge cases, half the time a generated value: the edges are
    where parsers break, and the generated values find the edges nobody listed."""
    return st.one_of(st.sampled_from(edges), st.one_of(*generated))


EDGE_NUMBERS = ["1e309", "-1e309", "1E+2", "NaN", "sNaN", "-Infinity", "0x1F", "1_000", " 12 ", "+5", "-0", "00012",
                "²", "½", "Ⅻ", "١٢", "１２", "1.", ".5", "1,5", "1 000", "9" * 4301, "-" * 3, str(2**63),
                str(-(2**63) - 1), str(2**64), "99999999999999.9999999", "1e-7", "0.0000001", "-99999999999999.999999"]


def numbers() -> st.SearchStrategy[str]:
    """Whole and decimal numbers as typed: huge, negative, exponents, floats, other scripts' digits."""
    return _edges_first(
        EDGE_NUMBERS,
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
        st.integers(min_value=0, max_value=10**9).map(str).flatmap(_other_digits),
    )


EDGE_DATES = ["2026-02-30", "0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-29", "0001-01-01T00:00",
              "9999-12-31T23:59", "2026-03-29T02:30", "2026-01-01T24:00", "2026-01-01T00:00:00+14:00",
              "2026-01-01T00:00Z", "T", "2026-W05-1", "20260101", "-2026-01-01", "+2026-01-01",
              "٢٠٢٦-٠١-٠١", "1969-12-31T23:59", "1900-01-01T00:00"]


def dates() -> st.SearchStrategy[str]:
    """Dates and date-times as a date input or a person sends them: impossible days, year 0, year
    9999 and 10000, time parts and zones, other scripts' digits."""
    ymd = st.tuples(st.integers(0, 12000), st.integers(0, 13), st.integers(0, 32)).map(
        lambda p: f"{p[0]:04d}-{p[1]:02d}-{p[2]:02d}")
    return _edges_first(
        EDGE_DATES,
        st.dates().map(lambda d: d.isoformat()),
        ymd,
        st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
        st.tuples(ymd, st.integers(0, 25), st.integers(0, 61)).map(lambda p: f"{p[0]}T{p[1]:02d}:{p[2]:02d}"),
        st.dates().map(lambda d: d.isoformat()).flatmap(_other_digits),
    )


def uuids() -> st.SearchStrategy[str]:
    """UUIDs: real-looking but unknown, upper case, braces, URN, no hyphens, malformed."""
    real = st.uuids().map(str)
    return st.one_of(
        real,
        real.map(str.upper),
        real.map(lambda u: "{" + u + "}"),
        real.map(lambda u: "urn:uuid:" + u),
        real.map(lambda u: u.replace("-", "")),
        real.map(lambda u: u[:-1] + "g"),
        real.map(lambda u: " " + u + " "),
        st.sampled_from([str(uuid.UUID(int=0)), "not-a-uuid", "", "-", "0" * 36, "x" * 500]),
        _text(max_size=60),
    )


def references(real: str | None = None) -> st.SearchStrategy[str]:
    """Case references: 8 and 9 digits, leading zeros, other scripts' digits, near misses of a real one."""
    options = [
        st.integers(0, 10**8 - 1).map(lambda n: f"{n:08d}"),
        st.integers(10**8, 10**9 - 1).map(str),
        st.integers(0, 10**6).map(lambda n: f"000{n}"),
        st.integers(0, 10**8 - 1).map(lambda n: f"{n:08d}").flatmap(_other_digits),
        st.sampled_from(["", "0", "-1", "1e8", "12345678 ", "１２３４５６７８", "9" * 400, "12345678/../x"]),
        _text(max_size=20),
    ]
    if real:
        options.append(st.sampled_from([real + "0", real[:-1], "0" + real, real.translate(ARABIC_INDIC), real + " ",
                                        real.translate(FULLWIDTH)]))
    return st.one_of(*options)


FTS_SYNTAX = ['"', "*", "NEAR(", "NEAR(a b, 2)", ")", "(", "-", "OR", "AND", "NOT", "^", ":", "+", "'", "\\", "{",
              "}", "&", "|", "!", "<->", ":*", "%", "_", "col:", "a*b", "**"]


def search_text() -> st.SearchStrategy[str]:
    """What people type in a search box, operators of FTS5 and tsquery included."""
    word = st.one_of(st.sampled_from(FTS_SYNTAX), st.text(string.ascii_letters + string.digits, min_size=1, max_size=8),
                     _text(min_size=1, max_size=6))
    return st.one_of(st.lists(word, max_size=8).map(" ".join), st.lists(word, max_size=8).map("".join),
                     _text(max_size=200))


def file_names() -> st.SearchStrategy[str]:
    """Upload file names: paths, dots, control and non-ASCII characters, very long."""
    return st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=80),  # NUL too: names skip the gate
        st.sampled_from(["../../etc/passwd", "..", ".", "", " ", "a" * 1000 + ".png", "photo.PNG", "x.png.exe",
                         "C:\\evil\\x.png", "ż" * 300 + ".png", "\u202egnp.exe", "con.png", "a\nb.png", "a\x00.png",
                         "%2e%2e%2f.png", ".htaccess"]),
        st.tuples(_text(max_size=40), st.sampled_from([".png", ".jpg", ".pdf", ".txt", ""])).map("".join),
    )


def text() -> st.SearchStrategy[str]:
    return st.one_of(_text(max_size=300), st.sampled_from(["<script>alert(1)</script>", "' OR '1'='1", "{{ 7*7 }}",
                                                             "ż" * 3000, "x" * 20_000, " ", "\r\n"]))


def anything() -> st.SearchStrategy[str]:
    return st.one_of(numbers(), dates(), uuids(), text())
