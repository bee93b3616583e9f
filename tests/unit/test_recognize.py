"""Framework output recognised as metrics (mo_jupyter/jobs/recognize.py, issue 12).

Fixtures (tests/unit/fixtures/framework_output/): keras3_*.out are raw bytes real Keras 3.15 wrote to a
pipe (capture_keras.py says how; *.history.json is what fit's history returned); tf_keras2.txt,
hf_trainer.txt and lightning.txt hold lines copied from printed logs, each block citing its source.

Speed (measured on this 2-core machine, `python3 tests/unit/test_recognize.py` prints them again):
- may_hold_metrics on a 66 MB chunk (1.15M Mo JSON metric lines): 7-10 ms (single-byte memchr gates;
  `chunk.count(b"\\n")` on the same bytes: ~20 ms, `chunk.split(b"\\n")`: ~100 ms); on 73 MB of
  typical log lines holding '/', "'" and '█' (so 4 markers are searched too): ~140 ms.
- Recognizer.feed on 100k Keras 3 epoch-end lines: 0.66 s with verbose=1's ANSI codes and '━' bar
  (6.6 us a line), 0.56 s for verbose=2's; with an 'Epoch k/N' line before each: 0.77 s; 100k plain
  non-metric lines: 0.04 s (0.4 us a line).
"""

import json
import pathlib
import time

import pytest

from mo_jupyter.jobs.recognize import MAX_LINE, Recognizer, may_hold_metrics

FIXTURES = pathlib.Path(__file__).parent / "fixtures" / "framework_output"
KERAS = ["keras3_classify_v1", "keras3_classify_v2", "keras3_classify_v1_nodynamic",
         "keras3_regress_v1", "keras3_regress_v2"]


def complete_lines(raw: bytes):
    """Lines as the supervisor gives them: complete ones only, each the text after its last '\\r'."""
    for line in raw.split(b"\n")[:-1]:
        yield line.decode("utf-8", "replace").rsplit("\r", 1)[-1]


def fixture_lines(name: str):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if not line.startswith("#")]


def feed_all(lines):
    rec = Recognizer()
    return [[_short(m) for m in rec.feed(line)] for line in lines]


def _short(m):
    keys = set(m) - {"metric", "value", "source"}
    assert keys <= {"epoch", "step"}, m
    return (m["metric"], m["value"], m["source"][0], m.get("epoch"), m.get("step"))


def keras_printed(value: float) -> float:
    """How Keras' Progbar prints a value (utils/progbar.py): 4 decimals, or 4-digit e-notation."""
    return float(f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}")


@pytest.mark.parametrize("name", KERAS)
def test_real_keras_output_gives_each_epochs_metrics(name):
    raw = (FIXTURES / f"{name}.out").read_bytes()
    history = json.loads((FIXTURES / f"{name}.history.json").read_text())
    assert b"\x1b[" in raw or "v2" in name  # verbose=1 really prints ANSI codes and '\r'
    rec = Recognizer()
    got = [m for line in complete_lines(raw) for m in rec.feed(line)]
    epochs = len(next(iter(history.values())))
    assert len(got) == epochs * len(history)  # model.evaluate's line (regress) adds nothing
    for m in got:
        assert m["source"] == "keras" and set(m) == {"metric", "value", "epoch", "source"}
        assert m["value"] == keras_printed(history[m["metric"]][m["epoch"] - 1])
    assert sorted({m["epoch"] for m in got}) == list(range(1, epochs + 1))
    last = {m["metric"]: m["value"] for m in got if m["epoch"] == epochs}
    assert last == {k: keras_printed(v[-1]) for k, v in history.items()}


def test_keras_small_values_in_e_notation():
    raw = (FIXTURES / "keras3_regress_v2.out").read_bytes()
    assert b"e-06" in raw
    rec = Recognizer()
    got = [m for line in complete_lines(raw) for m in rec.feed(line)]
    assert ("loss", 2.4145e-06, 4) in [(m["metric"], m["value"], m["epoch"]) for m in got]


