"""The metric series of the job that wrote a model, kept with the model (``<version>/metrics.jsonl``,
the lines of the job's own metrics store) so that its charts outlive the job. Bounded: a series of
more than MAX_SERIES_BYTES is not kept (the lineage's last/best/steps still are)."""

from __future__ import annotations

from pathlib import Path

import orjson

from ..errors import Conflict
from ..jobs.records import RecordError, open_regular

SERIES = "metrics.jsonl"
MAX_SERIES_BYTES = 64 * 1024 * 1024


def write_series(folder: Path, metrics: list) -> bool:
    """``metrics`` (a job's metric records) as ``folder/metrics.jsonl``; False when over the bound."""
    data = b"".join(orjson.dumps(m) + b"\n" for m in metrics if isinstance(m, dict))
    if not data or len(data) > MAX_SERIES_BYTES:
        return False
    (Path(folder) / SERIES).write_bytes(data)
    return True


def read_series(folder: Path) -> list[dict]:
    """The kept series ([] when none was kept); a line that is not a JSON object is left out."""
    try:
        with open_regular(Path(folder) / SERIES) as f:
            data = f.read(MAX_SERIES_BYTES + 1)
    except FileNotFoundError:
        return []
    except (RecordError, OSError) as exc:
        raise Conflict(f"the model's metrics cannot be read: {exc}") from None
    out = []
    for line in data[:MAX_SERIES_BYTES].split(b"\n"):
        if line:
            try:
                item = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue
            if isinstance(item, dict):
                out.append(item)
    return out
