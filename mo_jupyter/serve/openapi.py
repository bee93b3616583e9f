"""An OpenAPI 3.1 document of a deployed app: one operation, ``POST /api/run``."""

from __future__ import annotations

from ..handle.spec import MEDIA, TYPE_SCHEMA

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
FIELD_ERRORS = {
    "type": "object",
    "required": ["errors"],
    "properties": {"errors": {"type": "array", "items": {
        "type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": "string", "examples": ["input.x"]}, "message": {"type": "string"}},
    }}},
}


def _output_schema(param: dict) -> dict:
    value_type = param["value_type"]
    if value_type in MEDIA:
        kind = "image/png" if value_type == "img" else "the file's type"
        schema = {"type": "string", "description": f"a data URL (data:{kind};base64,...)"}
    else:
        schema = dict(TYPE_SCHEMA[value_type])
    if param.get("description"):
        schema["description"] = param["description"] + (f" ({schema['description']})" if "description" in schema else "")
    schema["title"] = param.get("name") or ""
    return schema


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def openapi(spec: dict, request_schema: dict, keyed: bool = False) -> dict:
    """``keyed``: the service has an access key, which /api/run wants in the header X-Mo-Key."""
    body = {k: v for k, v in request_schema.items() if k != "$schema"}  # 3.1 speaks 2020-12: compatible
    outputs = {k: _output_schema(p) for k, p in spec["output"].items()}
    media_inputs = [k for k, p in spec["input"].items() if p["value_type"] in MEDIA]
    note = (f" Media inputs ({', '.join(media_inputs)}) are base64 or data URLs; handle gets a file path."
            if media_inputs else "")
    responses = {
        "200": _json({"type": "object", "required": ["output"],
                      "properties": {"output": {"type": "object", "properties": outputs}}}, "The outputs"),
        "400": _json(ERROR, "The body is not JSON"),
        "401": _json(ERROR, "The access key is missing or wrong (header X-Mo-Key)"),
        "413": _json(ERROR, "The body is too large"),
        "422": _json(FIELD_ERRORS, "Invalid or unknown inputs"),
        "500": _json(ERROR, "handle raised an exception ('<type>: <message>')"),
        "503": _json(ERROR, "Every handle thread is busy and the queue is full: try again later"),
        "504": _json(ERROR, "handle took longer than the timeout"),
    }
    if not keyed:
        del responses["401"]
    doc = {
        "openapi": "3.1.0",
        "info": {"title": spec.get("name") or "Mo app", "version": str(spec.get("version") or "dev"),
                 "description": spec.get("description") or ""},
        "paths": {"/api/run": {"post": {
            "operationId": "run",
            "summary": "Run handle(conf) on the inputs",
            "description": "Inputs left out take their default_value." + note,
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": responses,
        }}},
    }
    if keyed:
        doc["components"] = {"securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Mo-Key"}}}
        doc["security"] = [{"key": []}]
    return doc
