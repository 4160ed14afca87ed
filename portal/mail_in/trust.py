"""Whether the From address of a received message was vouched for by our own mail server's checks.

Our MTA (Postfix with OpenDKIM/OpenDMARC, rspamd, or a provider's gateway) verifies DKIM, SPF and DMARC and
writes the results into an Authentication-Results header (RFC 8601) that names it by its authserv-id. Only
the topmost such header carrying OUR authserv-id is read: MTAs prepend, so anything below it, or naming
another server, may have been written by the sender. The From address is accepted when that header says:
  - dmarc=pass (the verifier checked alignment with the From domain itself), or
  - dkim=pass with a signing domain (header.d, else header.i's domain) aligned with the From domain, or
  - spf=pass with an envelope sender domain (smtp.mailfrom) aligned with the From domain,
and it does not say dmarc=fail (the domain owner's own verdict, e.g. under strict alignment, wins over our
relaxed check). "Aligned" is a simple suffix check on label boundaries (mail.example.com and example.com are
aligned; example.com and badexample.com are not), as DMARC's relaxed mode with the organisational domain
approximated without the Public Suffix List; one-label domains never align.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from portal.mail_in.message import ParsedMail

_METHOD = re.compile(r"^\s*([A-Za-z0-9_-]+)(?:/[0-9]+)?\s*=\s*([A-Za-z0-9_-]+)(.*)$", re.DOTALL)
_PROPERTY = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\s*=\s*(\"(?:[^\"\\]|\\.)*\"|[^\s;]+)")
_MAX_HEADER = 8192


@dataclass(frozen=True)
class MethodResult:
    method: str                                    # "dkim", "spf", "dmarc" ... (lowercase)
    result: str                                    # "pass", "fail", "none" ... (lowercase)
    properties: dict[str, str] = field(default_factory=dict)   # "header.d" → "example.com" (keys lowercase)


def _without_comments(value: str) -> str:
    """CFWS comments "( ... )" removed (nested, outside quoted strings)."""
    out: list[str] = []
    depth = 0
    quoted = False
    escaped = False
    for ch in value[:_MAX_HEADER]:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if depth == 0:
                out.append(ch)
            continue
        if quoted:
            out.append(ch)
            if ch == '"':
                quoted = False
        elif ch == '"' and depth == 0:
            quoted = True
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def _split_semicolons(value: str) -> list[str]:
    parts, current, quoted = [], [], False
    for ch in value:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_results(header: str) -> tuple[str, list[MethodResult]]:
    """(authserv-id, method results) of one Authentication-Results header value."""
    parts = _split_semicolons(_without_comments(header))
    head = parts[0].split()
    authserv_id = head[0].lower() if head else ""
    results = []
    for part in parts[1:]:
        match = _METHOD.match(part)
        if not match:
            continue
        properties = {}
        for ptype, prop, value in _PROPERTY.findall(match.group(3)):
            properties.setdefault(f"{ptype.lower()}.{prop.lower()}", value.strip('"').strip())
        results.append(MethodResult(match.group(1).lower(), match.group(2).lower(), properties))
    return authserv_id, results


def _domain(value: str | None) -> str:
    value = (value or "").strip().strip("<>").lower().rstrip(".")
    return value.rpartition("@")[2]


def aligned(domain: str, from_domain: str) -> bool:
    if not domain or not from_domain or "." not in domain or "." not in from_domain:
        return False
    return domain == from_domain or domain.endswith("." + from_domain) or from_domain.endswith("." + domain)


def our_results(parsed: ParsedMail, authserv_id: str) -> list[MethodResult] | None:
    """The results of the topmost Authentication-Results header with our authserv-id, or None."""
    wanted = authserv_id.strip().lower()
    if not wanted:
        return None
    for header in parsed.authentication_results:
        server, results = parse_results(header)
        if server == wanted:
            return results
    return None


def sender_authenticated(parsed: ParsedMail, authserv_id: str) -> bool:
    """True when our own MTA's checks vouch for the From address's domain (see the module text)."""
    from_domain = _domain(parsed.sender)
    results = our_results(parsed, authserv_id)
    if not from_domain or not results:
        return False
    if any(r.method == "dmarc" and r.result == "fail" for r in results):
        return False
    for r in results:
        if r.result != "pass":
            continue
        if r.method == "dmarc":
            checked = _domain(r.properties.get("header.from"))
            if not checked or checked == from_domain:
                return True
        elif r.method == "dkim":
            signer = r.properties.get("header.d") or _domain(r.properties.get("header.i"))
            if aligned(_domain(signer), from_domain):
                return True
        elif r.method == "spf" and aligned(_domain(r.properties.get("smtp.mailfrom")), from_domain):
            return True
    return False
