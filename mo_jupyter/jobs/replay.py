"""Reading a job's output back from ``output.log`` + ``output.idx`` + the metric columns, as the
websocket sends it: frames of type ``lines`` that each cover a run of seq numbers,

    {"type": "lines", "seq": first, "next": last + 1,
     "chunks": [[seq, t, stream, text], ...],   # text: n lines joined by "\\n", seq of the first
     "events": [...],                          # log lines shown otherwise, status changes
     "metrics": [{"metric", "source", "seq": [..], "value": [..], "time": [..], "step"?: [..],
                  "epoch"?: [..], "nonfinite"?: {i: "NaN"}, "other"?: {i: value}}, ...]}

The client expands a frame into the ``log`` / ``status`` / ``metric`` events of older servers. A
replay is a few large reads and C-speed encoding: no line is parsed again.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Optional

import numpy as np
import orjson

from .metricstore import MISSING, read_columns
from .outindex import EVENT, LINES, NOTES, STREAMS, find_since, read_index, times_of
from .output import display
from .records import OUTPUT, RecordError, open_regular

FRAME_BYTES = 2 * 1024 * 1024
_NONFINITE_NAMES = {True: "Infinity", False: "-Infinity"}


class OutputReader:
    """One reader's position in a job's output (one per websocket)."""

    def __init__(self, job_path: Path, metrics_after: int = 0):
        self.path = Path(job_path)
        self.record = 0  # the next index record to read
        self.since = 0   # seqs up to this one were sent
        self.metrics_after = metrics_after  # the client has the metrics up to this seq
        self.cursor: dict[int, int] = {}  # each metric series' next row to send

    def seek_after(self, since: int) -> None:
        self.since = max(0, since)
        self.cursor = {}
        self.record = find_since(read_index(self.path), self.since)

    def read(self, max_bytes: int = FRAME_BYTES) -> Optional[bytes]:
        """The next frame (JSON bytes), or None when no complete record is new."""
        while True:
            index = read_index(self.path, self.record)
            if not len(index):
                return None
            sizes = np.where(index["kind"] == LINES, index["len"], 0).cumsum()
            take = max(1, int(np.searchsorted(sizes, max_bytes, side="right")))
            records = index[:take]
            self.record += take
            frame = build_frame(self.path, records, self.since, self.metrics_after, self.cursor)
            self.since = max(self.since, frame["next"] - 1)
            if frame["chunks"] or frame["events"] or frame["metrics"]:
                return orjson.dumps(frame, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def _read_spans(path: Path, records: np.ndarray) -> dict[int, bytes]:
    """The bytes of each LINES record, by its offset, in as few reads as contiguity allows."""
    lines = records[records["kind"] == LINES]
    out: dict[int, bytes] = {}
    if not len(lines):
        return out
    offs, lens = lines["off"].tolist(), lines["len"].tolist()
    try:
        f = open_regular(path / OUTPUT)
    except (FileNotFoundError, RecordError):
        return out
    with f:
        i = 0
        while i < len(offs):
            j, end = i, offs[i] + lens[i]
            while j + 1 < len(offs) and offs[j + 1] == end:
                j += 1
                end += lens[j]
            f.seek(offs[i])
            data = f.read(end - offs[i])
            for k in range(i, j + 1):
                start = offs[k] - offs[i]
                out[offs[k]] = data[start : start + lens[k]]
            i = j + 1
    return out


def _text(data: bytes) -> str:
    """A run of complete lines as shown: the last state of '\\r' bars, UTF-8 with replacements."""
    data = data[:-1] if data.endswith(b"\n") else data
    if b"\r" in data:
        return "\n".join(display(line) for line in data.split(b"\n"))
    return data.decode("utf-8", errors="replace")


def build_frame(path: Path, records: np.ndarray, since: int, metrics_after: int = 0,
                cursor: Optional[dict] = None) -> dict:
    first = int(records["seq"][0])
    last = int(records["seq"][-1]) + int(records["n"][-1]) - 1
    spans = _read_spans(path, records)
    chunks, events = [], []
    notes = read_notes(path, records)
    for rec in records.tolist():
        kind, stream, _flags, n, seq, off, length, t = rec
        if kind == LINES:
            data = spans.get(off)
            if data is None:
                continue
            if seq <= since:  # a reader that resumes inside this run: the lines it has are left out
                skip = since - seq + 1
                if skip >= n:
                    continue
                cut = 0
                for _ in range(skip):
                    cut = data.index(b"\n", cut) + 1
                data, seq = data[cut:], seq + skip
            chunks.append([seq, t, STREAMS[stream] if stream < 2 else "stdout", _text(data)])
        elif kind == EVENT:
            event = notes.get(off)
            if event is None or event.get("type") == "points" or (n and seq <= since):
                continue
            events.append(event)
    lo = max(first - 1, since, metrics_after)
    metrics = series_frames(path, records, read_columns(path, last, lo, cursor)) if last > lo else []
    return {"type": "lines", "seq": max(first, since + 1), "next": last + 1, "chunks": chunks, "events": events,
            "metrics": metrics}


def read_notes(path: Path, records: np.ndarray) -> dict[int, dict]:
    """The JSON events (``notes.jsonl``) of the EVENT records among ``records``, by offset."""
    events = records[records["kind"] == EVENT]
    if not len(events):
        return {}
    lo = int(events["off"][0])
    hi = int(events["off"][-1] + events["len"][-1])
    try:
        with open_regular(path / NOTES) as f:
            f.seek(lo)
            data = f.read(hi - lo)
    except (FileNotFoundError, RecordError):
        return {}
    out = {}
    for off, length in zip(events["off"].tolist(), events["len"].tolist()):
        try:
            out[off] = orjson.loads(data[off - lo : off - lo + length])
        except orjson.JSONDecodeError:
            continue
    return out


def series_frames(path: Path, index: np.ndarray, columns: list[dict]) -> list[dict]:
    """Columns ready for JSON: times filled in from the index, missing steps as null, non-finite
    values named."""
    out = []
    for col in columns:
        seq, value = col["seq"], col["value"]
        item = {"metric": col["metric"], "source": col["source"], "seq": seq, "value": value}
        own = col.get("time")
        times = times_of(index, seq)
        if own is not None:
            times = np.where(np.isnan(own), times, own)
        item["time"] = times
        for key in ("step", "epoch"):
            arr = col.get(key)
            if arr is not None:
                missing = arr == MISSING
                item[key] = np.where(missing, np.nan, arr.astype(np.float64)) if missing.any() else arr
        finite = np.isfinite(value)
        if not finite.all():
            other = col.get("other", {})
            nonfinite = {}
            for i in np.flatnonzero(~finite).tolist():
                if i not in other:
                    v = value[i]
                    nonfinite[i] = "NaN" if np.isnan(v) else _NONFINITE_NAMES[bool(v > 0)]
            if nonfinite:
                item["nonfinite"] = nonfinite
            if other:
                item["other"] = other
        out.append(item)
    return out


def metric_columns(path: Path) -> dict:
    """Every metric of a job as columns (``GET .../metrics?format=columns``)."""
    index = read_index(path)
    last = 0
    if len(index):
        covering = index[index["n"] > 0]
        if len(covering):
            last = int(covering["seq"][-1]) + int(covering["n"][-1]) - 1
    return {"series": series_frames(path, index, read_columns(path, last)), "seq": last}


def metric_records(path: Path) -> list[dict]:
    """Every metric as the records older servers listed (one dict per point, in seq order)."""
    out = []
    for s in metric_columns(path)["series"]:
        name, source = s["metric"], s["source"]
        nonfinite, other = s.get("nonfinite", {}), s.get("other", {})
        cols = {k: s[k].tolist() for k in ("seq", "value", "time", "step", "epoch") if k in s}
        for i in range(len(cols["seq"])):
            point = {"metric": name, "value": cols["value"][i], "time": cols["time"][i], "seq": cols["seq"][i],
                     "source": source}
            for key in ("step", "epoch"):
                if key in cols and cols[key][i] == cols[key][i]:  # not NaN
                    point[key] = int(cols[key][i])
            if i in other:
                point["value"] = other[i]
            elif i in nonfinite:
                point["value"], point["nonfinite"] = None, nonfinite[i]
            out.append(point)
    out.sort(key=lambda p: p["seq"])
    return out


def legacy_columns(points: list[dict]) -> dict:
    """An older job's metric records (``metrics.jsonl``) in the columns of ``metric_columns``."""
    series: dict[str, dict] = {}
    for p in points:
        s = series.get(p.get("metric"))
        if s is None:
            s = series[p.get("metric")] = {"metric": p.get("metric"), "source": "mo", "seq": [], "value": [],
                                           "time": [], "step": [], "epoch": []}
        i = len(s["seq"])
        s["seq"].append(p.get("seq", 0))
        s["time"].append(p.get("time", 0.0))
        s["step"].append(p.get("step"))
        s["epoch"].append(p.get("epoch"))
        value = p.get("value")
        if "nonfinite" in p:
            s.setdefault("nonfinite", {})[i] = p["nonfinite"]
            value = None
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            s.setdefault("other", {})[i] = value
            value = None
        s["value"].append(value)
    for s in series.values():
        for key in ("step", "epoch"):
            if all(v is None for v in s[key]):
                del s[key]
    last = max((p.get("seq", 0) for p in points), default=0)
    return {"series": list(series.values()), "seq": last}


