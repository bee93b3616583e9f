"""TensorBoardWatcher (issue 12): scalars from event files written by real writers (tf.summary,
Keras' TensorBoard callback, TensorBoard's own EventFileWriter as torch's SummaryWriter uses it),
read incrementally, bounded per poll, safe next to hostile files."""

import os
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("tensorboard")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = pytest.importorskip("tensorflow")

from mo_jupyter.jobs import tbwatch  # noqa: E402
from mo_jupyter.jobs.tbwatch import TensorBoardWatcher, available  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def write_scalars(logdir, tag, steps, value=lambda i: 1.0 / (i + 1)):
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        for i in steps:
            tf.summary.scalar(tag, value(i), step=i)
    writer.flush()
    return writer


def poll_until(w, n, timeout=15.0):
    """Poll (as the supervisor does) until ``n`` points came or the deadline passed."""
    got, deadline = [], time.monotonic() + timeout
    while len(got) < n and time.monotonic() < deadline:
        got += w.poll()
        if len(got) < n:
            time.sleep(0.05)
    return got


def series(points, name):
    return [(p["step"], p["value"]) for p in points if p["metric"] == name]


def test_available():
    assert available()


def test_tf_summary_scalars_then_only_the_new_ones(tmp_path):
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5)
    assert w.poll() == []
    writer = write_scalars(tmp_path / "logs", "loss", range(3))
    first = poll_until(w, 3)
    assert series(first, "logs/loss") == [(0, 1.0), (1, 0.5), (2, 0.33333334)]
    assert all(p["source"] == "tensorboard" and abs(p["wall_time"] - time.time()) < 60 for p in first)
    with writer.as_default():
        tf.summary.scalar("loss", 0.25, step=3)
        tf.summary.scalar("accuracy", 0.9, step=3)
        tf.summary.scalar("loss", float("nan"), step=4)
        tf.summary.text("note", "not a scalar", step=4)
        tf.summary.histogram("weights", [1.0, 2.0, 3.0], step=4)
    writer.flush()
    second = poll_until(w, 3)
    assert [(p["metric"], p["step"]) for p in second] == [("logs/loss", 3), ("logs/accuracy", 3), ("logs/loss", 4)]
    assert second[1]["value"] == 0.9
    assert second[2]["value"] is None and second[2]["nonfinite"] == "NaN"
    assert w.poll() == []
    time.sleep(1.1)  # TensorFlow names event files by the second: a second writer, a new file
    write_scalars(tmp_path / "logs", "loss", [5])
    assert len(list((tmp_path / "logs").iterdir())) == 2
    assert series(poll_until(w, 1), "logs/loss") == [(5, 0.16666667)]  # found at the next walk (REWALK_S)


def test_keras_fit_train_and_validation(tmp_path):
    keras = pytest.importorskip("keras")
    import numpy as np

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.normal(size=(64, 1)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5)
    history = model.fit(x, y, validation_split=0.25, epochs=3, batch_size=16, verbose=0,
                        callbacks=[keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))])
    got = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (len(series(got, "logs/train/epoch_loss")) < 3
                                           or len(series(got, "logs/validation/epoch_loss")) < 3):
        got += w.poll()
        time.sleep(0.05)
    train, val = series(got, "logs/train/epoch_loss"), series(got, "logs/validation/epoch_loss")
    assert [s for s, _ in train] == [0, 1, 2] and [s for s, _ in val] == [0, 1, 2]
    assert [v for _, v in train] == pytest.approx(history.history["loss"], rel=1e-5)
    assert [v for _, v in val] == pytest.approx(history.history["val_loss"], rel=1e-5)
    assert not [p for p in got if p["metric"] == "epoch_loss"]


