"""Email over SMTP: one connection reused for a whole delivery run (its batches: see KeptSenders),
reopened after errors, with a timeout per phase (RFC 5321 §4.5.3.2) that decides what a silence means.

- connecting, greeting, EHLO, STARTTLS, AUTH (SMTP_TIMEOUT) and MAIL, RCPT, DATA
  (SMTP_COMMAND_TIMEOUT): nothing handed over yet; a failure or silence is a channel outage
  (ChannelDownError: the message is given back untried and the channel backs off);
- after the final "." (SMTP_DATA_TIMEOUT, 10 minutes by default): the relay has the message; a
  silence or a dropped connection is OutcomeUnknownError, never a blind resend.

With a relay that offers PIPELINING (RFC 2920), MAIL, RCPT and DATA go in one write, and `send` can
take the next message's envelope along with this message's content and final "." (RFC 2920 allows
content as the first "command" of a group): one round trip per message. Nothing of the next message
is handed over by that: its content goes only in the next `send`, after its own start mark, and
each message's fate is read from its own replies. An envelope sent ahead for a message that is then
not sent is abandoned by closing the connection before its "." (which hands nothing over).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from dataclasses import dataclass

from notifier.channels.errors import (
    AttemptNotStarted,
    ChannelDownError,
    OutcomeUnknownError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifier.channels.outgoing import OutgoingEmail, email_bytes, envelope_sender, message_id, smtp_path
from notifier.clock import utcnow

_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)


@dataclass
class _Ahead:
    """The next message, whose envelope went with the previous content: its three replies are still
    to be read, and its bytes were built while the relay read the previous message."""

    message_uuid: str
    data: bytes | None
    error: Exception | None = None


class SmtpChannel:
    """Use as a context manager around a batch; `send` connects on first use."""

    # send() takes the dispatcher's start mark and calls it just before the message is handed over.
    starts_attempts = True
    # send() takes the message the dispatcher will send next, to pipeline its envelope (RFC 2920).
    takes_following = True

    def __init__(self, settings):
        self.settings = settings
        self._connection: smtplib.SMTP | None = None
        self._ahead: _Ahead | None = None
        # Read once per channel, not parsed again for every message.
        self._domain = settings.message_id_domain

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    @property
    def endpoint(self) -> str:
        return f"smtp://{self.settings.SMTP_HOST}:{self.settings.SMTP_PORT}"

    @property
    def max_send_seconds(self) -> float:
        """The longest one send may take with every phase at its timeout."""
        s = self.settings
        return 2 * s.SMTP_TIMEOUT + 3 * s.SMTP_COMMAND_TIMEOUT + s.SMTP_DATA_TIMEOUT + 60

    def close(self) -> None:
        if self._ahead is not None:
            # An envelope sent ahead: the relay waits for its content (QUIT would be content): just close.
            self._drop()
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._connection = None

    def settle(self) -> None:
        """Between batches on a kept connection: an envelope still sent ahead (its message was not
        sent in this batch) is abandoned by closing before its "." (which hands nothing over)."""
        if self._ahead is not None:
            self._drop()

    def probe(self) -> None:
        """Connect (the channel answers) or raise ChannelDownError; the connection is kept for sends."""
        if self._connection is None:
            self._connection = self._connect()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.SMTP_SECURITY == "ssl":
                connection = smtplib.SMTP_SSL(
                    s.SMTP_HOST, s.SMTP_PORT, timeout=s.SMTP_TIMEOUT, context=ssl.create_default_context()
                )
            else:
                connection = smtplib.SMTP(s.SMTP_HOST, s.SMTP_PORT, timeout=s.SMTP_TIMEOUT)
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelDownError(f"SMTP relay unreachable: {_describe(error)}") from None
        try:
            connection.ehlo()
            if s.SMTP_SECURITY == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            # Servers without AUTH (local relays, test servers) are used without logging in.
            if s.SMTP_USERNAME:
                connection.login(s.SMTP_USERNAME, s.SMTP_PASSWORD)
        except smtplib.SMTPAuthenticationError as error:
            connection.close()
            # Wrong credentials are a configuration problem: keep the messages for when it is fixed.
            raise ChannelDownError(f"SMTP login failed: {error.smtp_code} {_text(error.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as error:
            connection.close()
            raise ChannelDownError(f"SMTP relay not answering: {_describe(error)}") from None
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, email: OutgoingEmail, start=None, following: OutgoingEmail | None = None) -> str:
        """Send one email; returns its Message-ID. Raises ChannelDown/Transient/Permanent/OutcomeUnknown.

        `start()`, when given, is called once, after the envelope is on its way and before anything
        is handed over; if it returns False the message is not sent (AttemptNotStarted).
        `following`, when given, is the email the caller will send next: on a pipelining relay its
        envelope goes in the same write as this email's content (nothing of it is handed over)."""
        s = self.settings
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead.message_uuid != email.message_uuid:
            # The envelope sent ahead was for a message not sent now: abandon it before its "."
            self._drop()
            ahead = None
        if ahead is not None and ahead.error is not None:
            self._drop()
            raise ahead.error
        if ahead is not None:
            data, smtputf8 = ahead.data, False
        else:
            data, smtputf8 = email_bytes(email, mail_from=s.MAIL_FROM, domain=self._domain, sent_at=utcnow())
        started: list[bool] = []

        def start_once() -> None:
            if not started:
                try:
                    started.append(bool(start()) if start is not None else True)
                except BaseException:
                    self._drop()  # mid-transaction: the relay must not get the message
                    raise
            if not started[0]:
                self._drop()  # closing before the final "." hands nothing over (RFC 5321 §4.1.1.4)
                raise AttemptNotStarted("the claim was lost before the attempt")

        if self._connection is None:
            self._connection = self._connect()
        sender = envelope_sender(s.MAIL_FROM)
        try:
            self._hand_over(self._connection, sender, email.to_address, data, smtputf8, start_once,
                            sent_ahead=ahead is not None, following=following)
        except (smtplib.SMTPServerDisconnected, OSError):
            # A reused connection the relay closed meanwhile (also one that carried this message's
            # envelope ahead): one fresh connection, then it counts.
            self._drop()
            self._connection = self._connect()
            try:
                self._hand_over(self._connection, sender, email.to_address, data, smtputf8, start_once,
                                following=following)
            except (smtplib.SMTPServerDisconnected, OSError) as error:
                self._drop()
                raise ChannelDownError(f"SMTP relay dropped the connection: {_describe(error)}") from None
        return message_id(email.message_uuid, self._domain)

    def _hand_over(self, connection: smtplib.SMTP, sender: str, recipient: str, data: bytes, smtputf8: bool,
                   start_once=lambda: None, sent_ahead: bool = False, following: OutgoingEmail | None = None):
        s = self.settings
        options = []
        if smtputf8:
            if not connection.has_extn("smtputf8"):
                raise PermanentDeliveryError("the relay cannot take an internationalised address (no SMTPUTF8)")
            options = ["SMTPUTF8", "BODY=8BITMIME"]
        connection.sock.settimeout(s.SMTP_COMMAND_TIMEOUT)
        steps = (((250,), "sender refused"), ((250, 251), "recipient refused"), ((354,), "server refused the message"))
        pipelining = connection.has_extn("pipelining")
        if sent_ahead:
            # The envelope went with the previous message's content; its replies follow that one's.
            start_once()
            replies = [connection.getreply() for _ in steps]
        elif pipelining:
            # RFC 2920: MAIL, RCPT and DATA in one write, their three replies read after it (two
            # round trips per message instead of four). Nothing is handed over before the 354, so
            # the start mark is written while the relay answers.
            connection.send(_envelope(sender, recipient, options, smtputf8))
            start_once()
            replies = [connection.getreply() for _ in steps]
        else:
            start_once()
            replies = []
            for command in (lambda: connection.mail(sender, options), lambda: connection.rcpt(recipient),
                            lambda: connection.docmd("data")):
                replies.append(command())
                if replies[-1][0] not in steps[len(replies) - 1][0]:
                    break
        for (code, reply), (accepted, what) in zip(replies, steps, strict=False):
            if code not in accepted:
                if replies[-1][0] == 354:
                    # A pipelined DATA the relay took although MAIL or RCPT failed: end it empty
                    # (it has no recipient, so nothing is delivered) before resetting.
                    connection.send(b".\r\n")
                    connection.getreply()
                self._reset(connection, code)
                raise _classified(code, reply, what)
        payload = _LEADING_DOT.sub(b"..", data) + b".\r\n"
        if following is not None and not (pipelining and _plain(following, s.MAIL_FROM)):
            following = None
        if following is not None:
            # RFC 2920 §3.1: the content may open a group; the next envelope closes it.
            payload += _envelope(sender, following.to_address, [], False)
        connection.sock.sendall(payload)
        if following is not None:
            # Built while the relay reads this message; its content waits for its own start mark.
            self._ahead = self._prepared(following)
        # The relay has the whole message now: whatever happens next, it may have delivered it.
        connection.sock.settimeout(s.SMTP_DATA_TIMEOUT)
        try:
            code, reply = connection.getreply()
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            raise OutcomeUnknownError(
                f"no answer from the relay after the message was sent ({_describe(error)}): it may have been delivered"
            ) from None
        if code != 250:
            if self._ahead is None or code in (421, -1):
                self._reset(connection, code)
            # Else the transaction is over and the relay goes on with the envelope sent ahead
            # (a RSET now would be read as that message's content).
            raise _classified(code, reply, "server refused the message")

    def _prepared(self, email: OutgoingEmail) -> _Ahead:
        try:
            data, _ = email_bytes(email, mail_from=self.settings.MAIL_FROM, domain=self._domain, sent_at=utcnow())
        except Exception as error:  # e.g. a header refused: raised when that message's turn comes
            return _Ahead(email.message_uuid, None, error)
        return _Ahead(email.message_uuid, data)

    def _reset(self, connection, code: int) -> None:
        if code == 421 or code == -1:  # the relay is closing the connection
            self._drop()
            return
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        # After an error the session state is unknown; the next message starts a new connection.
        # Closing before the "." of an envelope sent ahead hands nothing over (RFC 5321 §4.1.1.4).
        self._ahead = None
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
            self._connection = None


def _envelope(sender: str, recipient: str, options, smtputf8: bool) -> bytes:
    suffix = " " + " ".join(options) if options else ""
    envelope = f"MAIL FROM:{smtp_path(sender)}{suffix}\r\nRCPT TO:{smtp_path(recipient)}\r\nDATA\r\n"
    return envelope.encode("utf-8" if smtputf8 else "ascii")


def _plain(email: OutgoingEmail, mail_from: str) -> bool:
    """Sent without SMTPUTF8 (ASCII addresses), so its envelope can be written ahead without options."""
    return email.to_address.isascii() and mail_from.isascii()


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


def _classified(code: int, reply, what: str):
    detail = f"{what}: {code} {_text(reply)}"
    if code == 421 or code == -1:
        return ChannelDownError(detail)
    if 500 <= code < 600:
        return PermanentDeliveryError(detail)
    return TransientDeliveryError(detail)