def tail_lines(path: Path, limit: int) -> dict[str, list[str]]:
    """The log lines among (about) the last ``limit`` bytes of output, by stream."""
    index = read_index(path)
    sizes = np.where(index["kind"] == LINES, index["len"], 1)[::-1].cumsum()
    start = len(index) - int(np.searchsorted(sizes, limit, side="right")) - 1
    records = index[max(0, start):]
    out: dict[str, list[str]] = {"stdout": [], "stderr": []}
    if not len(records):
        return out
    frame = build_frame(path, records, 0)
    merged = [(c[0], c[2], c[3].split("\n")) for c in frame["chunks"]]
    merged += [(e["seq"], e.get("stream"), [e.get("line", "")]) for e in frame["events"] if e.get("type") == "log"]
    for _seq, stream, lines in sorted(merged, key=lambda x: x[0]):
        if stream in out:
            out[stream].extend(lines)
    return out


def expand(frame: dict) -> list[dict]:
    """A ``lines`` frame as the events it stands for (what labextension/src/stream.ts does, but for
    the order: here each line's metrics follow it, so that events compare across framings)."""
    enabled = gc.isenabled()
    gc.disable()  # millions of small dicts: the collector would walk them again and again
    try:
        return _expand(frame)
    finally:
        if enabled:
            gc.enable()


