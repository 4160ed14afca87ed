"""The message catalogues as files: extracting marked strings from the code and pages, merging them
into each language's messages.po, and compiling those into the .mo files gettext reads.

`caseport translations update` after marking or changing strings; translators then fill the empty
entries of portal/translations/<lang>/LC_MESSAGES/messages.po (tests/i18n fails on any left empty).
"""

from __future__ import annotations

import os
from pathlib import Path

TRANSLATIONS = Path(__file__).parent / "translations"
ROOT = Path(__file__).resolve().parent.parent
METHOD_MAP = [("portal/**.py", "python"), ("notifier/**.py", "python"), ("templates/**.html", "jinja2"),
              ("templates/mail_in/**.txt", "jinja2")]
# The pages' own tags the extractor must know to read them: {% remember %} (portal/fragments.py).
TEMPLATE_OPTIONS = {"extensions": "portal.fragments.RememberExtension"}
OPTIONS_MAP = {"templates/**.html": TEMPLATE_OPTIONS, "templates/mail_in/**.txt": TEMPLATE_OPTIONS}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_ngettext": (1, 2)}


def extract(root: Path = ROOT):
    """A catalogue of every string marked in portal/, notifier/ and templates/ below root."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    catalogue = Catalog(project="Caseport", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), METHOD_MAP, options_map=OPTIONS_MAP, keywords=KEYWORDS, comment_tags=("Translators:",),
        directory_filter=_searched
    ):
        if filename.startswith(("portal/", "notifier/", "templates/")):
            catalogue.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalogue


def _searched(dirpath: str) -> bool:
    # Babel's default skips every directory whose name starts with "_" or ".": templates/_macros holds
    # pages' shared words, so only hidden directories and caches are skipped here.
    name = Path(dirpath).name
    return not name.startswith(".") and name != "__pycache__"


def update_catalogues(root: Path = ROOT, directory: Path = TRANSLATIONS, add: str | None = None) -> dict[str, int]:
    """Merge the marked strings into every language's messages.po (new ones empty, unused ones dropped,
    never a fuzzy guess), first creating an empty one for the language `add`; return how many entries
    each language has left to translate."""
    from babel import Locale
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po, write_po

    template = extract(root)
    if add:
        locale = Locale.parse(add.replace("-", "_"))  # ValueError / UnknownLocaleError for a wrong tag
        target = directory / str(locale) / "LC_MESSAGES" / "messages.po"
        if not target.exists():
            target.parent.mkdir(parents=True)
            with target.open("wb") as new:
                write_po(new, Catalog(locale=locale, project="Caseport", charset="utf-8"))
    left = {}
    for po_path in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as source:
            catalogue = read_po(source, locale=po_path.parent.parent.name)
        catalogue.update(template, no_fuzzy_matching=True)
        catalogue.obsolete.clear()
        with po_path.open("wb") as target:
            write_po(target, catalogue, no_location=True, sort_output=True, ignore_obsolete=True)
        left[po_path.parent.parent.name] = sum(1 for entry in catalogue if entry.id and not _translated(entry))
    return left


def _translated(entry) -> bool:
    strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(strings) and not entry.fuzzy


def compile_catalogues(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every messages.po below directory into its messages.mo, when missing or older; return
    the files written. The build hook and the test session call it; fuzzy entries are left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as source:
            catalogue = read_po(source, locale=po_path.parent.parent.name)
        # Written beside it and renamed: parallel test workers compile at once, and a reader must never see
        # half a file.
        partial = mo_path.with_name(f"{mo_path.name}.{os.getpid()}.tmp")
        with partial.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        os.replace(partial, mo_path)
        written.append(mo_path)
    return written
