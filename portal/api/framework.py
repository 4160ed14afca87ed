"""Declaring API operations: one decorator gives a view its authentication, scope check, strict
parsing of the query and JSON body (pydantic), the error shape, and its entry in the OpenAPI document.

    @operation("/cases/<reference>", "GET", scope="cases:read", tag="Cases", summary="Get a case",
               response=CaseOut)
    def get_case(reference: str) -> CaseOut: ...

A handler receives path parameters by name, `query=` and `body=` as parsed models, and returns a
pydantic model (200 or the operation's status) or a Reply (another status, headers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

import pydantic
from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from portal.api import idempotency, rate_limits
from portal.api_tokens.service import SCOPES, authenticate
from portal.clock import utcnow
from portal.errors import DomainError
from portal.i18n import _l
from portal.web_helpers import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer tokens only (see the package docstring): nothing here trusts a cookie.
csrf.exempt(bp)

JSON = "application/json"


@dataclass
class Operation:
    rule: str
    method: str
    name: str
    summary: str
    tag: str
    scope: str | None
    public: bool = False
    description: str = ""
    query: type[pydantic.BaseModel] | None = None
    body: type[pydantic.BaseModel] | None = None
    response: type[pydantic.BaseModel] | None = None
    status: int = 200
    # Statuses this operation answers besides its own and the ones every operation may answer.
    errors: tuple[int, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # response header -> description
    # Error statuses whose body says more than ErrorBody (e.g. the candidates of a possible duplicate).
    error_bodies: dict[int, type[pydantic.BaseModel]] = field(default_factory=dict)
    # The operation answers with a file's bytes (a Flask Response the handler builds), not JSON.
    file: bool = False


OPERATIONS: list[Operation] = []


@dataclass
class Reply:
    """A handler's answer when it is not a plain 200 (or the operation's status) with no headers."""

    model: pydantic.BaseModel | None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class ApiError(Exception):
    """An API-level refusal (authentication, scope, body shape) in the documented error shape."""

    def __init__(self, status: int, code: str, message, fields: dict | None = None,
                 headers: dict[str, str] | None = None, extra: dict | None = None):
        super().__init__(str(message))
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}
        # More members of the error object (JSON-ready), declared by the operation's error_bodies.
        self.extra = extra or {}


NO_TOKEN = _l("Send an API token in the Authorization header: Bearer <token>.")
BAD_TOKEN = _l("This API token is not valid: it is unknown, expired or revoked, or its user was deactivated.")
NOT_JSON = _l("Send the request body as JSON (Content-Type: application/json).")
BAD_JSON = _l("The request body is not valid JSON.")
BAD_VALUES = _l("Some values were not valid.")


def operation(rule: str, method: str = "GET", *, summary: str, tag: str, scope: str | None,
              response: type[pydantic.BaseModel] | None = None, query: type[pydantic.BaseModel] | None = None,
              body: type[pydantic.BaseModel] | None = None, status: int = 200, errors: tuple[int, ...] = (),
              description: str = "", headers: dict[str, str] | None = None, public: bool = False,
              error_bodies: dict[int, type[pydantic.BaseModel]] | None = None, file: bool = False) -> Callable:
    """Register fn as the API operation `method rule` (rule relative to /api/v1). scope=None: any valid
    token; public=True: no token at all (the OpenAPI document); file=True: fn answers with a file's bytes
    (a Response)."""
    if scope is not None and scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}")

    def decorate(fn: Callable) -> Callable:
        op = Operation(rule=rule, method=method, name=fn.__name__, summary=summary, tag=tag, scope=scope,
                       public=public, description=description or (fn.__doc__ or "").strip(), query=query, body=body,
                       response=response, status=status, errors=errors, headers=headers or {},
                       error_bodies=error_bodies or {}, file=file)
        OPERATIONS.append(op)

        def handle(path: dict) -> Response:
            if query is not None:
                path["query"] = parse_query(query)
            if body is not None:
                path["body"] = parse_body(body)
            return respond(op, fn(**path))

        @wraps(fn)
        def view(**path):
            if public:
                return handle(path)
            authorize(scope)
            key = request.headers.get(idempotency.HEADER) if method == "POST" else None
            if key is None:
                return handle(path)
            problem = idempotency.key_problem(key)
            if problem:
                raise ApiError(400, "invalid_idempotency_key", problem, {idempotency.HEADER: problem})
            return idempotency.run_once(current_token().user_id, key, lambda: handle(path), json_response,
                                        lambda: ApiError(422, "idempotency_key_reused", idempotency.KEY_REUSED,
                                                         {idempotency.HEADER: idempotency.KEY_REUSED}))

        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[method])
        return fn

    return decorate


def authorize(scope: str | None) -> None:
    """Authenticate the bearer token and act as its user for this request; refuse a missing scope."""
    header = request.headers.get("Authorization", "")
    kind, _, secret = header.partition(" ")
    if kind.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "unauthenticated", NO_TOKEN, headers={"WWW-Authenticate": 'Bearer realm="caseport"'})
    token = authenticate(secret.strip())
    if token is None:
        raise ApiError(401, "invalid_token", BAD_TOKEN,
                       headers={"WWW-Authenticate": 'Bearer realm="caseport", error="invalid_token"'})
    # Flask-Login's current user for this request only (nothing is written to the session): the
    # request's language, time zone and every policy check are this token's user's.
    g._login_user = token.user
    g.api_token = token
    usage = rate_limits.count_request(token.id, request.method, utcnow())
    g.api_rate_usage = usage
    if not usage.allowed:
        raise ApiError(429, "rate_limited", _l("Too many requests with this API token. Retry after %(seconds)d "
                                               "seconds.", seconds=usage.reset), headers=usage.headers())
    if scope is not None and scope not in token.scopes:
        raise ApiError(403, "insufficient_scope", _l("This API token lacks the permission %(scope)s.", scope=scope),
                       headers={"WWW-Authenticate": f'Bearer realm="caseport", error="insufficient_scope", '
                                                    f'scope="{scope}"'})


def current_token():
    return g.api_token


def _fields(exc: pydantic.ValidationError) -> dict[str, str]:
    problems: dict[str, str] = {}
    for error in exc.errors(include_url=False, include_input=False, include_context=False):
        name = ".".join(str(part) for part in error["loc"]) or "body"
        problems.setdefault(name, error["msg"])
    return problems


def parse_query(model: type[pydantic.BaseModel]) -> pydantic.BaseModel:
    """The query string as model (lax: a query string has only text, so "5" is read as 5). A
    parameter given twice is a list where the model says list, else refused."""
    values: dict = {}
    for name in request.args:
        given = request.args.getlist(name)
        annotation = model.model_fields[name].annotation if name in model.model_fields else None
        values[name] = given if "list" in str(annotation).lower() else (given[0] if len(given) == 1 else given)
    try:
        return model.model_validate(values)
    except pydantic.ValidationError as exc:
        raise ApiError(422, "invalid", BAD_VALUES, _fields(exc)) from None


def parse_body(model: type[pydantic.BaseModel]) -> pydantic.BaseModel:
    """The JSON body as model, strictly (a "5" is not a number, an unknown field is refused)."""
    if request.mimetype != JSON:
        raise ApiError(415, "unsupported_media_type", NOT_JSON)
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"null", strict=True)
    except pydantic.ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise ApiError(400, "invalid_json", BAD_JSON) from None
        raise ApiError(422, "invalid", BAD_VALUES, _fields(exc)) from None


def json_response(payload: bytes | str, status: int, headers: dict[str, str] | None = None) -> Response:
    response = Response(payload, status=status, mimetype=JSON)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def respond(op: Operation, result) -> Response:
    if op.file:
        return result
    reply = result if isinstance(result, Reply) else Reply(result)
    status = reply.status or op.status
    if reply.model is None:
        return json_response(b"", 204, reply.headers)
    return json_response(reply.model.model_dump_json(), status, reply.headers)


def error_body(status: int, code: str, message, fields: dict | None = None, headers: dict | None = None,
               extra: dict | None = None) -> Response:
    body = {"error": {"code": code, "message": str(message),
                      "fields": {name: str(problem) for name, problem in (fields or {}).items()}, **(extra or {})}}
    return json_response(pydantic.TypeAdapter(dict).dump_json(body), status, headers)


@bp.after_request
def _rate_limit_headers(response: Response) -> Response:
    usage = g.get("api_rate_usage")
    if usage is not None:
        for name, value in usage.headers().items():
            response.headers.setdefault(name, value)
    return response


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error_body(exc.status, exc.code, exc.message, exc.fields, exc.headers, exc.extra)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(int(retry_after))
    return error_body(exc.status, exc.code, exc.message, exc.fields, headers)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    codes = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
             415: "unsupported_media_type"}
    return error_body(exc.code or 500, codes.get(exc.code, "error"), exc.description or exc.name)
