"""The shipped catalogues are complete: every string the code and the pages mark for translation
is translated in every shipped language, none fuzzy, and no two placeholders disagree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.catalogues import TRANSLATIONS, extract
from portal.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _marked() -> dict[str, set[str]]:
    """Every msgid marked in the code and templates, with the files it comes from."""
    found: dict[str, set[str]] = {}
    for entry in extract(ROOT):
        if entry.id:
            msgid = entry.id[0] if isinstance(entry.id, tuple) else entry.id
            found[msgid] = {filename for filename, _line in entry.locations}
    return found


MARKED = _marked()
SHIPPED = [tag for tag in LANGUAGES if tag != "en"]


def _catalogue(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return read_po(source, locale=language)


def test_the_code_marks_strings_for_translation():
    assert len(MARKED) > 1


@pytest.mark.parametrize("language", SHIPPED)
def test_every_marked_string_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)
    missing, fuzzy, empty = [], [], []
    for msgid, files in sorted(MARKED.items()):
        entry = catalogue.get(msgid)
        if entry is None:
            missing.append(f"{msgid!r} ({', '.join(sorted(files))})")
        elif entry.fuzzy:
            fuzzy.append(msgid)
        elif not (entry.string if isinstance(entry.string, str) else all(entry.string)):
            empty.append(msgid)
    assert not missing, f"{len(missing)} not in the {language} catalogue:\n" + "\n".join(missing[:40])
    assert not fuzzy, f"fuzzy in {language}: {fuzzy[:40]}"
    assert not empty, f"{len(empty)} untranslated in {language}: {empty[:40]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for entry in _catalogue(language):
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if string and set(PLACEHOLDER.findall(string)) != wanted:
                wrong.append((ids[0], string))
    assert not wrong, f"placeholders differ in {language}: {wrong[:20]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_the_catalogue_holds_nothing_the_code_no_longer_marks(language):
    stale = [entry.id for entry in _catalogue(language)
             if entry.id and (entry.id[0] if isinstance(entry.id, tuple) else entry.id) not in MARKED]
    assert not stale, f"{len(stale)} entries in {language} no longer used: {stale[:20]}"
