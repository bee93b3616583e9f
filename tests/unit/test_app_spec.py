"""app_spec.yml: Mo's legacy keys read, every schema problem listed, ranges compiled into the
request schema that the app server validates with."""

from __future__ import annotations

import pytest
import yaml
from jsonschema import Draft7Validator

from mo_jupyter.errors import BadRequest
from mo_jupyter.handle.spec import defaults, dump_app_spec, load_app_spec, parse_range, request_schema, validate

LEGACY = """
input:
  img:
    type: img
    des: a 28x28 digit
    required: true
  threshold:
    value_type: float
    default: 0.5
    value_range: 0-1
  mode:
    value_type: str
    value_range: [fast, exact]
    optional: true
output:
  digit:
    type: int
    des: the digit
"""


def test_legacy_keys_are_read(tmp_path):
    (tmp_path / "app_spec.yml").write_text(LEGACY)
    spec = load_app_spec(tmp_path / "app_spec.yml")
    assert spec["input"]["img"] == {"name": "img", "value_type": "img", "description": "a 28x28 digit", "optional": False}
    assert spec["input"]["threshold"]["default_value"] == 0.5
    assert spec["output"]["digit"] == {"name": "digit", "value_type": "int", "description": "the digit"}
    assert defaults(spec) == {"threshold": 0.5}


def test_round_trip_through_yaml():
    spec = validate(yaml.safe_load(LEGACY))
    again = validate(yaml.safe_load(dump_app_spec(spec)))
    assert again == spec
    assert "des:" not in dump_app_spec(spec) and "description: a 28x28 digit" in dump_app_spec(spec)


def test_every_problem_is_listed():
    with pytest.raises(BadRequest) as err:
        validate({"input": {"x": {"value_type": "double"}, "bad key": {"value_type": "int"}},
                  "output": {"y": {"description": "no type"}}})
    message = err.value.message
    assert "input/x/value_type" in message and "bad key" in message and "output/y" in message


@pytest.mark.parametrize("value_range,expected", [
    ([1, 2, 3], {"enum": [1, 2, 3]}),
    ("0-10", {"minimum": 0, "maximum": 10}),
    ("-5-5", {"minimum": -5, "maximum": 5}),
    (">=0.5", {"minimum": 0.5}),
    ("<=3", {"maximum": 3}),
    ({"min": 1}, {"minimum": 1}),
    ({"min": 1, "max": 2}, {"minimum": 1, "maximum": 2}),
])
def test_ranges(value_range, expected):
    assert parse_range(value_range, "float") == expected


def test_empty_or_malformed_ranges_are_refused():
    with pytest.raises(BadRequest, match="empty"):
        validate({"input": {"x": {"value_type": "int", "value_range": "10-1"}}, "output": {}})
    with pytest.raises(BadRequest, match="value_range"):
        validate({"input": {"x": {"value_type": "int", "value_range": "about 3"}}, "output": {}})


def test_request_schema_checks_types_ranges_choices_and_required():
    spec = validate(yaml.safe_load(LEGACY))
    v = Draft7Validator(request_schema(spec))
    ok = {"app": {"input": {"img": "aGVsbG8=", "threshold": 0.2, "mode": "fast"}}}
    assert list(v.iter_errors(ok)) == []
    assert not v.is_valid({"app": {"input": {"threshold": 0.2}}})  # img is required
    assert not v.is_valid({"app": {"input": {"img": "x", "threshold": 2}}})  # out of range
    assert not v.is_valid({"app": {"input": {"img": "x", "mode": "slow"}}})  # not a choice
    assert not v.is_valid({"app": {"input": {"img": "x", "extra": 1}}})  # unknown input
    assert not v.is_valid({"app": {"input": {"img": ""}}})  # empty media
    assert v.is_valid({"app": {"input": {"img": "x"}}})  # threshold has a default, mode is optional
