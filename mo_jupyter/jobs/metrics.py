"""The metric-line parser: one output line in, a metric (or a warning) out.

The rules (the seeds' "训练指标的可视化", pinned by tests/unit/test_metrics.py):

- A line that is a JSON object with a string ``metric`` and a ``value`` key is a metric.
- ``value`` int or float (not bool) is charted; NaN / Infinity are kept (``nonfinite``) and
  drawn as gaps; any other JSON value is kept and listed, not charted.
- Optional ``step`` / ``epoch`` must be integers; an integral float (3.0) counts as 3; anything
  else makes the line plain log, with a warning.
- Lines longer than ``MAX_PARSE_BYTES`` are never parsed. Malformed JSON is plain log.
- Nothing raises: every input gives a ``Parsed``.
"""

from __future__ import annotations

import json
import math
from typing import Any, Optional

import orjson

from .metricstore import FLOAT_MAX, INT_BOUND

MAX_PARSE_BYTES = 1024 * 1024

_NONFINITE = {
    "NaN": float("nan"),
    "Infinity": float("inf"),
    "-Infinity": float("-inf"),
}


class Parsed:
    """The outcome of parsing one line: ``metric`` set, or ``warning`` set, or neither."""

    __slots__ = ("metric", "warning")

    def __init__(self, metric: Optional[dict] = None, warning: Optional[str] = None):
        self.metric = metric
        self.warning = warning


PLAIN = Parsed()


def _loads(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    # orjson refuses the NaN / Infinity literals that Python's json.dumps writes.
    if b"NaN" not in raw and b"Infinity" not in raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _integer(name: str, value: Any) -> tuple[Optional[int], Optional[str]]:
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value) and value.is_integer()):
        if -INT_BOUND < value < INT_BOUND:
            return int(value), None
        return None, f"'{name}' is out of range (a 64-bit integer); line kept as log"
    if kind is bool:
        return None, f"'{name}' must be an integer, got a boolean; line kept as log"
    return None, f"'{name}' must be an integer, got {json.dumps(value)[:40]}; line kept as log"


def parse_line(raw: bytes) -> Parsed:
    """Parse one output line (without its newline). Hot path: keep it lean."""
    if b"metric" not in raw or len(raw) > MAX_PARSE_BYTES:
        return PLAIN
    return metric_of(_loads(raw))


def metric_of(obj: Any) -> Parsed:
    """The rules above applied to a line's decoded JSON (``parse_line`` without the decoding)."""
    if type(obj) is not dict:
        return PLAIN
    name = obj.get("metric")
    if type(name) is not str or "value" not in obj:
        return PLAIN
    value = obj["value"]
    if type(value) is int and not -FLOAT_MAX <= value <= FLOAT_MAX:
        return Parsed(warning="'value' is out of range (a double); line kept as log")
    if type(value) is float and not math.isfinite(value):
        nonfinite = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        metric = {"metric": name, "value": None, "nonfinite": nonfinite}
    else:
        metric = {"metric": name, "value": value}
    for key in ("step", "epoch"):
        if key in obj:
            number, warning = _integer(key, obj[key])
            if warning:
                return Parsed(warning=warning)
            metric[key] = number
    return Parsed(metric)


def is_chartable(metric: dict) -> bool:
    """True for a numeric value (drawn) or a non-finite one (drawn as a gap)."""
    if "nonfinite" in metric:
        return True
    value = metric.get("value")
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def numeric_value(metric: dict) -> Optional[float]:
    """The value to draw: a float, NaN for a gap, None for a value that is not charted."""
    if "nonfinite" in metric:
        return _NONFINITE[metric["nonfinite"]]
    if is_chartable(metric):
        return float(metric["value"])
    return None
