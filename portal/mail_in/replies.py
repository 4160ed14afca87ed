"""Every answer the product sends to someone's email: fixed texts per kind (templates/mail_in/replies/,
translated like every page), in the recipient's language, through the notifier's outbox (event
"mail_in_reply", in the caller's transaction) as an RFC 3834 auto-reply to the message it answers.

At most one answer of each kind per address an hour (a conditional insert-or-update of its
AutoReplySlot), and never one to an empty sender, to one of the product's own addresses or to
addresses that by convention never get automatic answers (MAILER-DAEMON, postmaster, list owners):
so two systems answering each other stop after one round.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path

import jinja2
from babel.support import Translations

import notifier
from portal.catalogues import TRANSLATIONS
from portal.contact import ContactError, normalize_email
from portal.i18n import match_language
from portal.links import absolute
from portal.mail_in.addresses import base_address, is_inbound_address
from portal.models.inbound_addresses import AutoReplySlot
from portal.models.people import User
from portal.settings import current, setting

EVENT = "mail_in_reply"
# kind -> the context keys its text may use (all optional; values are plain text)
KINDS: dict[str, tuple[str, ...]] = {
    "held": ("subject", "reason", "case_reference", "portal_url"),  # kept for the team instead of added to a case
    "refused_files": ("files", "case_reference", "portal_url"),  # some attachments were not accepted
    "portal_link": ("new_case_url", "signup_url"),  # unknown sender, the address answers with the portal
    "proxy_refused": ("portal_url",),  # a proxy's mail names no customer they may file for
    "proxy_ambiguous": ("portal_url",),  # a proxy's mail names several customers
    "account_opened": ("case_reference", "invitation_url", "expires_in_days"),  # a stranger's case and sign-in
}
THROTTLE = timedelta(hours=1)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "mail_in" / "replies"
# RFC 3834 §2: never answer these; "-request"/"owner-" are mailing-list robots.
NEVER_ANSWERED_LOCAL = re.compile(r"(mailer-daemon|postmaster|no-?reply|do-?not-?reply|owner-.*|.*-request)")
# A Message-ID as the parser gives it (no angle brackets): anything else is not repeated in a header.
MESSAGE_ID = re.compile(r"[^<>\s@\"]{1,200}@[^<>\s@\"]{1,200}")


def auto_reply(to_address: str, kind: str, *, language: str | None, context: Mapping[str, str],
               in_reply_to: str | None, now: datetime) -> bool:
    """Queue the answer of `kind` (KINDS) to to_address, in `language` (None: the sender's own, if they
    have an account, else the portal's default), inside the caller's transaction. Returns False and
    sends nothing when the address is empty, not an address, one of ours or one never answered, or
    when it got an answer of this kind within the last hour. Raises ValueError only for an unknown
    kind (a programming error)."""
    if kind not in KINDS:
        raise ValueError(f"unknown reply kind {kind!r}")
    address = _answerable(to_address)
    if address is None or not _claim_slot(address, kind, now):
        return False
    if language is None:
        user = User.get_or_none(User.email == address)
        language = user.language if user is not None else None
    language = match_language(language) or setting("DEFAULT_LANGUAGE")
    subject, body = render_reply(kind, language, context)
    headers = {"Auto-Submitted": "auto-replied"}
    if in_reply_to and MESSAGE_ID.fullmatch(in_reply_to):
        headers["In-Reply-To"] = f"<{in_reply_to}>"
    notifier.enqueue(EVENT, [notifier.Recipient("email", address, language=language)],
                     {"subject": subject, "body": body}, key=f"{EVENT}:{kind}:{address}:{now.isoformat()}",
                     headers=headers, now=now)
    return True


def render_reply(kind: str, language: str, context: Mapping[str, str]) -> tuple[str, str]:
    """(subject, text) of a kind's fixed text in language, with the context's values (only the keys the
    kind names; links the caller did not give are the portal's own)."""
    values = {name: str(context.get(name) or "") for name in KINDS[kind]}
    if "portal_url" in values and not values["portal_url"]:
        closed = kind == "held" and values["reason"] == "case_closed" and values["case_reference"].isdigit()
        values["portal_url"] = (absolute("cases.detail", reference=values["case_reference"]) if closed
                                else absolute("cases.new"))
    if kind == "portal_link":
        values["new_case_url"] = values["new_case_url"] or absolute("cases.new")
        if not values["signup_url"] and setting("SIGNUP_ENABLED"):
            values["signup_url"] = absolute("accounts.signup")
    template = _environment(language).get_template(f"{kind}.txt")
    parts = template.new_context(values)
    subject = " ".join("".join(template.blocks["subject"](parts)).split())
    body = "".join(template.blocks["body"](parts)).strip() + "\n"
    return subject, re.sub(r"\n{3,}", "\n\n", body)


@functools.lru_cache(maxsize=16)
def _environment(language: str) -> jinja2.Environment:
    # Plain-text mail, never shown as HTML: escaping would put "&amp;" into people's subjects.
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=False,  # noqa: S701
                                     undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.i18n"],
                                     keep_trailing_newline=True)
    environment.install_gettext_translations(Translations.load(str(TRANSLATIONS), [language]),  # type: ignore[attr-defined]
                                             newstyle=True)
    return environment


def own_addresses() -> set[str]:
    """The product's own sending and receiving addresses from the configuration (lower-case, no +tag)."""
    config = current().config
    found = {base_address(parseaddr(str(config.get("MAIL_FROM") or ""))[1])}
    found.add(base_address(str(config.get("MAIL_IN_ADDRESS") or "")))
    return {address for address in found if address}


def _answerable(to_address: str | None) -> str | None:
    if not to_address or not str(to_address).strip():
        return None
    try:
        address = normalize_email(str(to_address))
    except ContactError:
        return None
    if NEVER_ANSWERED_LOCAL.fullmatch(address.partition("@")[0]):
        return None
    if base_address(address) in own_addresses() or is_inbound_address(address):
        return None
    return address


def _claim_slot(address: str, kind: str, now: datetime) -> bool:
    """Take the (address, kind) slot: a new row, or the existing one when its answer is an hour old.
    One statement, so two messages processed at once cannot both take it."""
    taken = (
        AutoReplySlot.insert(address_key=address, kind=kind, sent_at=now)
        .on_conflict(conflict_target=[AutoReplySlot.address_key, AutoReplySlot.kind],
                     update={AutoReplySlot.sent_at: now},
                     where=(AutoReplySlot.sent_at <= now - THROTTLE))
        .as_rowcount()
        .execute()
    )
    return taken == 1
