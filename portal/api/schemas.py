"""Shapes every resource shares: the error body, list pages with a cursor, and the base model."""

from __future__ import annotations

import pydantic


class Model(pydantic.BaseModel):
    """Base of the API's models: unknown fields in a request are refused, not ignored."""

    model_config = pydantic.ConfigDict(extra="forbid")


class ErrorDetail(Model):
    code: str = pydantic.Field(description="A stable, machine-readable code, e.g. not_found, invalid.")
    message: str = pydantic.Field(description="What went wrong, in the token user's language.")
    fields: dict[str, str] = pydantic.Field(description="Per-field problems (field name -> message); "
                                                        "may be empty.")


class ErrorBody(Model):
    error: ErrorDetail
