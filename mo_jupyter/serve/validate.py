"""Request validation: one validator compiled by fastjsonschema from ``request_schema(spec)``.

The fast path is that single compiled call. Only when it fails are the errors gathered one by one
(the body's shape, unknown inputs, missing inputs, then each input with its own compiled validator),
so a 422 lists every bad field at no cost to valid requests. A 422 repeats no input at length: field
names are cut to 200 characters, messages too, and at most ``MAX_ERRORS`` fields are listed."""

from __future__ import annotations

import fastjsonschema

from ..handle.spec import defaults, request_schema
from ..errors import cut

DRAFT7 = "http://json-schema.org/draft-07/schema#"
MAX_ERRORS = 20
FIELD = 200  # characters of a field name or message in a 422


class Invalid(Exception):
    def __init__(self, errors: list[dict]):
        super().__init__(errors[0]["message"] if errors else "invalid request")
        self.errors = errors


def _message(exc: fastjsonschema.JsonSchemaValueException, field: str) -> dict:
    name = exc.name or "data"
    message = exc.message
    if message.startswith(name + " "):
        message = message[len(name) + 1:]
    return {"field": cut(field + name[4:], FIELD), "message": cut(message, FIELD)}


class RequestValidator:
    def __init__(self, spec: dict):
        self.schema = request_schema(spec)
        self._check = fastjsonschema.compile(self.schema)
        shape = self.schema["properties"]["app"]["properties"]["input"]
        self.props: dict = shape["properties"]
        self.required: list = shape["required"]
        self._fields = {k: fastjsonschema.compile({"$schema": DRAFT7, **s}) for k, s in self.props.items()}
        self.defaults = defaults(spec)
        types = {k: p["value_type"] for k, p in (spec.get("input") or {}).items()}
        self._ints = [k for k, t in types.items() if t == "int"]
        self._int_lists = [k for k, t in types.items() if t == "[int]"]
        self._floats = [k for k, t in types.items() if t == "float"]

    def __call__(self, body) -> tuple[dict, dict]:
        """-> (conf for handle: the inputs with defaults filled in, the inputs as sent). Raises Invalid."""
        try:
            self._check(body)
        except fastjsonschema.JsonSchemaValueException as exc:
            raise Invalid(self.errors(body) or [_message(exc, "")]) from None
        given = body["app"]["input"]
        conf = dict(given)
        for k, v in self.defaults.items():
            if k not in conf:
                conf[k] = list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v
        for k in self._ints:  # JSON Schema calls 2.0 an integer: handle gets 2
            if type(conf.get(k)) is float:
                conf[k] = int(conf[k])
        for k in self._floats:  # and 2 a number: handle gets 2.0
            if type(conf.get(k)) is int:
                conf[k] = float(conf[k])
        for k in self._int_lists:
            if k in given and any(type(v) is float for v in given[k]):
                conf[k] = [int(v) for v in given[k]]
        return conf, given

    def errors(self, body) -> list[dict]:
        if not isinstance(body, dict):
            return [{"field": "body", "message": 'must be an object {"app": {"input": {...}}}'}]
        app = body.get("app")
        if not isinstance(app, dict):
            return [{"field": "app", "message": "is required" if app is None else "must be an object"}]
        inp = app.get("input")
        if not isinstance(inp, dict):
            return [{"field": "input", "message": "is required" if inp is None else "must be an object"}]
        errors = []
        known = cut(", ".join(self.props) or "none", FIELD)
        unknown = [key for key in inp if key not in self.props]
        for key in unknown[:MAX_ERRORS]:
            errors.append({"field": cut(f"input.{key}", FIELD), "message": f"is not an input of this app (inputs: {known})"})
        for key in self.required:
            if key not in inp:
                errors.append({"field": f"input.{key}", "message": "is required"})
        for key, check in self._fields.items():
            if key not in inp:
                continue
            try:
                check(inp[key])
            except fastjsonschema.JsonSchemaValueException as exc:
                errors.append(_message(exc, f"input.{key}"))
        more = len(errors) - MAX_ERRORS + max(0, len(unknown) - MAX_ERRORS)
        if more > 0:
            errors = errors[:MAX_ERRORS] + [{"field": "input", "message": f"and {more} more problems"}]
        return errors
