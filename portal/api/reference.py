"""The readable API reference: one server-rendered page made from the OpenAPI document (so it says
what the code does), with no script, under the portal's usual layout and CSP."""

from __future__ import annotations

from flask import render_template

from portal.api.framework import bp
from portal.api.openapi import document

METHOD_ORDER = ("get", "post", "put", "patch", "delete")


def type_of(schema: dict) -> str:
    """A short, readable type: "string (date-time)", "list of Case", "CaseStatus or null"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(part) for part in schema["anyOf"])
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kind = schema.get("type", "any")
    if kind == "array":
        return "list of " + type_of(schema.get("items", {}))
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        return "object of " + (type_of(extra) if isinstance(extra, dict) else "any")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _fields(schema: dict) -> list[dict]:
    required = set(schema.get("required", ()))
    return [{"name": name, "type": type_of(prop), "required": name in required,
             "description": prop.get("description", "")}
            for name, prop in schema.get("properties", {}).items()]


def _answer_type(answer: dict) -> str | None:
    """What an answer's body is: its JSON schema's type, "file (bytes)" for a download, None for none."""
    content = answer.get("content")
    if not content:
        return None
    if "application/json" in content:
        return type_of(content["application/json"]["schema"])
    return "file (bytes)"


@bp.get("/reference")
def reference():
    spec = document()
    groups: dict[str, list[dict]] = {}
    for path, methods in spec["paths"].items():
        for method in METHOD_ORDER:
            if method not in methods:
                continue
            op = methods[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            groups.setdefault(op["tags"][0], []).append({
                "id": op["operationId"], "method": method.upper(), "path": path, "summary": op["summary"],
                "description": op.get("description", ""),
                "scopes": [scope for need in op.get("security", []) for scope in need.get("token", [])],
                "public": op.get("security") == [],
                "parameters": [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                                "type": type_of(p["schema"]), "description": p.get("description", "")}
                               for p in op.get("parameters", [])],
                "body": type_of(body) if body else None,
                "responses": [{"status": status, "description": answer["description"],
                               "type": _answer_type(answer)} for status, answer in op["responses"].items()],
            })
    schemas = [{"name": name, "description": schema.get("description", ""), "fields": _fields(schema),
                "type": None if "properties" in schema else type_of(schema)}
               for name, schema in sorted(spec["components"]["schemas"].items())]
    return render_template("api/reference.html", spec=spec, groups=groups, schemas=schemas)
