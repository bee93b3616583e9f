"""Every rule of the metric-line format (seeds: 训练指标的可视化), plus fuzzing."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mo_jupyter.jobs.metrics import MAX_PARSE_BYTES, is_chartable, numeric_value, parse_line


def p(line):
    return parse_line(line.encode() if isinstance(line, str) else line)


def test_seed_examples_are_metrics():
    assert p('{"metric": "accuracy", "value": 0.985}').metric == {"metric": "accuracy", "value": 0.985}
    assert p('{"metric": "loss", "value": 2.2233}').metric["value"] == 2.2233
    assert p('{"metric": "accuracy", "value": 0.985, "epoch": 3}').metric == {
        "metric": "accuracy", "value": 0.985, "epoch": 3}
    assert p('{"metric": "m", "value": 7, "step": 12}').metric == {"metric": "m", "value": 7, "step": 12}


def test_int_and_float_are_charted_bool_is_not():
    assert is_chartable(p('{"metric": "a", "value": 3}').metric)
    assert is_chartable(p('{"metric": "a", "value": -1.5e-3}').metric)
    m = p('{"metric": "a", "value": true}').metric
    assert m == {"metric": "a", "value": True} and not is_chartable(m) and numeric_value(m) is None


@pytest.mark.parametrize("literal,name", [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity")])
def test_nonfinite_values_are_kept_as_gaps(literal, name):
    m = p('{"metric": "loss", "value": %s, "step": 2}' % literal).metric
    assert m == {"metric": "loss", "value": None, "nonfinite": name, "step": 2}
    assert is_chartable(m)
    v = numeric_value(m)
    assert (math.isnan(v) if name == "NaN" else v == float(name.replace("Infinity", "inf")))


def test_python_json_dumps_of_nan_is_understood():
    m = p(json.dumps({"metric": "x", "value": float("nan")})).metric
    assert m["nonfinite"] == "NaN"


@pytest.mark.parametrize("value", ['"high"', "[1, 2]", '{"a": 1}', "null", '"NaN"'])
def test_other_values_are_kept_but_not_charted(value):
    m = p('{"metric": "note", "value": %s}' % value).metric
    assert m is not None and m["value"] == json.loads(value)
    assert not is_chartable(m) and "nonfinite" not in m


@pytest.mark.parametrize("key", ["step", "epoch"])
def test_integral_float_step_counts_as_integer(key):
    m = p('{"metric": "a", "value": 1, "%s": 3.0}' % key).metric
    assert m[key] == 3 and isinstance(m[key], int)


@pytest.mark.parametrize("key", ["step", "epoch"])
@pytest.mark.parametrize("bad", ["1.5", '"3"', "true", "null", "[1]", "NaN"])
def test_bad_step_or_epoch_makes_plain_log_with_warning(key, bad):
    parsed = p('{"metric": "a", "value": 1, "%s": %s}' % (key, bad))
    assert parsed.metric is None
    assert parsed.warning and key in parsed.warning and "log" in parsed.warning


@pytest.mark.parametrize(
    "line",
    [
        "plain text",
        "",
        "{",
        '{"metric": "a"}',  # no value
        '{"metric": 3, "value": 1}',  # metric not a string
        '{"name": "a", "value": 1}',
        '["metric", "value"]',
        '{"metric": "a", "value": 1',  # malformed
        '"metric"',
        "Epoch 1/12 {metric}",
    ],
)
def test_non_metrics_are_plain_log_without_warning(line):
    parsed = p(line)
    assert parsed.metric is None and parsed.warning is None


def test_surrounding_whitespace_is_allowed():
    assert p('   {"metric": "a", "value": 1}  \r').metric == {"metric": "a", "value": 1}


def test_lines_over_one_mib_are_never_parsed():
    pad = " " * (MAX_PARSE_BYTES)
    line = '{"metric": "a", "value": 1}' + pad
    assert len(line) > MAX_PARSE_BYTES
    assert p(line).metric is None and p(line).warning is None
    assert p('{"metric": "a", "value": 1}' + " " * (MAX_PARSE_BYTES - 40)).metric is not None


def test_deep_nesting_does_not_crash():
    line = '{"metric": "a", "value": ' + "[" * 100000 + "]" * 100000 + "}"
    parsed = p(line)
    assert parsed.warning is None  # kept as log or as a listed value: never an exception


def test_invalid_utf8_is_plain_log():
    assert p(b'{"metric": "\xff", "value": 1}').metric is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=5,
)


@settings(max_examples=10_000, deadline=None, derandomize=True)
@given(
    st.one_of(
        st.binary(max_size=80),
        st.text(max_size=80).map(str.encode),
        st.fixed_dictionaries(
            {"metric": st.one_of(st.text(max_size=8), json_values), "value": json_values},
            optional={"step": json_values, "epoch": json_values},
        ).map(lambda d: json.dumps(d).encode()),
    )
)
def test_fuzz_never_raises_and_charts_only_numbers(line):
    parsed = parse_line(line)
    if parsed.metric is None:
        return
    m = parsed.metric
    obj = json.loads(line)
    assert isinstance(m["metric"], str) and m["metric"] == obj["metric"]
    for key in ("step", "epoch"):
        if key in m:
            assert type(m[key]) is int and m[key] == obj[key]
    value = numeric_value(m)
    if value is not None:  # charted: only a real int/float from the line
        raw = obj["value"]
        assert isinstance(raw, (int, float)) and not isinstance(raw, bool)
        assert (math.isnan(value) and math.isnan(raw)) or value == float(raw)  # charted as a double


def test_numbers_out_of_the_columns_range_are_plain_log_with_a_warning():
    from mo_jupyter.jobs.metrics import metric_of, parse_line

    for raw in (b'{"metric": "a", "value": 1, "step": 18446744073709551616}',
                b'{"metric": "a", "value": 1, "epoch": -9223372036854775808}',
                b'{"metric": "a", "value": 1, "step": 1e30}'):
        parsed = parse_line(raw)
        assert parsed.metric is None and "out of range" in parsed.warning, raw
    parsed = metric_of({"metric": "a", "value": 10**400})  # Python's json reads such an integer
    assert parsed.metric is None and "out of range" in parsed.warning
    assert parse_line(b'{"metric": "a", "value": 1, "step": 9223372036854775807}').metric["step"] == 2**63 - 1
