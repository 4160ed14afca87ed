"""The errors of checking and rendering templates (kept apart from notifier.rendering so that
channels, which finish what a template rendered, can raise them without importing the renderer)."""

from __future__ import annotations

from notifier.words import Words, plain


class TemplateError(ValueError):
    """A template that cannot be saved or rendered; the message says why, with a line when known.

    `reason` is the why (notifier.words.Words: the host shows it in its reader's language), `part`
    and `line` where; str() is the English "subject, line 3: why"."""

    def __init__(self, reason, *, part: str | None = None, line: int | None = None):
        self.reason = reason if isinstance(reason, Words) else plain(str(reason))
        self.part, self.line = part, line
        where = f"{part}, line {line}" if part and line else part
        super().__init__(f"{where}: {self.reason}" if where else str(self.reason))


class RenderError(TemplateError):
    """Rendering one message failed; the message is dead, the reason recorded."""


