"""Email over SMTP with smtplib: one connection reused for a whole batch, reopened after errors."""

from __future__ import annotations

import contextlib
import smtplib
import ssl

from notifier.channels.errors import PermanentDeliveryError, TransientDeliveryError
from notifier.channels.outgoing import OutgoingEmail, build_email, envelope_sender, message_id
from notifier.clock import utcnow


class SmtpChannel:
    """Use as a context manager around a batch; `send` connects on first use."""

    def __init__(self, settings):
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._connection.quit()
            self._connection = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.SMTP_SECURITY == "ssl":
            connection = smtplib.SMTP_SSL(
                s.SMTP_HOST, s.SMTP_PORT, timeout=s.SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(s.SMTP_HOST, s.SMTP_PORT, timeout=s.SMTP_TIMEOUT)
        try:
            connection.ehlo()
            if s.SMTP_SECURITY == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            # Servers without AUTH (local relays, test servers) are used without logging in.
            if s.SMTP_USERNAME:
                connection.login(s.SMTP_USERNAME, s.SMTP_PASSWORD)
        except BaseException:
            connection.close()
            raise
        return connection

    def send(self, email: OutgoingEmail) -> str:
        """Send one email; returns its Message-ID. Raises Transient/PermanentDeliveryError."""
        s = self.settings
        msg = build_email(email, mail_from=s.MAIL_FROM, domain=s.message_id_domain, sent_at=utcnow())
        try:
            if self._connection is None:
                self._connection = self._connect()
            self._connection.send_message(
                msg, from_addr=envelope_sender(s.MAIL_FROM), to_addrs=[email.to_address]
            )
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()))
            raise _classified(code, reply, "recipient refused") from None
        except smtplib.SMTPAuthenticationError as error:
            self._drop()
            # Wrong credentials are a configuration problem: keep the message for when it is fixed.
            detail = f"{error.smtp_code} {_text(error.smtp_error)}"
            raise TransientDeliveryError(f"SMTP login failed: {detail}") from None
        except smtplib.SMTPResponseException as error:
            self._drop()
            raise _classified(error.smtp_code, error.smtp_error, "server refused the message") from None
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            detail = f"{type(error).__name__}: {error}"
            raise TransientDeliveryError(f"SMTP connection problem: {detail}") from None
        return message_id(email.message_uuid, s.message_id_domain)

    def _drop(self) -> None:
        # After an error the session state is unknown; the next message starts a new connection.
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
            self._connection = None


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _classified(code: int, reply, what: str):
    detail = f"{what}: {code} {_text(reply)}"
    if 500 <= code < 600:
        return PermanentDeliveryError(detail)
    return TransientDeliveryError(detail)