def test_tf_keras2_lines():
    got = [g for g in feed_all(fixture_lines("tf_keras2.txt")) if g]
    assert got == [
        [("loss", 0.3313, "k", 1, None), ("acc", 0.9075, "k", 1, None),
         ("val_loss", 0.1906, "k", 1, None), ("val_acc", 0.9457, "k", 1, None)],
        [("loss", 0.1604, "k", 2, None), ("acc", 0.9538, "k", 2, None),
         ("val_loss", 0.1433, "k", 2, None), ("val_acc", 0.9584, "k", 2, None)],
        [("loss", 0.1153, "k", 3, None), ("acc", 0.9659, "k", 3, None),
         ("val_loss", 0.12, "k", 3, None), ("val_acc", 0.9637, "k", 3, None)],
        # 'accuracy: 0.8167:' is not a clean value; the stale 'loss: 0.5213' after it is not taken
        [("loss", 0.5186, "k", 5, None)],
        [("loss", -6.7429, "k", 2, None), ("accuracy", 0.1776, "k", 2, None),
         ("val_loss", -14.1017, "k", 2, None), ("val_accuracy", 0.2472, "k", 2, None)],
        [("loss", 0.5467, "k", 1, None), ("accuracy", 0.8094, "k", 1, None),
         ("val_loss", 0.4348, "k", 1, None), ("val_accuracy", 0.8504, "k", 1, None)],
        [("loss", 3.7556, "k", 3, None)],
    ]


def test_hugging_face_trainer_dicts():
    got = [g for g in feed_all(fixture_lines("hf_trainer.txt")) if g]
    h = "h"
    assert got == [
        [("loss", 2.7795, h, None, None), ("learning_rate", 8.888888888888888e-06, h, None, None)],
        [("loss", 2.5149, h, None, None), ("learning_rate", 6.666666666666667e-06, h, None, None)],
        [("loss", 2.5744, h, None, None), ("learning_rate", 0.0, h, None, None)],
        [("train_runtime", 116.1914, h, None, None), ("train_samples_per_second", 6.885, h, None, None),
         ("train_steps_per_second", 1.721, h, None, None), ("train_loss", 2.819730052947998, h, None, None)],
        [("loss", 0.3781, h, None, 9900), ("grad_norm", 0.1540471911430359, h, None, 9900),
         ("learning_rate", 7.70963759277099e-09, h, None, 9900)],
        [("loss", 0.3818, h, None, 10000), ("grad_norm", 0.1455276608467102, h, None, 10000),
         ("learning_rate", 0.0, h, None, 10000)],
        [("eval_loss", 0.3461727797985077, h, None, 10000), ("eval_runtime", 9.144, h, None, 10000),
         ("eval_samples_per_second", 10.936, h, None, 10000),
         ("eval_steps_per_second", 1.422, h, None, 10000)],
        [("train_runtime", 8754.1218, h, None, 10000),
         ("train_samples_per_second", 36.554, h, None, 10000),
         ("train_steps_per_second", 1.142, h, None, 10000),
         ("train_loss", 2.159679998397827, h, None, 10000)],
        [("loss", 3.41, h, None, None), ("grad_norm", 5.312, h, None, None),
         ("learning_rate", 0.0002, h, None, None), ("mean_token_accuracy", 0.5667, h, None, None)],
        [("loss", 1.764, h, None, None), ("grad_norm", 2.609, h, None, None),
         ("learning_rate", 6.667e-05, h, None, None), ("mean_token_accuracy", 0.7419, h, None, None)],
        [("train_runtime", 36.27, h, None, None), ("train_samples_per_second", 0.414, h, None, None),
         ("train_loss", 2.46, h, None, None)],
        [("loss", 0.7694, h, None, None), ("grad_norm", 5.420258522033691, h, None, None),
         ("learning_rate", 0.000981, h, None, None)],
    ]


