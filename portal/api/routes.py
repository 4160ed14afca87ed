"""The API blueprint with every resource registered, and the OpenAPI document."""

from __future__ import annotations

import json

from portal.api import reference  # noqa: F401 -- the readable reference page
from portal.api.framework import bp, json_response
from portal.api.openapi import document
from portal.api.resources import events, me  # noqa: F401 -- registers the operations

__all__ = ["bp"]


@bp.get("/openapi.json")
def openapi_document():
    return json_response(json.dumps(document()), 200)
