"""The supervisor's writer: every line on disk, in order, numbered; long lines logged, not parsed."""

import orjson

from mo_jupyter.jobs.output import DISPLAY_BYTES, MAX_LINE_BYTES, EventWriter


def events(tmp_path):
    return [orjson.loads(l) for l in (tmp_path / "events.jsonl").read_bytes().splitlines()]


def test_lines_split_across_chunks_and_streams(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", b"hel")
    w.feed("stderr", b"warn 1\nwa")
    w.feed("stdout", b'lo\n{"metric": "acc", "value": 0.5, "epoch": 1}\npart')
    w.feed("stdout", b"")
    w.feed("stderr", b"")
    w.flush()
    ev = events(tmp_path)
    assert [e["seq"] for e in ev] == list(range(1, len(ev) + 1))
    logs = [(e["stream"], e["line"]) for e in ev if e["type"] == "log"]
    assert logs == [("stderr", "warn 1"), ("stdout", "hello"),
                    ("stdout", '{"metric": "acc", "value": 0.5, "epoch": 1}'), ("stdout", "part"), ("stderr", "wa")]
    metric = [e for e in ev if e["type"] == "metric"]
    assert len(metric) == 1 and metric[0]["value"] == 0.5 and metric[0]["epoch"] == 1
    # the metric event follows its log line
    idx = ev.index(metric[0])
    assert ev[idx - 1]["type"] == "log" and "metric" in ev[idx - 1]["line"]
    stored = [orjson.loads(l) for l in (tmp_path / "metrics.jsonl").read_bytes().splitlines()]
    assert stored == [{k: v for k, v in metric[0].items() if k != "type"}]
    out = (tmp_path / "output.log").read_bytes()
    assert out.count(b"\n") == 5 and b"hello\n" in out and b"warn 1\n" in out


def test_warning_is_visible_on_the_log_event(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", b'{"metric": "a", "value": 1, "step": 1.5}\n')
    w.flush()
    (ev,) = events(tmp_path)
    assert ev["type"] == "log" and "step" in ev["warning"]
    assert (tmp_path / "metrics.jsonl").read_bytes() == b""


def test_carriage_returns_show_the_last_frame(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", b"1/3 [=>  ]\r2/3 [==> ]\r3/3 [===]\n")
    w.flush()
    assert events(tmp_path)[0]["line"] == "3/3 [===]"
    assert (tmp_path / "output.log").read_bytes() == b"1/3 [=>  ]\r2/3 [==> ]\r3/3 [===]\n"


def test_over_long_line_logged_whole_shown_cut_never_parsed(tmp_path):
    w = EventWriter(tmp_path)
    big = b'{"metric": "a", "value": 1}' + b" " * (MAX_LINE_BYTES + 10)
    for i in range(0, len(big), 65536):  # arrives in pipe-sized chunks
        w.feed("stdout", big[i : i + 65536])
    w.feed("stdout", b"\nafter\n")
    w.flush()
    ev = events(tmp_path)
    assert ev[0]["truncated"] is True and ev[0]["bytes"] == len(big)
    assert len(ev[0]["line"]) == DISPLAY_BYTES
    assert ev[1]["line"] == "after" and len(ev) == 2
    assert (tmp_path / "output.log").read_bytes() == big + b"\nafter\n"
    assert (tmp_path / "metrics.jsonl").read_bytes() == b""


def test_over_long_line_in_one_chunk(tmp_path):
    w = EventWriter(tmp_path)
    big = b"x" * (MAX_LINE_BYTES + 1)
    w.feed("stderr", big + b"\nok\n")
    w.flush()
    ev = events(tmp_path)
    assert ev[0]["truncated"] and ev[0]["bytes"] == len(big) and ev[1]["line"] == "ok"


def test_invalid_utf8_is_replaced_not_fatal(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", b"caf\xe9\n")
    w.flush()
    assert events(tmp_path)[0]["line"] == "caf\ufffd"


def test_status_events_share_the_sequence(tmp_path):
    w = EventWriter(tmp_path)
    w.status({"state": "running"})
    w.feed("stdout", b"a\n")
    w.status({"state": "completed"})
    w.flush()
    ev = events(tmp_path)
    assert [(e["seq"], e["type"]) for e in ev] == [(1, "status"), (2, "log"), (3, "status")]


def test_replayed_lines_are_skipped_once_per_stream(tmp_path):
    w = EventWriter(tmp_path, first_seq=7)
    w.skip = {"stdout": 3, "stderr": 1}
    w.feed("stdout", b"a\nb\n")
    w.feed("stderr", b"e1\ne2\n")
    w.feed("stdout", b"c\nd\ne\n")
    w.flush()
    ev = events(tmp_path)
    assert [(e["seq"], e["stream"], e["line"]) for e in ev] == [(8, "stderr", "e2"), (9, "stdout", "d"),
                                                               (10, "stdout", "e")]
    assert (tmp_path / "output.log").read_bytes() == b"e2\nd\ne\n"