def test_hugging_face_numpy_and_nonfinite_values():
    # numpy 2 reprs a compute_metrics result as np.float64(...); a diverged run logs nan
    rec = Recognizer()
    got = rec.feed("{'eval_loss': nan, 'eval_accuracy': np.float64(0.91), 'eval_f1': 'n/a', "
                   "'epoch': 1.0}")
    assert got == [
        {"metric": "eval_loss", "value": None, "nonfinite": "NaN", "source": "huggingface"},
        {"metric": "eval_accuracy", "value": 0.91, "source": "huggingface"},
    ]


def test_lightning_bars_tables_and_dicts():
    got = [g for g in feed_all(fixture_lines("lightning.txt")) if g]
    L = "l"
    assert got == [
        [("loss", 0.33, L, 8, None), ("train_loss", 0.295, L, 8, None), ("val_loss", 0.337, L, 8, None),
         ("val_acc", 0.91, L, 8, None)],
        [("train_loss", 0.125, L, 49, None), ("val_loss", 0.138, L, 49, None),
         ("val_map", 75.3, L, 49, None)],
        # the 6 % bar gives nothing; the end-of-epoch bar run into another message keeps its pairs
        [("train_loss", 1.59, L, 0, None), ("train_acc", 0.688, L, 0, None), ("val_loss", 1.42, L, 0, None)],
        [("train_loss", 9.19, L, 0, None)],
        [("loss", 0.061, L, 4, None), ("train/loss", 0.0397, L, 4, None), ("train/acc", 0.98, L, 4, None),
         ("val/loss", 0.527, L, 4, None), ("val/acc", 0.896, L, 4, None)],
        [("test/acc", 0.8896281719207764, L, None, None)],
        [("test/loss", 0.5668848156929016, L, None, None)],
        [("test_acc", 90.2952880859375, L, None, None)],
        [("test_loss", 0.41182997822761536, L, None, None)],
        [("test_loss", 0.5618957877159119, L, None, None)],
        [("test_r2", 0.46673357486724854, L, None, None)],
        [("test_acc", 1.0, L, None, None), ("test_loss", 1.2107692956924438, L, None, None)],
        [("cm", 0.0, L, None, None)],
        [("test_acc", 0.9313876628875732, L, None, None)],
        [("test_dist_l1", 0.07119351625442505, L, None, None)],
        [("test_iou", 0.8745157122612, L, None, None)],
        [("m_test_mrr", 0.041, L, None, None)],
        [("val_loss", 5.539, L, None, None)],
        [("val_mrr", 0.041, L, None, None)],
    ]


def test_lightning_table_with_two_dataloaders():
    rec = Recognizer()
    lines = ["─" * 60, "       Test metric             DataLoader 0             DataLoader 1", "─" * 60,
             "        test_loss           0.25                     0.5", "─" * 60, "        loss 3"]
    assert [rec.feed(x) for x in lines][3] == [
        {"metric": "test_loss/dataloader_idx_0", "value": 0.25, "source": "lightning"},
        {"metric": "test_loss/dataloader_idx_1", "value": 0.5, "source": "lightning"},
    ]
    assert rec.feed("        loss 3") == [] and not rec.wants_next  # the table has ended


def test_ansi_codes_are_stripped():
    rec = Recognizer()
    assert rec.feed("\x1b[1mEpoch 2/5\x1b[0m") == []
    got = rec.feed("\x1b[2K\x1b[?25l\x1b]0;title\x07\x1b[1m4/4\x1b[0m \x1b[32m━━━━\x1b[0m \x1b[1m0s\x1b[0m "
                   "6ms/step - \x1b[31maccuracy\x1b[0m: 0.5195 - loss: 1.2345e-04\b\b")
    assert got == [{"metric": "accuracy", "value": 0.5195, "epoch": 2, "source": "keras"},
                   {"metric": "loss", "value": 1.2345e-04, "epoch": 2, "source": "keras"}]


