"""The running configuration, for code that must not depend on Flask: services, jobs, the CLI, mail.

create_app() registers its config (and its URL map, for absolute links) here as the process's
configuration. Code that runs on behalf of one particular app, while several exist in one process
(tests, a scheduler built for one app), names it for a block with `using(config, url_map)`; the app
factory does the same for every application context it pushes, so a request to app A never reads
app B's values. The config is held by reference: a change to app.config is seen at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from notifier.settings import Settings

__all__ = ["Registered", "configure", "current", "enter", "leave", "notifier_settings", "setting", "using"]


@dataclass(frozen=True)
class Registered:
    """One application's configuration mapping and URL map (a werkzeug.routing.Map, or None)."""

    config: Mapping[str, Any]
    url_map: Any = None


class NotConfigured(RuntimeError):
    """Nothing registered a configuration: create_app() (or configure()) was never called."""


_process: Registered | None = None
# The configurations named for the running code, innermost last (a tuple, so each context owns its copy).
_scoped: ContextVar[tuple[Registered, ...]] = ContextVar("caseport_settings", default=())


def configure(config: Mapping[str, Any], url_map: Any = None) -> None:
    """Make config (and url_map) the process's configuration: what code reads outside any `using` block."""
    global _process
    _process = Registered(config, url_map)


def enter(config: Mapping[str, Any], url_map: Any = None) -> None:
    """Name config for the running context until the matching leave() (for hooks that cannot use a block)."""
    _scoped.set((*_scoped.get(), Registered(config, url_map)))


def leave() -> None:
    """End the innermost enter()."""
    _scoped.set(_scoped.get()[:-1])


@contextmanager
def using(config: Mapping[str, Any], url_map: Any = None) -> Iterator[None]:
    """Within the block (and only in this thread or task), code reads config and url_map."""
    token = _scoped.set((*_scoped.get(), Registered(config, url_map)))
    try:
        yield
    finally:
        _scoped.reset(token)


def current() -> Registered:
    """The configuration the running code reads: the innermost `using` block's, else the process's."""
    scoped = _scoped.get()
    if scoped:
        return scoped[-1]
    if _process is None:
        raise NotConfigured("No Caseport configuration: build the application with create_app() first.")
    return _process


def setting(name: str):
    """One configuration value (KeyError for a name the configuration does not have)."""
    return current().config[name]


def notifier_settings() -> Settings:
    """The notifier's settings (backends, template budget) from the current configuration."""
    return Settings.from_mapping(current().config)
