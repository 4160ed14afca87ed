"""The house rules for imports, read from the source (AST) of portal/ and notifier/.

Every import counts, at module level or inside a function: a function-level import hides a circle from
Python's loader, not from a reader, and a service that imports Flask inside a function still needs an
application to run. The rules:

- no import circle among portal/ and notifier/ modules;
- the customer side (portal.cases...) never imports the staff side (portal.staff...); both may use
  shared case services;
- notifier/ imports neither portal nor Flask (it is a generic engine);
- models (portal.models) and services, queries and rules (modules named service.py, queries.py,
  rules.py or *_service.py ..., or inside such packages) reach no Flask: neither flask, flask_login,
  flask_wtf, flask_babel nor, through any chain of imports, a portal module that imports them (portal.settings-style
  shims).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "notifier")
FLASK = frozenset({"flask", "flask_login", "flask_wtf", "flask_babel"})
LAYERS = ("service", "queries", "rules")  # the modules that must run without an application

# Exact (importer, imported) pairs allowed to break a rule: empty since the house reshaping, and it should stay
# so. A pair here that no longer occurs fails test_known_violations_still_occur, so stale entries get removed.
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()


# --- reading the import graph --------------------------------------------------------------------


def modules(root: Path) -> dict[str, Path]:
    """Every module of the packages under `root`, by dotted name (a package by its __init__.py)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _owner(name: str, known: dict[str, Path]) -> str:
    """The module an imported name lives in: the longest prefix that is one of ours, else the name itself."""
    candidate = name
    while candidate:
        if candidate in known:
            return candidate
        candidate = candidate.rpartition(".")[0]
    return name


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules `name` imports anywhere in its source (ours by module, others by their dotted name)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(_owner(alias.name, known) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                # `from portal import policy` imports the module portal.policy; `from portal.x import f`, portal.x.
                full = f"{base}.{alias.name}"
                found.add(full if full in known else _owner(base, known))
    found.discard(name)
    return found


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known) for name, path in known.items()}


@cache
def graph() -> dict[str, set[str]]:
    return import_graph(ROOT)


# --- the rules: each returns the (importer, imported) pairs that break it -------------------------


def _under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _is_flask(name: str) -> bool:
    return name.split(".")[0] in FLASK


def _is_layer(name: str) -> bool:
    """A service, queries or rules module: by its own name (service.py, template_service.py ...) or its package's."""
    *packages, last = name.split(".")
    return any(part in LAYERS for part in packages) or any(last == layer or last.endswith("_" + layer)
                                                         for layer in LAYERS)


