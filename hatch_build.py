"""Compile the message catalogues (portal/translations/*/LC_MESSAGES/messages.po) into the .mo files
gettext reads, for every build: the .mo files are not in git, and the wheel must ship them."""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CompileCatalogues(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version, build_data):
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        root = Path(self.root) / "portal" / "translations"
        for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
            with po_path.open("rb") as source:
                catalogue = read_po(source, locale=po_path.parent.parent.name)
            mo_path = po_path.with_suffix(".mo")
            with mo_path.open("wb") as target:
                write_mo(target, catalogue, use_fuzzy=False)
            if version != "editable":  # an editable install reads them where they were written
                build_data["force_include"][str(mo_path)] = mo_path.relative_to(self.root).as_posix()
