"""The case page's activity feed as people read it: each entry's <li>, which templates/cases/_feed.html
puts in the list.

Each entry's head is one whole sentence to translate, with the names and values as parameters (the
actor in bold), then its time, the "Internal" badge, a details edit's changes, its text and its
files. Written here once per entry: as {% trans %} blocks and expressions in the template's loop the
feed's 50 entries were the largest part of the case page's rendering (issue 12). The sentences are
the same msgids, put together as Jinja's {% trans %} does it: the translation is markup (it may hold
<em>), every value put into it is escaped; everything else written here is escaped too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, request, url_for
from markupsafe import Markup, escape

from portal.cases.queries.case_page import FeedEntry
from portal.i18n import LazyText, _, _l, escape_text, viewer_moments


class _Sentence(Markup):
    """A translation as markup; % puts escaped values into it, as Markup's own % does, without the
    helper object Markup wraps around each value (a tenth of the feed's cost)."""

    __slots__ = ()

    def __mod__(self, values):
        if isinstance(values, dict):  # escaped as text: escape() made a Markup of every value
            return Markup(str.__mod__(self, {key: escape_text(value) for key, value in values.items()}))  # noqa: S704
        return Markup.__mod__(self, values)


def gettext(message: str) -> Markup:
    """The message's translation as markup, to put escaped values into with %. By this name the
    catalogue tools find the messages (portal.catalogues.KEYWORDS)."""
    return _Sentence(_(message))  # noqa: S704 -- a translation of our own text; values are escaped by %


@dataclass
class FeedLine:
    """One feed entry ready to show: its whole <li> (html) and the entry it came from."""

    entry: FeedEntry
    html: Markup

    @property
    def event(self):
        return self.entry.event


# An entry's markup but the words of its relative time, between requests: by every value the entry is
# made of (its event's row as read, its files' values) and every value of the page it is written for
# (the viewer's locale and zone, whether contact times show, the case's reference, the app's address
# and name). The words ("2 hours ago") are worked out per request from its "now". At most _LINES_KEPT
# entries and _LINES_CHARS characters of markup (a comment may hold 20,000) are kept, then the memo
# starts over.
_LINES_KEPT = 8192
_LINES_CHARS = 4_000_000


class _KeptLines(dict):
    """key: (markup before the words, markup after them, the moment); `chars`: the markup's length."""

    chars = 0

    def keep(self, key, kept: tuple[str, str, datetime]) -> None:
        size = len(kept[0]) + len(kept[1])
        if len(self) >= _LINES_KEPT or self.chars + size > _LINES_CHARS:
            self.clear()
        self[key] = kept
        self.chars += size

    def clear(self) -> None:
        super().clear()
        self.chars = 0


_LINES = _KeptLines()


def feed_lines(entries: list[FeedEntry], reference: str, *, contact_times: bool) -> list[FeedLine]:
    """The entries as the feed shows them to the viewer, each its <li>. contact_times: show a logged
    contact's own time (the staff who handle the case see it)."""
    moments = viewer_moments()
    portal_name = current_app.config["PORTAL_NAME"]
    page = (str(moments.locale), moments.zone, contact_times, reference, request.script_root, portal_name)
    words = None
    lines = []
    for entry in entries:
        files = tuple((f.uuid, f.original_name, f.size) for f in entry.attachments) if entry.attachments else ()
        key = (page, entry.event.row, files)
        kept = _LINES.get(key)
        if kept is None:
            if words is None:
                words = _Words(moments, portal_name, reference)
            kept = _entry_markup(entry, words, contact_times)
            _LINES.keep(key, kept)
        html = f"{kept[0]}{moments.relative_words(kept[2])}{kept[1]}"
        lines.append(FeedLine(entry, Markup(html)))  # noqa: S704 -- every value escaped in _entry_markup
    return lines


def _entry_markup(entry: FeedEntry, words: _Words, contact_times: bool) -> tuple[str, str, datetime]:
    """The entry's <li>, in two parts: before and after the words of its relative time; and its moment."""
    event = entry.event
    moments = words.moments
    before, after = moments.relative_frame(event.created_at)
    parts = [f'<li class="feed-entry feed-{escape_text(event.kind)}{"" if event.public else " feed-internal"}" '
             f'id="event-{escape_text(event.uuid)}">\n    <p class="feed-head">\n      '
             f'{words.head(event, entry.contacted_at if contact_times else None)}\n'
             f'      · {before}']
    parts.append(f"{after}\n")
    if not event.public:
        parts.append(f'      <span class="badge badge-waiting">{words.internal}</span>\n')
    parts.append("    </p>\n")
    data = event.data or {}
    if event.kind == "field_changed" and event.data:
        parts.append(words.changes(data))
    # (the messages outside f-strings: the catalogue tools do not read into those)
    if event.kind == "escalated" and data.get("automatically") == "missed_target":
        said = words.gettext("Escalated automatically: the case missed a service-level target.")
        parts.append(f'    <div class="feed-body">{said}</div>\n')
    if event.kind == "closed" and data.get("automatically") == "unanswered_resolution":
        said = words.gettext("Closed automatically: the proposed resolution was not answered.")
        parts.append(f'    <div class="feed-body">{said}</div>\n')
    if event.body:
        parts.append(f'    <div class="feed-body">{escape_text(event.body)}</div>\n')
    if entry.attachments:
        download = words.download()
        filesize = current_app.jinja_env.filters["filesize"]
        parts.append(f'    <ul class="file-list" aria-label="{words.files}">\n')
        for file in entry.attachments:
            url = download.replace("ATTACHMENT", str(file.uuid))
            parts.append(f'      <li><a href="{escape(url)}" download>{escape(file.original_name)}</a> '
                         f'<span class="muted">({escape(filesize(file.size))})</span></li>\n')
        parts.append("    </ul>\n")
    parts.append("  </li>\n")
    return parts[0], "".join(parts[1:]), event.created_at


class _Words:
    """The translated words one page's feed needs more than once, looked up once."""

    def __init__(self, moments, portal_name: str, reference: str):
        self.moments = moments
        self.portal_name = portal_name
        self.reference = reference
        self._download: str | None = None
        self._priorities: dict | None = None
        self._channels: dict | None = None
        self._said: dict[str, Markup] = {}
        self.internal = self.gettext("Internal")
        self.files = self.gettext("Files")

    def gettext(self, message: str) -> Markup:
        """gettext() once per message and page (by this name the catalogue tools find the messages)."""
        said = self._said.get(message)
        if said is None:
            said = self._said[message] = gettext(message)
        return said

    def download(self) -> str:
        """A file's download address with ATTACHMENT for its uuid: one url_for, the files' differ only in it."""
        if self._download is None:
            self._download = url_for("cases.download", reference=self.reference, attachment_uuid="ATTACHMENT")
        return self._download

    def changes(self, data: dict) -> str:
        """A details edit's changes: each field with its old and new value."""
        empty = self.gettext("(empty)")
        items = []
        for change in data.get("changes", []):
            items.append(f'      <li><strong>{escape(_item(change, "field"))}:</strong> '
                         f'<span class="old-value">{escape(_item(change, "old") or empty)}</span> → '
                         f'<span class="new-value">{escape(_item(change, "new") or empty)}</span></li>\n')
        return f'    <ul class="field-changes">\n{"".join(items)}    </ul>\n'

    def priorities(self) -> dict:
        if self._priorities is None:
            self._priorities = {"Low": self.gettext("Low"), "Normal": self.gettext("Normal"),
                                "High": self.gettext("High"), "Urgent": self.gettext("Urgent")}
        return self._priorities

    def channels(self) -> dict:
        if self._channels is None:
            self._channels = {"Phone": self.gettext("phone"), "Email": self.gettext("email"),
                              "Chat": self.gettext("chat"), "In person": self.gettext("in person"),
                              "Other": self.gettext("other")}
        return self._channels

    def head(self, event, contacted_at: datetime | None) -> Markup:
        name = event.actor.display_name if event.actor is not None else self.portal_name
        who = Markup(f"<strong>{escape_text(name)}</strong>")  # noqa: S704 -- escaped
        data = event.data or {}
        kind = event.kind
        said = _SENTENCES.get(kind)
        if said is not None:
            return said(self, event, data, who, contacted_at)
        if kind in ("task_added", "task_updated", "task_completed", "task_reopened"):
            return _task(self, event, data, who)
        return Markup("%s %s") % (who, kind.replace("_", " "))  # an event kind without words yet: its code


def _item(change, key: str):
    """change.key as the template read it: a missing key shows as nothing."""
    try:
        return change[key]
    except (KeyError, TypeError, IndexError):
        return getattr(change, key, "")


def _created(words, event, data, who, contacted_at) -> Markup:
    channel = data.get("channel")
    if channel == "email":
        return words.gettext("%(who)s opened the case by email") % {"who": who}
    if channel == "api":
        return words.gettext("%(who)s opened the case through the API") % {"who": who}
    return words.gettext("%(who)s opened the case") % {"who": who}


def _comment(words, event, data, who, contacted_at) -> Markup:
    channel = data.get("channel")
    if channel == "email":
        return words.gettext("%(who)s commented by email") % {"who": who}
    if channel == "api":
        return words.gettext("%(who)s commented through the API") % {"who": who}
    return words.gettext("%(who)s commented") % {"who": who}


def _status_changed(words, event, data, who, contacted_at) -> Markup:
    if data.get("to"):
        return words.gettext("%(who)s changed the status from <em>%(old)s</em> to <em>%(new)s</em>") % {
            "who": who, "old": data.get("from"), "new": data.get("to")}
    return words.gettext("%(who)s changed the status") % {"who": who}


def _resolution_accepted(words, event, data, who, contacted_at) -> Markup:
    if data.get("rating"):
        return words.gettext("%(who)s accepted the resolution (satisfaction %(rating)s/5)") % {
            "who": who, "rating": data.get("rating")}
    return words.gettext("%(who)s accepted the resolution") % {"who": who}


def _assigned(words, event, data, who, contacted_at) -> Markup:
    if data.get("to"):
        head = words.gettext("%(who)s changed the assignee to <em>%(assignee)s</em>") % {"who": who,
                                                                                  "assignee": data.get("to")}
    elif event.data:
        head = words.gettext("%(who)s changed the assignee back to the queue") % {"who": who}
    else:
        head = words.gettext("%(who)s changed the assignee") % {"who": who}
    if data.get("reason") == "deactivated":
        return head + Markup(" ") + words.gettext("(%(person)s was deactivated)") % {"person": data.get("from")}
    if data.get("reason") == "left_staff":
        no_longer = words.gettext("(%(person)s is no longer on the staff)")
        return head + Markup(" ") + no_longer % {"person": data.get("from")}
    return head


def _workgroup_changed(words, event, data, who, contacted_at) -> Markup:
    if data.get("from"):
        return words.gettext("%(who)s moved the case to <em>%(new)s</em> from <em>%(old)s</em>") % {
            "who": who, "new": data.get("to"), "old": data.get("from")}
    if data.get("to"):
        return words.gettext("%(who)s moved the case to <em>%(new)s</em>") % {"who": who, "new": data.get("to")}
    return words.gettext("%(who)s moved the case") % {"who": who}


def _escalated(words, event, data, who, contacted_at) -> Markup:
    if data.get("from"):
        return words.gettext("%(who)s escalated the case to <em>%(new)s</em> from <em>%(old)s</em>") % {
            "who": who, "new": data.get("to"), "old": data.get("from")}
    if data.get("to"):
        return words.gettext("%(who)s escalated the case to <em>%(new)s</em>") % {"who": who, "new": data.get("to")}
    return words.gettext("%(who)s escalated the case") % {"who": who}


def _deescalated(words, event, data, who, contacted_at) -> Markup:
    if data.get("from"):
        return words.gettext("%(who)s de-escalated the case to <em>%(new)s</em> from <em>%(old)s</em>") % {
            "who": who, "new": data.get("to"), "old": data.get("from")}
    if data.get("to"):
        return words.gettext("%(who)s de-escalated the case to <em>%(new)s</em>") % {"who": who, "new": data.get("to")}
    return words.gettext("%(who)s de-escalated the case") % {"who": who}


def _priority_changed(words, event, data, who, contacted_at) -> Markup:
    if data.get("to"):
        priorities = words.priorities()
        return words.gettext("%(who)s changed the priority from <em>%(old)s</em> to <em>%(new)s</em>") % {
            "who": who, "old": priorities.get(data.get("from"), data.get("from")),
            "new": priorities.get(data.get("to"), data.get("to"))}
    return words.gettext("%(who)s changed the priority") % {"who": who}


def _contact_logged(words, event, data, who, contacted_at) -> Markup:
    channel = words.channels().get(data.get("channel"), data.get("channel"))
    if contacted_at:
        at = Markup('<time datetime="%s">%s</time>') % (contacted_at.isoformat(), words.moments.exact(contacted_at))
        if data.get("direction") == "inbound":
            return words.gettext("%(who)s logged a contact by %(channel)s, inbound, on %(at)s") % {
                "who": who, "channel": channel, "at": at}
        return words.gettext("%(who)s logged a contact by %(channel)s, outbound, on %(at)s") % {
            "who": who, "channel": channel, "at": at}
    if data.get("direction") == "inbound":
        return words.gettext("%(who)s logged a contact by %(channel)s, inbound") % {"who": who, "channel": channel}
    return words.gettext("%(who)s logged a contact by %(channel)s, outbound") % {"who": who, "channel": channel}


def _task(words, event, data, who) -> Markup:
    kind, title, assignee = event.kind, data.get("title"), data.get("assignee")
    if assignee and kind != "task_completed":
        values = {"who": who, "title": title, "assignee": assignee}
        if kind == "task_added":
            return words.gettext("%(who)s added a task <em>%(title)s</em> for %(assignee)s") % values
        if kind == "task_updated":
            return words.gettext("%(who)s edited a task <em>%(title)s</em> for %(assignee)s") % values
        return words.gettext("%(who)s reopened a task <em>%(title)s</em> for %(assignee)s") % values
    values = {"who": who, "title": title}
    if kind == "task_added":
        return words.gettext("%(who)s added a task <em>%(title)s</em>") % values
    if kind == "task_updated":
        return words.gettext("%(who)s edited a task <em>%(title)s</em>") % values
    if kind == "task_completed":
        return words.gettext("%(who)s completed a task <em>%(title)s</em>") % values
    return words.gettext("%(who)s reopened a task <em>%(title)s</em>") % values


def _only(message: LazyText):
    """A kind with one sentence, the actor its only value (marked with _l for the catalogue tools)."""
    def said(words, event, data, who, contacted_at) -> Markup:
        return words.gettext(message.message) % {"who": who}
    return said


def _customer(message: LazyText):
    def said(words, event, data, who, contacted_at) -> Markup:
        return words.gettext(message.message) % {"who": who, "customer": data.get("customer")}
    return said


_SENTENCES = {
    "created": _created,
    "comment": _comment,
    "internal_note": _only(_l("%(who)s added an internal note")),
    "status_changed": _status_changed,
    "resolution_proposed": _only(_l("%(who)s proposed a resolution")),
    "resolution_accepted": _resolution_accepted,
    "resolution_rejected": _only(_l("%(who)s rejected the resolution")),
    "closed": _only(_l("%(who)s closed the case")),
    "reopened": _only(_l("%(who)s reopened the case")),
    "resolution_reminder_sent": _only(_l("%(who)s sent the customer a reminder about the resolution")),
    "file_added": _only(_l("%(who)s added files")),
    "assigned": _assigned,
    "workgroup_changed": _workgroup_changed,
    "escalated": _escalated,
    "deescalated": _deescalated,
    "priority_changed": _priority_changed,
    "field_changed": _only(_l("%(who)s edited the details")),
    "customer_linked": _customer(_l("%(who)s added a customer <em>%(customer)s</em>")),
    "customer_unlinked": _customer(_l("%(who)s removed a customer <em>%(customer)s</em>")),
    "contact_logged": _contact_logged,
}
