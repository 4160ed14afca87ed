"""Domain errors raised by services; the web and API layers map them to responses."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", fields: dict[str, str] | None = None):
        super().__init__(message or self.__class__.__doc__ or self.code)
        self.message = message or (self.__class__.__doc__ or self.code).strip()
        self.fields = fields or {}


class NotFound(DomainError):
    """That was not found."""

    status = 404
    code = "not_found"


class NotAllowed(DomainError):
    """You are not allowed to do that."""

    status = 403
    code = "forbidden"


class ValidationFailed(DomainError):
    """Some values were not valid."""

    status = 422
    code = "invalid"


class Conflict(DomainError):
    """That conflicts with something that already exists."""

    status = 409
    code = "conflict"


class AlreadyDone(DomainError):
    """That form was already sent; nothing was done twice."""

    status = 409
    code = "already_done"

    def __init__(self, result: str):
        super().__init__()
        self.result = result  # what the first sending made: a case reference


class InvalidTransition(DomainError):
    """That change is not possible in the current state."""

    status = 409
    code = "invalid_transition"


class RateLimited(DomainError):
    """Too many attempts. Try again later."""

    status = 429
    code = "rate_limited"
