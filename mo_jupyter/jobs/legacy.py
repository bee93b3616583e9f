"""Job folders written before the raw log's index (``events.jsonl`` + ``metrics.jsonl``).

They are read as they are (``tail.LegacySource``, ``JobService.metrics``). The one case that writes
to one is a supervisor re-attaching to a job that still runs (a container that outlived its first
supervisor across an upgrade): ``migrate`` first gives the folder the index layout, keeping every
seq number a client may hold, so the new supervisor goes on numbering, skips the lines that are on
disk already, and readers see one history.
"""

from __future__ import annotations

import os
from pathlib import Path

import orjson

from .metricstore import MetricWriter
from .outindex import EVENT, INDEX, NO_STREAM, NOTES, STREAMS, pack
from .records import EVENTS, open_regular

MAX_EVENTS_BYTES = 4 * 1024 * 1024 * 1024


def migrate(job_path: Path) -> None:
    """Index an older folder's events: each log and status event becomes a note (same seq), each
    metric a point of its series carrying its line's seq (older servers numbered it one after)."""
    job_path = Path(job_path)
    if os.path.lexists(job_path / INDEX) or not os.path.lexists(job_path / EVENTS):
        return
    with open_regular(job_path / EVENTS) as f:
        data = f.read(MAX_EVENTS_BYTES)
    metrics = MetricWriter(job_path)
    records, notes, off = [], [], 0
    for raw in data.split(b"\n"):
        if not raw:
            continue
        try:
            event = orjson.loads(raw)
        except orjson.JSONDecodeError:
            break  # a torn last line: the dead supervisor did not finish it
        if not isinstance(event, dict) or not isinstance(event.get("seq"), int):
            continue
        kind = event.get("type")
        if kind == "metric":
            series = metrics.series(str(event.get("metric")), "mo")
            if series is not None:
                metrics.add(series, event["seq"] - 1, event)
            continue
        if kind not in ("log", "status"):
            continue
        line = orjson.dumps(event) + b"\n"
        stream = STREAMS.index(event["stream"]) if event.get("stream") in STREAMS else NO_STREAM
        records.append((EVENT, stream, 0, 1, event["seq"], off, len(line) - 1, float(event.get("t") or 0)))
        notes.append(line)
        off += len(line)
    metrics.flush()
    metrics.close()
    with open(job_path / NOTES, "ab") as f:
        f.write(b"".join(notes))
    with open(job_path / INDEX, "ab") as f:  # last: the folder reads as indexed once this exists
        f.write(pack(records))
