"""A websocket's reader (``replay.OutputReader``) going through a job in frames: every line and
every metric point once, in order, whatever the frame size; its per-series row cursor (each column
read once) gives what one read of the whole store gives."""

import orjson

from mo_jupyter.jobs import replay
from mo_jupyter.jobs.metricstore import read_columns
from mo_jupyter.jobs.output import EventWriter


def make_job(path):
    w = EventWriter(path)
    for block in range(30):
        lines = []
        for i in range(200):
            n = block * 200 + i
            lines.append(b'{"metric": "loss", "value": %r, "step": %d}' % (1 / (n + 1), n))
            if n % 3 == 0:
                lines.append(b'{"metric": "acc", "value": %r}' % (n / 7))
            if n % 50 == 0:
                lines.append(b'{"metric": "note", "value": "text %d"}' % n)
                lines.append(b"plain line %d" % n)
        w.feed("stdout", b"\n".join(lines) + b"\n")
        if block % 4 == 0:  # many points share one seq (a TensorBoard poll)
            w.points([{"metric": "tb/loss", "value": k / 3, "step": block * 1000 + k} for k in range(900)],
                     "tensorboard")
        w.flush()
    w.close()


def frames(path, max_bytes, since=None):
    reader = replay.OutputReader(path)
    if since is not None:
        reader.seek_after(since)
    out = []
    while (data := reader.read(max_bytes)) is not None:
        out.append(orjson.loads(data))
    return out


def points(frame_list):
    got = {}
    for frame in frame_list:
        for s in frame["metrics"]:
            rows = got.setdefault(s["metric"], {"seq": [], "value": [], "step": [], "other": {}})
            base = len(rows["seq"])
            rows["seq"] += s["seq"]
            rows["value"] += s["value"]
            rows["step"] += s.get("step", [None] * len(s["seq"]))
            rows["other"].update({base + int(k): v for k, v in s.get("other", {}).items()})
    return got


def whole(path, min_seq=0):
    out = {}
    for s in read_columns(path, 1 << 62, min_seq):
        steps = s.get("step")
        out[s["metric"]] = {"seq": s["seq"].tolist(), "value": [None if v != v else v for v in s["value"].tolist()],
                            "step": steps.tolist() if steps is not None else [None] * len(s["seq"]),
                            "other": s.get("other", {})}
    return out


def test_every_point_once_whatever_the_frame_size(tmp_path):
    make_job(tmp_path)
    expected = whole(tmp_path)
    assert len(expected["tb/loss"]["seq"]) == 8 * 900 and expected["note"]["other"]
    for max_bytes in (1, 3000, 64 * 1024, 1 << 30):
        got = points(frames(tmp_path, max_bytes))
        for name in expected:
            for key in ("seq", "value", "other"):
                assert got[name][key] == expected[name][key], (max_bytes, name, key)
            assert [None if s != s else s for s in got[name]["step"]] == [
                None if s == -(2**63) else s for s in expected[name]["step"]], (max_bytes, name)


def test_a_reader_that_resumes_gets_what_follows(tmp_path):
    make_job(tmp_path)
    since = 3000
    got = points(frames(tmp_path, 5000, since=since))
    expected = whole(tmp_path, since)
    assert {n: v["seq"] for n, v in got.items()} == {n: v["seq"] for n, v in expected.items() if v["seq"]}
    lines = [c for f in frames(tmp_path, 5000, since=since) for c in f["chunks"]]
    assert lines[0][0] == since + 1
