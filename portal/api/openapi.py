"""The OpenAPI 3.1 document, built from the operations' declarations and their pydantic models (so
the document cannot drift from what the code parses and answers), served at /api/v1/openapi.json."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic.json_schema import models_json_schema

from portal.api.framework import OPERATIONS, Operation
from portal.api.schemas import ErrorBody
from portal.api_tokens.service import SCOPES

REF = "#/components/schemas/{model}"
# Every operation may answer these (besides its own): a bad token, a missing scope, a refused body,
# too many requests. 500 is never documented: it is a bug.
COMMON_ERRORS = {
    400: "The request could not be read (e.g. invalid JSON or cursor).",
    401: "No valid API token.",
    403: "The token's user or scopes may not do this.",
    404: "Not found, or not visible to the token's user.",
    405: "Method not allowed on this path.",
    406: "The client does not accept JSON.",
    409: "Conflicts with the current state (e.g. the case is closed).",
    412: "If-Match did not match the current ETag.",
    413: "The request is too large.",
    415: "The body is not JSON.",
    422: "Some values were not valid; error.fields says which.",
    428: "This update needs an If-Match header.",
    429: "Too many requests; retry after Retry-After seconds.",
}
# An operation listing 204 among its errors may answer with no body: the change was made, and took its
# subject out of what the token's user may see.
NO_CONTENT = 204
GONE_FROM_SIGHT = ("Done, but the change took the case out of what the token's user may see (e.g. moved to a "
                   "workgroup they are not in): nothing to show.")
RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": "Requests this token may make in the current minute (writes: the lower write limit).",
    "RateLimit-Remaining": "Requests left in the current minute.",
    "RateLimit-Reset": "Seconds until the current minute ends.",
}
RETRY_AFTER = {"Retry-After": "Seconds to wait before the next request."}
PATH_PARAMETER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _path(rule: str) -> str:
    return "/api/v1" + PATH_PARAMETER.sub(r"{\1}", rule)


def _query_parameters(op: Operation, schemas: dict) -> list[dict]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=REF, mode="validation")
    schemas.update(schema.pop("$defs", {}))
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required, "schema": prop,
             **({"description": prop["description"]} if "description" in prop else {})}
            for name, prop in schema.get("properties", {}).items()]


def _operation(op: Operation, refs: dict) -> tuple[dict, dict]:
    schemas: dict = {}
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in PATH_PARAMETER.findall(op.rule)]
    parameters += _query_parameters(op, schemas)
    if op.method == "POST":
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "minLength": 1, "maxLength": 255},
                           "description": "Retrying with the same key returns the first answer; nothing is "
                                          "done twice."})
    if op.method in ("PUT", "PATCH", "DELETE") or 412 in op.errors:
        parameters.append({"name": "If-Match", "in": "header", "required": 428 in op.errors,
                           "schema": {"type": "string"}, "description": "The ETag the change is based on."})
    success: dict = {"description": op.summary}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    elif op.file:
        success["content"] = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
    headers = dict(op.headers)
    if not op.public:
        headers.update(RATE_LIMIT_HEADERS)
    if op.method == "POST" and not op.public:
        headers["Idempotent-Replayed"] = ("\"true\" when this is the stored answer to an earlier request with the "
                                          "same Idempotency-Key.")
    if headers:
        success["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                              for name, text in headers.items()}
    responses = {str(op.status if op.response is not None or op.file else 204): success}
    error = {"content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}}
    statuses = dict(COMMON_ERRORS) if not op.public else {400: COMMON_ERRORS[400], 404: COMMON_ERRORS[404]}
    for status in op.errors:
        if status == NO_CONTENT:
            responses[str(status)] = {"description": GONE_FROM_SIGHT}
            continue
        statuses.setdefault(status, COMMON_ERRORS.get(status, "Refused."))
    for status, text in sorted(statuses.items()):
        body = op.error_bodies.get(status)
        responses[str(status)] = {"description": text, **(
            {"content": {"application/json": {"schema": refs[(body, "serialization")]}}} if body else error)}
    if "429" in responses:
        responses["429"]["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                                       for name, text in {**RATE_LIMIT_HEADERS, **RETRY_AFTER}.items()}
    document = {"operationId": op.name, "summary": op.summary, "tags": [op.tag], "parameters": parameters,
                "responses": responses}
    if op.description:
        document["description"] = op.description
    if op.body is not None:
        document["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": refs[(op.body, "validation")]}}}
    document["security"] = [] if op.public else [{"token": [op.scope] if op.scope else []}]
    return document, schemas


@lru_cache(maxsize=1)
def document() -> dict:
    models = {(op.response, "serialization") for op in OPERATIONS if op.response is not None}
    models |= {(op.body, "validation") for op in OPERATIONS if op.body is not None}
    models |= {(body, "serialization") for op in OPERATIONS for body in op.error_bodies.values()}
    models.add((ErrorBody, "serialization"))
    ordered = sorted(models, key=lambda pair: (pair[0].__name__, pair[1]))
    refs, defs = models_json_schema(ordered, ref_template=REF)
    schemas = dict(defs.get("$defs", {}))
    paths: dict = {}
    for op in OPERATIONS:
        entry, extra = _operation(op, refs)
        schemas.update(extra)
        paths.setdefault(_path(op.rule), {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Caseport API", "version": "1",
                 "description": "Cases, customers, tasks and the event stream of a Caseport portal. A token "
                                "acts as its user and sees exactly what that user sees in the portal."},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "A personal or service token made on the account page. Scopes: "
                               + "; ".join(SCOPES)}},
        },
    }
