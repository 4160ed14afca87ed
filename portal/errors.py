"""Domain errors raised by services; the web and API layers map them to responses.

A service says what went wrong with a code (the class) and a message marked for translation with
its parameters (`_l("Case %(ref)s is closed.", ref=...)`): the message is put into words in the
reader's language only when a page, the API or the CLI shows it."""

from __future__ import annotations

from portal.i18n import _l


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("That did not work.")

    def __init__(self, message: str = "", fields: dict[str, str] | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)
        self.fields = fields or {}

    def __str__(self) -> str:
        return str(self.message)


class NotFound(DomainError):
    default_message = _l("That was not found.")
    status = 404
    code = "not_found"


class NotAllowed(DomainError):
    default_message = _l("You are not allowed to do that.")
    status = 403
    code = "forbidden"


class ValidationFailed(DomainError):
    default_message = _l("Some values were not valid.")
    status = 422
    code = "invalid"


class Conflict(DomainError):
    default_message = _l("That conflicts with something that already exists.")
    status = 409
    code = "conflict"


class AlreadyDone(DomainError):
    default_message = _l("That form was already sent; nothing was done twice.")
    status = 409
    code = "already_done"

    def __init__(self, result: str):
        super().__init__()
        self.result = result  # what the first sending made: a case reference


class InvalidTransition(DomainError):
    default_message = _l("That change is not possible in the current state.")
    status = 409
    code = "invalid_transition"


class RateLimited(DomainError):
    default_message = _l("Too many attempts. Try again later.")
    status = 429
    code = "rate_limited"
