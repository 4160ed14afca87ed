"""Shared arrangements for the case-filing tests: two accounts with contacts and assets, a template
offered to everyone, and small valid and invalid files."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest

from portal.models.assets import Asset
from tests import factories as base_factories
from tests.case_config import factories

# The smallest valid PNG: signature, IHDR, IDAT and IEND chunks (a 1x1 transparent pixel).
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

GOOD = {"title": "Printer jams", "summary": "Every third page jams in tray 2.", "cf_room": "Lobby"}


@dataclass
class World:
    template: object
    harbour: object  # account
    hana: object  # contact of harbour
    printer: object  # active asset of harbour
    old_router: object  # inactive asset of harbour
    inland: object  # another account
    ivo: object  # contact of inland
    inland_asset: object
    loner: object  # a profile without account


@pytest.fixture(name="world")
def world_fixture(app, people) -> World:
    room = factories.case_field(people.admin, key="room", label="Room")
    template = factories.template(people.admin, name="General request", description="Anything else.",
                                  fields=[room])
    harbour = base_factories.account(name="Harbour Hotels", account_number="HH-100")
    inland = base_factories.account(name="Inland Inns", account_number="II-200")
    return World(
        template=template,
        harbour=harbour,
        hana=base_factories.customer(first_name="Hana", last_name="Harbour", account=harbour),
        printer=Asset.create(account=harbour, name="Lobby printer", identifier="PR-1"),
        old_router=Asset.create(account=harbour, name="Old router", identifier="RT-0", active=False),
        inland=inland,
        ivo=base_factories.customer(first_name="Ivo", last_name="Inland", account=inland),
        inland_asset=Asset.create(account=inland, name="Inland kiosk", identifier="KI-1"),
        loner=base_factories.customer(first_name="Lone", last_name="Walker"),
    )


def form_url(template, **target) -> str:
    query = "&".join(f"{key}={value}" for key, value in target.items())
    return f"/cases/new/{template.uuid}" + (f"?{query}" if query else "")


def upload(content: bytes, name: str):
    """A file part for the test client's multipart POST."""
    return (io.BytesIO(content), name)