def test_simple_value_events_as_torch_writes_them(tmp_path):
    """torch.utils.tensorboard.SummaryWriter writes through TensorBoard's EventFileWriter, one
    Summary.Value(simple_value=...) per scalar: the TF1 form."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(tmp_path / "runs" / "exp"))
    for i in range(4):
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="Loss/train", simple_value=2.0 - i)])
        writer.add_event(event_pb2.Event(wall_time=time.time(), step=i, summary=summary))
    writer.flush()
    got = poll_until(TensorBoardWatcher(tmp_path, since=time.time() - 5), 4)
    assert series(got, "runs/exp/Loss/train") == [(0, 2.0), (1, 1.0), (2, 0.0), (3, -1.0)]
    writer.close()


def test_files_older_than_since_are_ignored(tmp_path):
    write_scalars(tmp_path / "logs", "loss", range(5), value=lambda i: 100.0 + i)  # the previous run
    old = time.time() - 300
    for f in (tmp_path / "logs").iterdir():
        os.utime(f, (old, old))
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5)
    time.sleep(0.01)  # TensorFlow names files by the second and pid: a new name, not the same file
    write_scalars(tmp_path / "logs" / "again", "loss", range(2), value=lambda i: float(i))
    got = poll_until(w, 2)
    # the old run's folder is not a run of this job: its points are not read
    assert series(got, "logs/again/loss") == [(0, 0.0), (1, 1.0)]
    assert w.poll() == []


def test_links_are_not_followed(tmp_path):
    outside, root = tmp_path / "outside", tmp_path / "job"
    write_scalars(outside, "secret", range(3))
    root.mkdir()
    (event,) = outside.iterdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "events.out.tfevents.1.link").symlink_to(event)
    write_scalars(root / "mine", "loss", range(2))
    w = TensorBoardWatcher(root, since=time.time() - 5)
    got = poll_until(w, 2)
    assert {p["metric"] for p in got} == {"mine/loss"}
    assert not [p for p in w.poll() + w.poll() if p["metric"] != "mine/loss"]


def test_skipped_folders_and_depth(tmp_path):
    write_scalars(tmp_path / "src", "loss", range(2))
    (event,) = (tmp_path / "src").iterdir()
    data = event.read_bytes()
    deep = tmp_path.joinpath(*"abcdefg")  # 7 folders down: past MAX_DEPTH
    for d in (tmp_path / ".mo", tmp_path / "node_modules", tmp_path / ".hidden", tmp_path / ".git", deep):
        d.mkdir(parents=True)
        (d / "events.out.tfevents.9.x").write_bytes(data)
    tmp_path.joinpath(*"abcdef").joinpath("events.out.tfevents.6.x").write_bytes(data)  # depth 6: read
    got = poll_until(TensorBoardWatcher(tmp_path, since=time.time() - 5), 4)
    assert sorted({p["metric"] for p in got}) == ["a/b/c/d/e/f/loss", "src/loss"]
    assert len(got) == 4


def test_a_big_dataset_folder_does_not_hide_the_logs(tmp_path):
    data = tmp_path / "data"
    for c in range(30):
        (data / "train" / f"class{c}").mkdir(parents=True)
    for i in range(tbwatch.MAX_FOLDER_ENTRIES + 1000):
        (data / f"img{i}.png").touch()
    write_scalars(tmp_path / "logs", "loss", range(2))
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5)
    start = time.perf_counter()
    got = w.poll()  # the first walk: found at once, breadth first
    assert series(got, "logs/loss") == [(0, 1.0), (1, 0.5)], time.perf_counter() - start


def test_garbage_and_hostile_records_never_raise(tmp_path, caplog):
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    (tmp_path / "events.out.tfevents.x").write_bytes(os.urandom(100_000))
    header = struct.pack("<Q", 1 << 40)  # a checksummed length of 1 TB
    (tmp_path / "events.out.tfevents.huge").write_bytes(header + struct.pack("<I", masked_crc32c(header)) + b"x" * 64)
    (tmp_path / "events.out.tfevents.empty").write_bytes(b"")
    (tmp_path / "events.out.tfevents.dir").mkdir()
    write_scalars(tmp_path / "good", "loss", range(3))
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5)
    got = poll_until(w, 3)
    assert series(got, "good/loss") == [(0, 1.0), (1, 0.5), (2, 0.33333334)]
    assert w.poll() == []
    warned = " ".join(r.getMessage() for r in caplog.records)
    assert "events.out.tfevents.huge: record of 1099511627776 bytes is too large" in warned
    assert "events.out.tfevents.x: " in warned and "crc32" in warned
    assert TensorBoardWatcher(tmp_path / "missing").poll() == []


def test_a_record_cut_short_is_read_once_it_is_complete(tmp_path):
    write_scalars(tmp_path / "src", "loss", range(4))
    (event,) = (tmp_path / "src").iterdir()
    data = event.read_bytes()
    target = tmp_path / "job" / "events.out.tfevents.1.x"
    target.parent.mkdir()
    cut = len(data) - 7  # inside the last record
    target.write_bytes(data[:cut])
    w = TensorBoardWatcher(target.parent, since=time.time() - 5)
    assert series(poll_until(w, 3), "loss") == [(0, 1.0), (1, 0.5), (2, 0.33333334)]
    assert w.poll() == []
    with open(target, "ab") as f:
        f.write(data[cut:])
    assert series(poll_until(w, 1), "loss") == [(3, 0.25)]


def test_a_poll_reads_a_bounded_number_of_bytes(tmp_path):
    n = 2000
    write_scalars(tmp_path / "logs", "loss", range(n), value=float)
    size = sum(f.stat().st_size for f in (tmp_path / "logs").iterdir())
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5, max_bytes=8 * 1024)
    polls, got, deadline = 0, [], time.monotonic() + 30
    while len(got) < n and time.monotonic() < deadline:
        batch = w.poll()
        polls += 1
        assert len(batch) * 40 < 8 * 1024 + 200  # each scalar record is more than 40 bytes
        got += batch
    assert [p["step"] for p in got] == list(range(n)) and [p["value"] for p in got] == [float(i) for i in range(n)]
    assert polls >= size // (8 * 1024)


def test_a_poll_stops_after_its_time(tmp_path):
    n = 15000  # ~0.5 s of reading at ~30k points/s
    write_scalars(tmp_path / "logs", "loss", range(n), value=float)
    w = TensorBoardWatcher(tmp_path, since=time.time() - 5, max_bytes=1 << 30)
    got = w.poll()  # the imports, a walk, then reading for MAX_POLL_S
    polls, deadline = 1, time.monotonic() + 60
    while len(got) < n and time.monotonic() < deadline:
        start = time.perf_counter()
        got += w.poll()
        polls += 1
        assert time.perf_counter() - start < tbwatch.MAX_POLL_S + 0.5
    assert [p["step"] for p in got] == list(range(n))
    assert polls > 1


def test_reading_does_not_import_tensorflow(tmp_path):
    """The supervisor pays for TensorBoard's reader (0.4 s), never for TensorFlow (3.6 s, 560 MB)."""
    write_scalars(tmp_path / "logs", "loss", range(3))
    code = ("import sys, time; from pathlib import Path; from mo_jupyter.jobs.tbwatch import TensorBoardWatcher;"
            f"got = TensorBoardWatcher(Path({str(tmp_path)!r})).poll();"
            "print(len(got), 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["3", "False"], out.stderr[-2000:]


def test_idle_poll_is_cheap(tmp_path):
    write_scalars(tmp_path / "logs", "loss", range(3))
    w = TensorBoardWatcher(tmp_path)
    assert len(poll_until(w, 3)) == 3
    w.poll()  # after a walk, the next walks are REWALK_S apart
    start = time.perf_counter()
    for _ in range(200):
        assert w.poll() == []
    elapsed = time.perf_counter() - start
    assert elapsed < tbwatch.REWALK_S  # no walk in between: one lstat per known file
    assert elapsed / 200 < 0.002  # measured ~4 us on a 2-core machine