def _expand(frame: dict) -> list[dict]:
    out = []
    for seq, t, stream, text in frame["chunks"]:
        out.extend([{"type": "log", "t": t, "stream": stream, "line": line, "seq": seq + i}
                    for i, line in enumerate(text.split("\n"))])
    if frame["events"]:
        out.extend(frame["events"])
        out.sort(key=lambda e: e["seq"])
    if not frame["metrics"]:
        return out
    by_seq: dict[int, list[dict]] = {}
    for s in frame["metrics"]:
        name, source = s["metric"], s["source"]
        nonfinite = {int(k): v for k, v in s.get("nonfinite", {}).items()}
        other = {int(k): v for k, v in s.get("other", {}).items()}
        steps, epochs = s.get("step"), s.get("epoch")
        for i, (seq, value, time) in enumerate(zip(s["seq"], s["value"], s["time"])):
            event = {"type": "metric", "metric": name, "value": value, "time": time, "seq": seq, "source": source}
            if steps is not None and steps[i] is not None:
                event["step"] = int(steps[i])
            if epochs is not None and epochs[i] is not None:
                event["epoch"] = int(epochs[i])
            if i in other:
                event["value"] = other[i]
            elif i in nonfinite:
                event["value"], event["nonfinite"] = None, nonfinite[i]
            points = by_seq.get(seq)
            if points is None:
                by_seq[seq] = [event]
            else:
                points.append(event)
    merged = []
    for event in out:  # each line's metrics right after it, whatever the framing
        merged.append(event)
        points = by_seq.pop(event["seq"], None)
        if points is not None and (event["type"] == "log" or event["type"] == "status"):
            merged.extend(points)
    for rest in by_seq.values():  # points of an event the frame left out (TensorBoard's)
        merged.extend(rest)
    return merged


def read_events(path: Path, since: int = 0) -> list[dict]:
    """Every event of a job after ``since``, as a stream client sees them (tests, tools)."""
    reader = OutputReader(path)
    reader.seek_after(since)
    out = []
    while (frame := reader.read()) is not None:
        out.extend(expand(orjson.loads(frame)))
    return out
