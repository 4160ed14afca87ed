"""HTML mail → readable plain text, safely.

nh3 (the Ammonia sanitiser) first reduces the HTML to a small set of structural tags: script, style and
comments go with their content, and a link keeps its href only for web, mail and phone schemes (so a
"javascript:" target never reaches a comment). The sanitised, well-formed result is then walked with the
stdlib parser: blocks become paragraphs, <br> a line break, list items "- ", links "text (url)", images their
alt text. The text is for people and for the search index; it is never rendered back as HTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nh3

# Bigger HTML than this is cut before sanitising: a comment is not a book, and nh3/HTMLParser time grows
# with the input. What is cut is reported by the caller as a problem.
MAX_HTML_CHARS = 1_000_000
# Deeper tag nesting than this is flattened first (see html_to_text).
MAX_DEPTH = 200

_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,20})")
_WHOLE_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,20})[^<>]{0,2000}>")
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "col", "area", "base", "source", "embed",
                   "param", "track", "keygen"})
# Kept when flattening: they cannot nest (p, a and li close the previous one; script and style hold text).
_FLAT_KEPT = frozenset({"p", "br", "a", "li", "img", "hr", "script", "style", "title", "head"})

_BLOCK = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot",
    "tr", "hr", "address", "figure", "figcaption", "center", "details", "summary",
})
_KEPT_TAGS = _BLOCK | {"a", "br", "li", "td", "th", "img", "span", "b", "strong", "i", "em", "u", "code",
                       "font", "small", "big", "sub", "sup", "caption"}
_PRE_SPACE = "\ue000"
_ONLY_QUOTE_MARKS = re.compile(r"^[> ]*$")
_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def sanitise(html: str) -> str:
    """The HTML reduced to structure-only tags, without script/style content, comments or unsafe links."""
    return nh3.clean(
        html,
        tags=set(_KEPT_TAGS),
        clean_content_tags={"script", "style", "head", "title", "template", "noscript", "iframe", "object"},
        attributes={"a": {"href"}, "img": {"alt"}},
        url_schemes=set(_URL_SCHEMES),
        strip_comments=True,
        link_rel=None,
    )


def _max_depth(html: str) -> int:
    depth = deepest = 0
    for closing, name in _TAG.findall(html):
        name = name.lower()
        if name in _VOID:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _flatten(html: str) -> str:
    """Every tag that can nest becomes a line break (block) or nothing (inline), so the tree is flat."""
    def replace(match: re.Match) -> str:
        name = match.group(2).lower()
        if name in _FLAT_KEPT:
            return match.group(0)
        return "<br>" if name in _BLOCK else ""
    return _WHOLE_TAG.sub(replace, html)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body: paragraphs separated by a blank line, links as "text (url)"."""
    html = html[:MAX_HTML_CHARS]
    if _max_depth(html) > MAX_DEPTH:
        # Parsing time of deeply nested HTML grows with the square of its depth (html5ever keeps a stack of
        # open elements); no real mail nests this deep, a hostile one can.
        html = _flatten(html)
    writer = _TextWriter()
    writer.feed(sanitise(html))
    writer.close()
    return writer.text()


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._out: list[str] = []
        self._links: list[tuple[str, int]] = []   # (href, position in _out where the link text starts)
        self._pre = 0
        self._list_depth = 0
        self._quote = 0   # blockquote depth: its lines start with "> ", as a plain-text client quotes

    def _newlines(self, count: int) -> None:
        self._out.append("\n" * count + "> " * self._quote)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "br":
            self._newlines(1)
        elif tag == "blockquote":
            self._quote += 1
            self._newlines(2)
        elif tag == "li":
            self._newlines(1)
            self._out.append("  " * max(self._list_depth - 1, 0) + "- ")
        elif tag in ("ul", "ol"):
            self._list_depth += 1
            self._newlines(2 if self._list_depth == 1 else 1)
        elif tag == "pre":
            self._pre += 1
            self._newlines(2)
        elif tag in ("td", "th"):
            self._out.append("\t")
        elif tag == "hr":
            self._newlines(2)
            self._out.append("---")
            self._newlines(2)
        elif tag == "img":
            alt = (attributes.get("alt") or "").strip()
            if alt:
                self._out.append(f"[{alt}]")
        elif tag == "a":
            self._links.append((attributes.get("href") or "", len(self._out)))
        elif tag in _BLOCK:
            self._newlines(1 if tag in ("tr", "dt", "dd") else 2)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "a":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self._out[start:]).strip()
            shown = href[len("mailto:"):] if href.lower().startswith("mailto:") else href
            if href and shown not in label:
                self._out.append(f" ({shown})" if label else shown)
        elif tag in ("ul", "ol"):
            self._list_depth = max(self._list_depth - 1, 0)
            self._newlines(2 if self._list_depth == 0 else 1)
        elif tag == "pre":
            self._pre = max(self._pre - 1, 0)
            self._newlines(2)
        elif tag == "blockquote":
            self._quote = max(self._quote - 1, 0)
            self._newlines(2)
        elif tag in _BLOCK and tag not in ("tr", "dt", "dd", "hr"):
            self._newlines(2)
        elif tag in ("tr", "dt", "dd"):
            self._newlines(1)

    def handle_data(self, data):
        if self._pre:
            # Spaces in <pre> are kept through the line stripping below as a private-use stand-in.
            self._out.append(data.replace(" ", _PRE_SPACE).replace("\n", "\n" + "> " * self._quote))
        else:
            self._out.append(re.sub(r"[ \t\r\n\f\v]+", " ", data))

    def text(self) -> str:
        raw = "".join(self._out).replace("\xa0", " ")
        lines = [line.strip(" ") if not line.startswith("\t") else line.strip() for line in raw.split("\n")]
        lines = [re.sub(r"\t+", "\t", line).replace("\t", "  ").strip() for line in lines]
        lines = ["" if _ONLY_QUOTE_MARKS.match(line) else line for line in lines]
        text = "\n".join(lines)
        return re.sub(r"\n{3,}", "\n\n", text).strip().replace(_PRE_SPACE, " ")
