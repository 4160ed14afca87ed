"""The receiving edges: one message on standard input (an MTA's pipe transport) and an LMTP server.

Both store the message and commit before telling the MTA it arrived, then process it in the same process
(LMTP: in a worker thread, after answering). What the MTA hears:

    stored (or already stored: a redelivery)    pipe exit 0 (EX_OK)          LMTP 250 per recipient
    larger than MAIL_IN_MAX_BYTES                pipe exit 73 (EX_CANTCREAT)  LMTP 552 (Postfix bounces it)
    the database cannot take it now              pipe exit 75 (EX_TEMPFAIL)   LMTP 451 (Postfix retries later)

A failure while processing never changes the answer: the message is stored, and the queue keeps it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from portal import settings
from portal.mail_in.process import process_message
from portal.mail_in.store import TooLarge, store_message

log = logging.getLogger(__name__)

EX_OK = 0
EX_CANTCREAT = 73  # Postfix's pipe(8) bounces the message (5.2.0)
EX_TEMPFAIL = 75   # Postfix defers it and tries again

# Test-only: makes the pipe command die (SIGKILL) right after the store committed, as a crash between
# storing and processing would; honoured outside production only.
CRASH_AFTER_STORE = "CASEPORT_MAIL_IN_CRASH_AFTER_STORE"


def receive_piped(raw: bytes, *, envelope_sender: str | None = None, recipients: Sequence[str] = ()) -> int:
    """Store and process one message read from a pipe; the exit status for the MTA."""
    try:
        stored = store_message(raw, envelope_sender=envelope_sender, envelope_recipients=recipients)
    except TooLarge:
        log.warning("refused a message of %d bytes (MAIL_IN_MAX_BYTES)", len(raw))
        return EX_CANTCREAT
    except Exception:  # noqa: BLE001 - the message is not stored: the MTA must keep it and try again
        log.exception("could not store a received message")
        return EX_TEMPFAIL
    if os.environ.get(CRASH_AFTER_STORE) and settings.setting("CASEPORT_ENV") != "production":
        os.kill(os.getpid(), signal.SIGKILL)
    _process_quietly(stored.message.id)
    return EX_OK


def _process_quietly(message_id: int) -> None:
    try:
        process_message(message_id)
    except Exception:  # noqa: BLE001 - stored is what counts; the scheduler job retries what is left
        log.exception("processing inbound message %s failed; the scheduler job will try again", message_id)


class LmtpHandler:
    """aiosmtpd handler: DATA stores in a thread (the database blocks), answers one line per recipient, then
    processes in a worker thread."""

    def __init__(self, config, url_map=None, *, workers: int = 2):
        self.config = config
        self.url_map = url_map
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail-in")

    def _in_settings(self, func, *args, **kwargs):
        with settings.using(self.config, self.url_map):
            return func(*args, **kwargs)

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        recipients = list(envelope.rcpt_tos)
        loop = asyncio.get_running_loop()
        try:
            stored = await loop.run_in_executor(
                self.executor, lambda: self._in_settings(store_message, raw, envelope_sender=envelope.mail_from,
                                                         envelope_recipients=recipients))
        except TooLarge:
            return _per_recipient("552 5.3.4 Message too big", recipients)
        except Exception:  # noqa: BLE001 - not stored: a temporary failure, the MTA retries
            log.exception("could not store a received message")
            return _per_recipient("451 4.3.0 Cannot store the message now, try again later", recipients)
        self.executor.submit(self._in_settings, _process_quietly, stored.message.id)
        return _per_recipient("250 2.0.0 Stored", recipients)

    def close(self) -> None:
        self.executor.shutdown(wait=True)


def _per_recipient(reply: str, recipients: Sequence[str]) -> str:
    """LMTP answers DATA once per accepted recipient (RFC 2033); aiosmtpd sends the lines as one reply."""
    return "\r\n".join([reply] * max(1, len(recipients)))


def lmtp_controller(config, url_map, host: str, port: int):
    """An aiosmtpd controller serving LMTP on host:port (start()/stop()), refusing messages over
    MAIL_IN_MAX_BYTES with 552 while they are sent."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.lmtp import LMTP

    handler = LmtpHandler(config, url_map)
    limit = int(config["MAIL_IN_MAX_BYTES"])

    class LmtpController(Controller):
        def factory(self):
            return LMTP(self.handler, data_size_limit=limit, enable_SMTPUTF8=True, decode_data=False,
                        hostname=host)

        def stop(self, *args, **kwargs):
            try:
                return super().stop(*args, **kwargs)
            finally:
                handler.close()

    return LmtpController(handler, hostname=host, port=port)
