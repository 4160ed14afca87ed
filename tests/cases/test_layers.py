"""The customer side (portal.cases) never imports the staff side (portal.staff): the staff workspace
builds on the case services and pages, not the other way round. Read from the source, so an import
inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import portal.cases

CASES = Path(portal.cases.__file__).parent


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file; `from a import b` counts as a and a.b."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def test_nothing_in_portal_cases_imports_portal_staff():
    modules = sorted(CASES.rglob("*.py"))
    assert len(modules) > 5  # the walk found the package
    offending = [f"{path.relative_to(CASES.parent.parent)}:{line} imports {name}"
                 for path in modules for line, name in imported_modules(path)
                 if name == "portal.staff" or name.startswith("portal.staff.")]
    assert offending == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text("def f():\n    from portal import staff\n    import portal.staff.queries\n")
    assert (2, "portal.staff") in imported_modules(source)
    assert (3, "portal.staff.queries") in imported_modules(source)