def test_windows_line_endings_and_redraws():
    rec = Recognizer()
    assert rec.feed("Epoch 1/1\r") == []
    assert rec.feed("1/4 - loss: 0.9\r4/4 - 0s - loss: 0.5\r\r") == [
        {"metric": "loss", "value": 0.5, "epoch": 1, "source": "keras"}]


@pytest.mark.parametrize("line", [
    "loss is high: 3", "loss: 0.5 - accuracy: 0.9", '{"metric": "loss", "value": 0.1, "step": 3}',
    "3/10 - 1s - loss: 0.5", "Epoch 3 done - loss: 0.5", "{'lr': 0.1, 'batch_size': 32}",
    "{'epoch': 1, 'cfg': {'loss': 0.5}}", "[{'test_loss': 0.56}]", "       test_loss           0.56",
    "Epoch 3: 50%|█████     | 8/16 [00:01<00:01, v_num=0, train_loss=0.3]", "", "   ", "\x1b[0m",
])
def test_plain_lines_give_nothing(line):
    assert Recognizer().feed(line) == []


def test_keras_per_step_lines_and_evaluate_give_nothing():
    rec = Recognizer()
    assert rec.feed("Epoch 1/2") == []
    assert rec.feed(" 3/10 ━━━━━━ 0s 5ms/step - loss: 0.7") == []
    assert rec.feed("10/10 ━━━━━━ 0s 5ms/step - loss: 0.6") == [
        {"metric": "loss", "value": 0.6, "epoch": 1, "source": "keras"}]
    assert rec.feed("2/2 ━━━━━━ 0s 5ms/step - loss: 0.5") == []  # evaluate: the epoch was used
    assert rec.feed("Epoch 2/2") == []
    assert rec.feed("     12/Unknown 3s 10ms/step - loss: 0.4") == [
        {"metric": "loss", "value": 0.4, "epoch": 2, "source": "keras"}]


