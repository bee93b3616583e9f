"""The supervisor's writer: every line on disk, in order, numbered; long lines logged, not parsed.
Read back as a stream client sees it (``replay.read_events``)."""

from mo_jupyter.jobs import replay
from mo_jupyter.jobs.output import DISPLAY_BYTES, MAX_LINE_BYTES, EventWriter


def events(tmp_path):
    return replay.read_events(tmp_path)


def stored(tmp_path):
    return [{k: v for k, v in m.items() if k != "time"} for m in replay.metric_records(tmp_path)]


def test_lines_split_across_chunks_and_streams(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", b"hel")
    w.feed("stderr", b"warn 1\nwa")
    w.feed("stdout", b'lo\n{"metric": "acc", "value": 0.5, "epoch": 1}\npart')
    w.feed("stdout", b"")
    w.feed("stderr", b"")
    w.flush()
    ev = events(tmp_path)
    logs = [e for e in ev if e["type"] == "log"]
    assert [e["seq"] for e in logs] == list(range(1, len(logs) + 1))
    assert [(e["stream"], e["line"]) for e in logs] == [
        ("stderr", "warn 1"), ("stdout", "hello"), ("stdout", '{"metric": "acc", "value": 0.5, "epoch": 1}'),
        ("stdout", "part"), ("stderr", "wa")]
    metric = [e for e in ev if e["type"] == "metric"]
    assert len(metric) == 1 and metric[0]["value"] == 0.5 and metric[0]["epoch"] == 1
    # the metric carries the seq of its line
    assert metric[0]["seq"] == logs[2]["seq"] and metric[0]["source"] == "mo"
    assert stored(tmp_path) == [{"metric": "acc", "value": 0.5, "epoch": 1, "seq": 3, "source": "mo"}]
    out = (tmp_path / "output.log").read_bytes()
    assert out.count(b"\n") == 5 and b"hello\n" in out and b"warn 1\n" in out


def test_warning_is_visible_on_the_log_event(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", b'{"metric": "a", "value": 1, "step": 1.5}\n')
    w.flush()
    (ev,) = events(tmp_path)
    assert ev["type"] == "log" and "step" in ev["warning"]
    assert stored(tmp_path) == []


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
    assert stored(tmp_path) == []


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


def test_a_metric_flood_and_its_exceptions_in_one_chunk(tmp_path):
    """The inline path (every line JSON) and the rules' path (anything else) give the same points."""
    w = EventWriter(tmp_path)
    w.feed("stdout", b"".join(b'{"metric": "loss", "value": %d.5, "step": %d}\n' % (i, i) for i in range(5)))
    w.feed("stdout", b'{"metric": "loss", "value": NaN, "step": 5}\n{"metric": "acc", "value": "high"}\n'
                     b'{"metric": "loss", "value": 7, "epoch": 2}\n{"metric": "loss", "value": true}\n[1]\n'
                     b'{"metric": "loss", "value": 8.5, "step": 8}\n')
    w.feed("stdout", b'plain\n{"metric": "loss", "value": 9.5, "step": 9}\n')
    w.flush()
    points = stored(tmp_path)
    loss = [p for p in points if p["metric"] == "loss"]
    assert [(p["seq"], p["value"], p.get("step"), p.get("epoch")) for p in loss] == [
        (1, 0.5, 0, None), (2, 1.5, 1, None), (3, 2.5, 2, None), (4, 3.5, 3, None), (5, 4.5, 4, None),
        (6, None, 5, None), (8, 7.0, None, 2), (9, True, None, None), (11, 8.5, 8, None), (13, 9.5, 9, None)]
    assert loss[5]["nonfinite"] == "NaN"
    assert [(p["seq"], p["value"]) for p in points if p["metric"] == "acc"] == [(7, "high")]
    assert [e["line"] for e in events(tmp_path) if e["type"] == "log"][9] == "[1]"


def test_disk_is_the_raw_output_and_a_little_more(tmp_path):
    """1.5x the raw output at most, for a flood of metric lines (the issue's bound)."""
    w = EventWriter(tmp_path)
    data = b"".join(b'{"metric": "loss", "value": %r, "step": %d}\n' % (i / 7, i) for i in range(50000))
    for i in range(0, len(data), 65536):
        w.feed("stdout", data[i : i + 65536])
        w.flush()
    w.close()
    total = sum(f.stat().st_size for f in tmp_path.rglob("*") if f.is_file())
    assert (tmp_path / "output.log").read_bytes() == data
    assert total <= 1.5 * len(data), total / len(data)
    assert len(stored(tmp_path)) == 50000


def test_a_progress_bar_is_shown_live_then_as_its_last_state(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stderr", b" 10%|#    |\r 50%|#####|")
    w.flush()
    assert replay_progress(tmp_path) == {"stderr": " 50%|#####|"}
    w.progress_due = 0
    w.feed("stderr", b"\r100%|##########|\n")
    w.flush()
    assert replay_progress(tmp_path) == {}
    assert [e["line"] for e in events(tmp_path)] == ["100%|##########|"]


def test_an_over_long_progress_bar_shows_its_latest_state(tmp_path):
    w = EventWriter(tmp_path)
    w.feed("stdout", (b"x" * 600_000 + b"\r") * 3 + b"latest" + b"\r")
    w.feed("stdout", b"done\n")
    w.flush()
    (ev,) = events(tmp_path)
    assert ev["truncated"] and ev["line"] == "done"


def replay_progress(path):
    from mo_jupyter.jobs.tail import read_progress

    return read_progress(path)


def test_inline_and_line_by_line_give_what_the_rules_say(tmp_path):
    """Chunks of metric lines in the usual form take the inline path; any other chunk goes line by
    line. Whatever the mix and the cut, the points are what ``parse_line`` says of each line, and
    no number out of the columns' range stops the writer (it did: a step of 2**64)."""
    import random

    from mo_jupyter.jobs.metrics import parse_line
    from mo_jupyter.jobs.metricstore import MAX_NAME

    rnd = random.Random(12)
    names = ["loss", "acc", "val/loss", "准确率", "a" * MAX_NAME, "b" * (MAX_NAME + 1)]  # the last: refused
    values = ["0", "-0", "1.5", "-2.25e-05", "1E5", "12345678901234567890123", "9" * 41, "1e400", "01", "NaN",
              "true", '"x"', "3.0"]
    steps = ["", "0", "7", "-3", "999999999999999999", "9223372036854775807", "18446744073709551615",
             "99999999999999999999", "2.0", "007"]

    def line():
        kind = rnd.random()
        if kind < 0.05:
            return b"plain text"
        if kind < 0.08:
            return b'{"metric": "\xff\xfe", "value": 1}'
        sep = rnd.choice([(": ", ", "), (":", ","), (": ", ",")])
        body = f'{{"metric"{sep[0]}"{rnd.choice(names)}"{sep[1]}"value"{sep[0]}{rnd.choice(values)}'
        step = rnd.choice(steps)
        if step:
            body += f'{sep[1]}"step"{sep[0]}{step}'
        if rnd.random() < 0.05:
            body += f'{sep[1]}"epoch"{sep[0]}2'
        return (body + "}").encode()

    lines = []
    for block in range(300):  # runs of usual lines (inline) and mixed ones
        usual = block % 2 == 0
        for _ in range(rnd.randint(1, 40)):
            raw = line()
            if usual:
                while parse_line(raw).metric is None or b"NaN" in raw or b"true" in raw or b'"x"' in raw:
                    raw = line()
            lines.append(raw)
    data = b"\n".join(lines) + b"\n"
    w = EventWriter(tmp_path, recognize=False)
    pos = 0
    while pos < len(data):
        size = rnd.choice([1, 50, 700, 4096, 65536])
        w.feed("stdout", data[pos : pos + size])
        pos += size
        w.flush()
    w.close()
    expected = []
    for seq, raw in enumerate(lines, 1):
        m = parse_line(raw).metric
        if m is not None and len(m["metric"]) <= MAX_NAME:
            step = m.get("step")  # columns carry steps as doubles (what a browser reads)
            expected.append((seq, m["metric"], None if m.get("nonfinite") else m["value"],
                             None if step is None else float(step), m.get("epoch")))
    got = [(p["seq"], p["metric"], p["value"], None if p.get("step") is None else float(p["step"]), p.get("epoch"))
           for p in stored(tmp_path)]
    assert got == expected
    refused = [e for e in events(tmp_path) if "longer than" in e.get("warning", "")]
    assert refused and all(e["line"].count("b" * (MAX_NAME + 1)) for e in refused)
    assert (tmp_path / "output.log").read_bytes() == data


def test_points_read_again_after_a_reattach_are_not_doubled(tmp_path):
    """A re-attached supervisor's TensorBoard watcher reads the event files from their start, in
    its own order (two writers' files in one folder: all of one file, then the other's): the points
    stored are dropped whatever the order, the new ones kept, numbering goes on."""
    def point(name, writer, step):  # as the watcher gives them: a time from the event's wall time
        return {"metric": name, "value": step / 10, "step": step, "time": round(step * 0.25 + writer * 0.01, 6)}

    a = [point("logs/loss", 0, k) for k in range(6)]  # writer A's file
    b = [point("logs/loss", 1, k) for k in range(4)]  # writer B's file, same tag, same folder
    w = EventWriter(tmp_path)
    w.points(a[:2] + b[:2], "tensorboard")  # the first supervisor met them interleaved
    w.points(a[2:4] + [point("logs/acc", 0, 0)], "tensorboard")
    w.feed("stdout", b'{"metric": "lr", "value": 0.1}\n')
    w.close()  # ... and died here
    again = EventWriter(tmp_path, first_seq=3)
    again.resume_points("tensorboard")
    again.points(a + [point("logs/acc", 0, 0)], "tensorboard")  # file A whole: a[4:] is new
    again.points(b, "tensorboard")  # then file B: b[2:] is new
    again.close()
    got = sorted((p["metric"], p.get("step"), p["time"]) for p in replay.metric_records(tmp_path)
                 if p["metric"] != "lr")
    want = sorted((p["metric"], p["step"], p["time"]) for p in a + b + [point("logs/acc", 0, 0)])
    assert got == want
    seqs = [p["seq"] for p in stored(tmp_path)]
    assert seqs == sorted(seqs) and seqs[-1] == 5  # two new events after seq 3


def test_no_printed_number_stops_the_writer(tmp_path):
    """Numbers that fit no column, from any path (a framework's dict the recognizers read, a JSON
    line Python's json reads): the point is kept without the field, or as an other value."""
    w = EventWriter(tmp_path)
    w.feed("stdout", b"{'loss': 0.5, 'step': 99999999999999999999, 'epoch': 1.0}\n")  # Hugging Face's form
    w.feed("stdout", b'{"metric": "cfg", "value": [NaN, 18446744073709551616]}\n')
    w.feed("stdout", b"after\n")
    w.close()
    points = {p["metric"]: p for p in stored(tmp_path)}
    assert points["loss"]["value"] == 0.5 and "step" not in points["loss"]
    assert points["cfg"]["value"] == "[NaN, 18446744073709551616]"  # listed as its text
    assert [e["line"] for e in events(tmp_path) if e["type"] == "log"][-1] == "after"


def test_a_fifo_planted_in_the_metrics_folder_never_blocks_the_writer(tmp_path):
    """A job that can write its own folder plants a FIFO where a column will be: the writer leaves
    it alone (its open would wait for a reader) and goes on with the rest."""
    import os
    import signal

    w = EventWriter(tmp_path)
    w.feed("stdout", b'{"metric": "a", "value": 1}\n')
    w.flush()
    os.mkfifo(tmp_path / "metrics" / "1.seq")
    os.symlink("/etc/passwd", tmp_path / "metrics" / "1.value")
    signal.alarm(10)  # a blocked open ends the test, not the run
    try:
        w.feed("stdout", b'{"metric": "b", "value": 2}\n{"metric": "a", "value": 3}\n')
        w.close()
    finally:
        signal.alarm(0)
    assert [p["value"] for p in stored(tmp_path) if p["metric"] == "a"] == [1.0, 3.0]
    assert "metric" not in open("/etc/passwd").read()


def test_a_reattached_writer_cuts_the_columns_back_to_their_complete_rows_on_the_index(tmp_path):
    """A supervisor killed inside a flush leaves some columns longer than others, and points whose
    lines never reached the index: the next writer cuts them back, and they come again (the lines
    replay, the TensorBoard files are read again), once."""
    import os

    w = EventWriter(tmp_path)
    w.feed("stdout", b'{"metric": "loss", "value": 1, "step": 1}\n')
    w.points([{"metric": "tb/acc", "value": 0.5, "step": 1, "time": 0.5}], "tensorboard")
    w.close()  # seq 1: the line; seq 2: the points
    metrics = tmp_path / "metrics"
    with open(metrics / "0.seq", "ab") as f:  # a flush cut after the seq column of seq 3's point
        f.write((3).to_bytes(8, "little", signed=True))
    again = EventWriter(tmp_path, first_seq=1, resume=True)  # the index ends at seq 1: the points' note is lost
    assert os.path.getsize(metrics / "0.seq") == os.path.getsize(metrics / "0.value") == 8
    assert os.path.getsize(metrics / "1.seq") == 0  # seq 2 was never on the index
    again.resume_points("tensorboard")
    again.points([{"metric": "tb/acc", "value": 0.5, "step": 1, "time": 0.5}], "tensorboard")  # read again
    again.feed("stdout", b'{"metric": "loss", "value": 2, "step": 2}\n')
    again.close()
    assert [(p["metric"], p["seq"], p.get("step")) for p in stored(tmp_path)] == [
        ("loss", 1, 1), ("tb/acc", 2, 1), ("loss", 3, 2)]


def test_an_optional_column_cut_while_it_was_made_is_filled_not_the_series_cut(tmp_path):
    """Killed while a step column was being made (its padding half written): the re-attached writer
    keeps every point on the index and fills the column's missing rows with "none". A writer that
    is not re-attaching cuts nothing."""
    import os

    w = EventWriter(tmp_path)
    w.feed("stdout", b"".join(b'{"metric": "loss", "value": %d}\n' % i for i in range(1000)))
    w.close()
    with open(tmp_path / "metrics" / "0.step", "wb") as f:  # 100 of its 1000 padding rows
        f.write((-(2**63)).to_bytes(8, "little", signed=True) * 100)
    EventWriter(tmp_path).close()  # not re-attaching (a supervisor's fallback): nothing cut
    assert os.path.getsize(tmp_path / "metrics" / "0.seq") == 8000
    again = EventWriter(tmp_path, first_seq=1000, resume=True)
    again.feed("stdout", b'{"metric": "loss", "value": 5, "step": 7}\n')
    again.close()
    points = stored(tmp_path)
    assert len(points) == 1001 and points[-1]["step"] == 7 and all("step" not in p for p in points[:-1])
