"""Messages the notifier shows people (the template editor's refusals): kept as an English text
with named parameters, so the host can put them into its reader's language.

The notifier has no catalogues and knows nothing of Flask: `_l("... %(limit)s ...", limit=n)` marks
the text for the host's extractor (Caseport's catalogues read notifier/ too) and keeps the parameters.
str() gives the English sentence; the host translates `msgid` and fills in `params` itself.
"""

from __future__ import annotations


class Words:
    """One message for people: an English msgid and its named parameters."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, **params):
        self.msgid = msgid
        self.params = params

    def __str__(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def __repr__(self) -> str:
        return f"Words({str(self)!r})"


def _l(msgid: str, **params) -> Words:
    """Mark a message for translation by the host (see the module's docstring)."""
    return Words(msgid, **params)


def plain(text: str) -> Words:
    """A message that is not ours to translate (e.g. Jinja's own syntax errors)."""
    words = Words(text)
    return words