HOSTILE = {
    "colons": "a: " * 350_000,
    "keras_pairs": "8/8 ━ 0s - " + " - a: 1" * 150_000,
    "keras_names": "8/8 - " + (" - " + "a" * 190) * 5_000,
    "braces": "{" * 1_048_576,
    "nested": "{'a': " * 150_000 + "1" + "}" * 150_000,
    "dict_10k": "{" + ", ".join(f"'k{i}': {i}.5" for i in range(10_000)) + ", 'epoch': 1.0}",
    "dict_unclosed": "{" + ", ".join(f"'k{i}': 'v'" for i in range(80_000)),
    "lightning_bar": "Epoch 1: 100%| 2/2 [" + ", a=1" * 200_000 + "]",
    "table_row": "x" + " 1234567890" * 100_000 + " x",
    "ansi": "\x1b[" * 400_000,
    "osc": "\x1b]" + "a" * 1_048_576,
    "digits": "1" * 1_048_576,
    "quotes": "'" * 1_048_576,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_lines_are_bounded_and_never_raise(name):
    line = HOSTILE[name]

    def armed():
        rec = Recognizer()
        rec.feed("Epoch 1/3")  # the Keras paths are armed
        rec.feed("       Test metric             DataLoader 0")  # and a Lightning table is open
        return rec

    assert isinstance(armed()._feed(line), list)  # _feed: no exception even inside feed's guard
    baseline = min(_timed(line.split) for _ in range(3))
    spent = min(_timed(lambda: armed().feed(line)) for _ in range(3))
    assert spent <= 20 * baseline, (name, spent, baseline)


@pytest.mark.parametrize("name", ["tf_keras2.txt", "hf_trainer.txt", "lightning.txt"])
def test_every_prefix_of_every_fixture_line_is_handled_without_an_exception(name):
    rec = Recognizer()
    for line in fixture_lines(name):
        for end in range(len(line) + 1):
            assert isinstance(rec._feed(line[:end]), list)


def test_long_lines_are_cut():
    rec = Recognizer()
    rec.feed("Epoch 1/1")
    line = "1/1 - 0s - loss: 0.5" + " " * MAX_LINE + " - val_loss: 0.4"
    assert [m["metric"] for m in rec.feed(line)] == ["loss"]


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def typical_log_chunk(lines: int) -> bytes:
    """1M lines of what jobs print besides metrics: Mo JSON metrics, log records with paths and
    quotes, tqdm bars (█ blocks), warnings."""
    kinds = [
        b'{"metric": "loss", "value": 0.123456789, "step": 123456}\n',
        b"2026-11-29 22:00:01,123 INFO worker 3 loaded /data/train/part-00017.parquet in 0.52 s\n",
        "Map:  45%|████▌     | 450/1000 [00:01<00:02, 300.00 examples/s]\n".encode(),
        b"UserWarning: the model's config is deprecated; don't pass 'num_labels' here\n",
    ]
    return b"".join(kinds[i % len(kinds)] for i in range(lines))


def test_may_hold_metrics_false_on_typical_logs_true_on_fixtures():
    assert may_hold_metrics(typical_log_chunk(1_000_000)) is False
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix in (".out", ".txt"):
            assert may_hold_metrics(path.read_bytes()), path.name


@pytest.mark.parametrize("name", KERAS + ["tf_keras2.txt", "hf_trainer.txt", "lightning.txt"])
def test_every_line_that_matters_passes_may_hold_metrics_alone(name):
    """Wherever a chunk ends, a line that sets state or gives metrics is in a chunk that passes (or
    the recogniser asks for it with wants_next: plain Lightning table rows)."""
    if name in KERAS:
        lines = list(complete_lines((FIXTURES / f"{name}.out").read_bytes()))
    else:
        lines = fixture_lines(name)
    rec = Recognizer()
    for line in lines:
        wanted, before = rec.wants_next, _armed(rec)
        got = rec.feed(line)
        if got or _armed(rec) - before:
            assert wanted or may_hold_metrics(line.encode()), line


def _armed(rec) -> set:
    """What a line can arm: a pending Keras epoch, an open Lightning table or result dict."""
    return {k for k, v in (("epoch", rec._epoch), ("table", rec._table), ("results", rec._results))
            if v is not None and v is not False}


def test_may_hold_metrics_speed_against_a_scan_of_the_same_bytes():
    chunk = b'{"metric": "loss", "value": 0.123456789, "step": 123456}\n' * 1_000_000
    scan = min(_timed(lambda: chunk.count(b"\n")) for _ in range(3))
    spent = min(_timed(lambda: may_hold_metrics(chunk)) for _ in range(3))
    assert spent <= 3 * scan, (spent, scan)


if __name__ == "__main__":  # the numbers in the docstring
    NL = b"\n"
    mo = b'{"metric": "loss", "value": 0.123456789, "step": 123456}\n' * 1_150_000
    for label, chunk in (("Mo JSON", mo), ("typical logs", typical_log_chunk(1_000_000))):
        print(f"may_hold_metrics, {label}, {len(chunk) / 1e6:.0f} MB: "
              f"{min(_timed(lambda: may_hold_metrics(chunk)) for _ in range(5)) * 1e3:.1f} ms; "
              f"count: {min(_timed(lambda: chunk.count(NL)) for _ in range(3)) * 1e3:.1f} ms; "
              f"split: {min(_timed(lambda: chunk.split(NL)) for _ in range(3)) * 1e3:.1f} ms")
    epoch_line = list(complete_lines((FIXTURES / "keras3_classify_v1.out").read_bytes()))[1]
    rec = Recognizer()

    def keras():
        for _ in range(100_000):
            rec.feed("Epoch 1/3")
            rec.feed(epoch_line)

    print(f"feed, 100k Keras epoch lines (+ their Epoch lines): {_timed(keras):.2f} s")
    plain = "2026-11-29 22:00:01,123 INFO worker 3 loaded /data/train/part-00017.parquet in 0.52 s"
    print(f"feed, 100k plain lines: {_timed(lambda: [rec.feed(plain) for _ in range(100_000)]):.2f} s")
