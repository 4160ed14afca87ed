"""Public UUIDs from URLs, forms and query strings are checked in one place: canonical text or None,
and junk never reaches the database."""

import uuid

import pytest

from portal.identifiers import by_uuid, parse_uuid
from portal.models.people import User
from tests import factories

KNOWN = "5f0c6a1e-8a0b-4d2c-9a53-3b1f0e7d2c41"


@pytest.mark.parametrize("value", [KNOWN, KNOWN.upper(), "{" + KNOWN + "}", KNOWN.replace("-", ""),
                                   "urn:uuid:" + KNOWN, uuid.UUID(KNOWN)])
def test_every_spelling_of_a_uuid_gives_its_canonical_text(value):
    assert parse_uuid(value) == KNOWN


@pytest.mark.parametrize("value", [None, "", " ", "junk", KNOWN[:-1], KNOWN + "0", KNOWN + "\x00",
                                   "١٢٣٤٥٦٧٨-١٢٣٤-١٢٣٤-١٢٣٤-١٢٣٤٥٦٧٨٩٠١٢", "9" * 10_000, 10**31, b"x" * 16,
                                   ["list"]])
def test_anything_else_is_none(value):
    assert parse_uuid(value) is None


def test_by_uuid_finds_the_row_by_any_spelling(app):
    user = factories.user()
    assert by_uuid(User, user.uuid.upper()) == user
    assert by_uuid(User, uuid.UUID(user.uuid)) == user
    assert by_uuid(User, str(uuid.uuid4())) is None


def test_junk_never_reaches_the_database(app, sql_log):
    with sql_log() as statements:
        assert by_uuid(User, "'; DROP TABLE user; --") is None
        assert by_uuid(User, None) is None
    assert statements == []
