"""The forms and links the pages really show, read from their HTML: which fields each POST form has
(with the options of its selects and radios), where it posts to, and which query parameters the
GET forms and links use."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect


def endpoint_of(app, url: str, method: str = "POST") -> str | None:
    adapter = app.url_map.bind("portal.test")
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method=method)
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


@dataclass
class FormField:
    name: str
    kind: str  # the input's type, "select", "textarea", "submit" or "csrf" (a prefixed form's own token)
    options: list[str] = field(default_factory=list)  # of selects, radios, checkboxes and buttons
    value: str | None = None  # what a browser would send untouched (None: nothing, like an unticked box)


@dataclass
class PageForm:
    method: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)

    def defaults(self) -> dict[str, str]:
        """What submitting the form untouched sends (without the first button's name, and without
        the CSRF token, which the caller adds)."""
        return {name: f.value for name, f in self.fields.items()
                if f.value is not None and f.kind not in ("submit", "csrf") and name != "csrf_token"}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self.links: list[str] = []
        self._form: PageForm | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "option" and self._select is not None:
            value = a.get("value")
            if value is not None:
                self._select.options.append(value)
                if self._select.value is None or "selected" in a:
                    self._select.value = value  # a browser sends the selected option, else the first
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = PageForm(method=(a.get("method") or "get").lower(), action=a.get("action") or "")
            self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if name.endswith("csrf_token") and name != "csrf_token":
                kind = "csrf"
            existing = self._form.fields.setdefault(name, FormField(name, kind))
            if kind in ("radio", "checkbox", "submit", "hidden") and a.get("value") is not None:
                existing.options.append(a["value"])
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    existing.value = a.get("value", "on")
            elif kind != "submit":
                existing.value = a.get("value", "")
        elif tag == "select":
            self._select = self._form.fields.setdefault(name, FormField(name, "select"))
        elif tag == "textarea":
            self._textarea = self._form.fields.setdefault(name, FormField(name, "textarea", value=""))
        elif tag == "button" and a.get("value") is not None:
            self._form.fields.setdefault(name, FormField(name, "submit")).options.append(a["value"])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value = (self._textarea.value or "") + data

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse_page(html: str) -> tuple[list[PageForm], list[str]]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms, parser.links


@dataclass
class Harvest:
    """What the pages showed: POST form fields by endpoint, GET parameters by endpoint."""

    post_fields: dict[str, dict[str, FormField]] = field(default_factory=lambda: defaultdict(dict))
    query_params: dict[str, dict[str, FormField]] = field(default_factory=lambda: defaultdict(dict))
    # The URLs forms post to (with their query string: a proxy's new-case form names the customer there).
    actions: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    # By endpoint, the first POST form a page showed: (the URL it posts to, the form with its values).
    forms: dict[str, tuple[str, PageForm]] = field(default_factory=dict)

    def action_for(self, endpoint: str, url: str) -> str:
        """Where the page posts the form of endpoint at url (with the page's query string, which
        may name whom a new case is for), else url itself."""
        for action in self.actions.get(endpoint, []):
            if urlsplit(action).path == url:
                return action
        return url

    def merge(self, other: Harvest) -> None:
        for mine, theirs in ((self.post_fields, other.post_fields), (self.query_params, other.query_params)):
            for endpoint, fields in theirs.items():
                mine[endpoint]  # a form of a button alone counts too
                for name, f in fields.items():
                    known = mine[endpoint].setdefault(name, FormField(name, f.kind))
                    known.options.extend(o for o in f.options if o not in known.options)
        for endpoint, form in other.forms.items():
            self.forms.setdefault(endpoint, form)
        for endpoint, actions in other.actions.items():
            self.actions[endpoint].extend(a for a in actions if a not in self.actions[endpoint])

    def add_page(self, app, page_url: str, html: str) -> None:
        forms, links = parse_page(html)
        for form in forms:
            action = form.action or page_url
            method = "POST" if form.method == "post" else "GET"
            endpoint = endpoint_of(app, action, method)
            if endpoint is None:
                continue
            target = self.post_fields if method == "POST" else self.query_params
            target[endpoint]  # a form of a button alone still counts as seen
            if method == "POST" and form.action and form.action not in self.actions[endpoint]:
                self.actions[endpoint].append(form.action)
            if method == "POST":
                self.forms.setdefault(endpoint, (action, form))
            for name, f in form.fields.items():
                if name == "csrf_token":
                    continue
                known = target[endpoint].setdefault(name, FormField(name, f.kind))
                known.options.extend(o for o in f.options if o not in known.options)
        for link in links:
            parts = urlsplit(link)
            if parts.netloc or not parts.query:
                continue
            endpoint = endpoint_of(app, parts.path or page_url, "GET")
            if endpoint is None:
                continue
            for name, value in parse_qsl(parts.query, keep_blank_values=True):
                known = self.query_params[endpoint].setdefault(name, FormField(name, "link"))
                if value not in known.options:
                    known.options.append(value)