def import_cycles(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    """The imports that lie on a circle: edges inside a strongly connected component (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    component_of: dict[str, int] = {}
    sizes: list[int] = []
    for start in imports:
        if start in index:
            continue
        work = [(start, iter(sorted(imports[start] & imports.keys())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports[child] & imports.keys()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component_of[member] = len(sizes)
                    members.append(member)
                    if member == node:
                        break
                sizes.append(len(members))
    return {
        (importer, imported)
        for importer, targets in imports.items()
        for imported in targets
        if imported in component_of
        and component_of[imported] == component_of[importer]
        and sizes[component_of[importer]] > 1
    }


def customer_side_imports_staff_side(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (importer, imported)
        for importer, targets in imports.items()
        if _under(importer, "portal.cases")
        for imported in targets
        if _under(imported, "portal.staff")
    }


def notifier_imports_portal_or_flask(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (importer, imported)
        for importer, targets in imports.items()
        if _under(importer, "notifier")
        for imported in targets
        if _under(imported, "portal") or _is_flask(imported)
    }


def _reaching_flask(imports: dict[str, set[str]], chosen) -> set[tuple[str, str]]:
    """(module, X) for each chosen module that imports Flask itself (X is the Flask module), or reaches,
    through any chain of imports, one of ours that does (X is that module: the shim)."""
    shims = {name for name, targets in imports.items() if any(_is_flask(t) for t in targets)}
    found = set()
    for name in imports:
        if not chosen(name):
            continue
        found.update((name, target) for target in imports[name] if _is_flask(target))
        seen, todo = set(), [t for t in imports[name] if t in imports]
        while todo:
            current = todo.pop()
            if current in seen or current == name:
                continue
            seen.add(current)
            todo.extend(t for t in imports[current] if t in imports)
        found.update((name, shim) for shim in seen & shims)
    return found


def models_reach_flask(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    return _reaching_flask(imports, lambda name: _under(name, "portal.models"))


def services_reach_flask(imports: dict[str, set[str]]) -> set[tuple[str, str]]:
    return _reaching_flask(imports, _is_layer)


RULES = {
    "import circle": import_cycles,
    "the customer side imports the staff side": customer_side_imports_staff_side,
    "notifier imports portal or Flask": notifier_imports_portal_or_flask,
    "a model reaches Flask": models_reach_flask,
    "a service, queries or rules module reaches Flask": services_reach_flask,
}


def _chain(imports: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A shortest chain of imports from `start` to `goal` (breadth first), or None."""
    previous = {start: ""}
    todo = [start]
    while todo:
        current = todo.pop(0)
        for target in sorted(imports.get(current, ())):
            if target in previous:
                continue
            previous[target] = current
            if target == goal:
                path = [goal]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return path[::-1]
            todo.append(target)
    return None


def _listing(pairs, imports: dict[str, set[str]] | None = None) -> str:
    """The pairs as lines to paste into KNOWN_VIOLATIONS, each with the chain that explains it:
    round the circle back to the importer, or on to the Flask module it reaches."""
    lines = []
    for importer, imported in sorted(pairs):
        line = f"    ({importer!r}, {imported!r}),"
        if imports is not None:
            back = _chain(imports, imported, importer)
            via = [importer, *back] if back else _chain(imports, importer, imported) or [importer, imported]
            line += "  # " + " -> ".join(via)
        lines.append(line)
    return "\n".join(lines)


@pytest.mark.parametrize("rule", RULES)
def test_no_import_breaks_the_rule(rule):
    broken = RULES[rule](graph()) - KNOWN_VIOLATIONS
    assert not broken, f"{rule} (the chain of imports after each pair):\n{_listing(broken, graph())}"


def test_known_violations_still_occur():
    """A fixed violation leaves KNOWN_VIOLATIONS with it, so the set only shrinks."""
    occurring = set().union(*(rule(graph()) for rule in RULES.values()))
    stale = KNOWN_VIOLATIONS - occurring
    assert not stale, f"These no longer occur; remove them from KNOWN_VIOLATIONS:\n{_listing(stale)}"


# --- the checker itself, on small made-up trees ---------------------------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, source in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    for package in PACKAGES:
        (tmp_path / package).mkdir(exist_ok=True)
        (tmp_path / package / "__init__.py").touch()
    return import_graph(tmp_path)


def test_a_circle_closed_by_a_function_level_import_is_found(tmp_path):
    imports = _tree(tmp_path, {
        "portal/a.py": "from portal import b\n",
        "portal/b.py": "def f():\n    from portal.a import thing\n",
        "portal/c.py": "from portal import a\n",
    })
    assert import_cycles(imports) == {("portal.a", "portal.b"), ("portal.b", "portal.a")}


def test_relative_imports_and_packages_resolve_to_their_modules(tmp_path):
    imports = _tree(tmp_path, {
        "portal/cases/__init__.py": "",
        "portal/cases/routes.py": "from . import service\nfrom .queries import rows\nimport portal.staff.panel\n",
        "portal/cases/service.py": "",
        "portal/cases/queries.py": "",
        "portal/staff/__init__.py": "",
        "portal/staff/panel.py": "",
    })
    assert imports["portal.cases.routes"] == {"portal.cases.service", "portal.cases.queries", "portal.staff.panel"}
    assert customer_side_imports_staff_side(imports) == {("portal.cases.routes", "portal.staff.panel")}


def test_a_service_reaching_flask_through_a_shim_is_found(tmp_path):
    imports = _tree(tmp_path, {
        "portal/settings.py": "from flask import current_app\n",
        "portal/links.py": "def f():\n    from portal.settings import setting\n",
        "portal/teams/__init__.py": "",
        "portal/teams/service.py": "from portal.links import f\n",
        "portal/teams/queries.py": "import flask_login\n",
        "portal/teams/routes.py": "from flask import Blueprint\nfrom portal.teams import service\n",
        "portal/models/__init__.py": "from portal import links\n",
        "portal/cases/__init__.py": "",
        "portal/cases/queries/__init__.py": "",
        "portal/cases/queries/dashboard.py": "from flask import g\n",
        "portal/case_config/__init__.py": "",
        "portal/case_config/template_service.py": "from portal.settings import setting\n",
    })
    assert services_reach_flask(imports) == {("portal.teams.service", "portal.settings"),
                                             ("portal.teams.queries", "flask_login"),
                                             ("portal.cases.queries.dashboard", "flask"),
                                             ("portal.case_config.template_service", "portal.settings")}
    assert models_reach_flask(imports) == {("portal.models", "portal.settings")}


def test_notifier_importing_portal_is_found(tmp_path):
    imports = _tree(tmp_path, {"notifier/outbox.py": "def f():\n    import portal.policy\n", "portal/policy.py": ""})
    assert notifier_imports_portal_or_flask(imports) == {("notifier.outbox", "portal.policy")}
