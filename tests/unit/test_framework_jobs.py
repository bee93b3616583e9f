"""Charts from what frameworks print, in real jobs (local backend): Keras' fit lines and its
TensorBoard callback's event files, Hugging Face / Lightning lines (copied from real output), each
metric labelled by its source; Mo's JSON lines keep priority; ``recognize: false`` turns it off."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mo_jupyter.jobs.service import JobService

FIXTURES = Path(__file__).parent / "fixtures" / "framework_output"

KERAS = """
import json, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, keras
rng = np.random.default_rng(0)
x, y = rng.normal(size=(256, 4)), rng.integers(0, 2, 256)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
h = model.fit(x, y, epochs=3, batch_size=64, validation_split=0.25, verbose=VERBOSE,
              callbacks=[keras.callbacks.TensorBoard(log_dir="logs")])
print(json.dumps({"metric": "mine", "value": 1.5, "step": 1}))
json.dump(h.history, open("history.json", "w"))
"""


def run(root: Path, name: str, source: str, **request) -> dict:
    (root / name).write_text(source)
    svc = JobService(root)
    job = svc.create({"path": name, **request})
    done = svc.wait(job["id"], timeout=300)
    assert done["state"] == "completed", (done, svc.read_log(job["id"])["text"][-2000:])
    return {s["metric"]: s for s in svc.metric_columns(job["id"])["series"]}


@pytest.mark.parametrize("verbose", [1, 2])
def test_a_keras_fit_is_charted_from_its_lines_and_its_tensorboard_files(tmp_path, verbose):
    pytest.importorskip("keras")
    pytest.importorskip("tensorboard")
    series = run(tmp_path, "fit.py", KERAS.replace("VERBOSE", str(verbose)))
    import json

    history = json.loads((tmp_path / "history.json").read_text())
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        s = series[name]
        assert s["source"] == "keras" and list(s["epoch"]) == [1, 2, 3], name
        assert [round(v, 4) for v in s["value"]] == pytest.approx([round(v, 4) for v in history[name]], abs=1.5e-4)
    tb = series["logs/train/epoch_loss"]
    assert tb["source"] == "tensorboard" and list(tb["step"]) == [0, 1, 2]
    assert list(tb["value"]) == pytest.approx(history["loss"], rel=1e-5)
    assert series["logs/validation/epoch_loss"]["source"] == "tensorboard"
    assert series["mine"]["source"] == "mo" and list(series["mine"]["value"]) == [1.5]


def test_recognition_can_be_turned_off(tmp_path):
    pytest.importorskip("keras")
    series = run(tmp_path, "fit.py", KERAS.replace("VERBOSE", "2"), recognize=False)
    assert list(series) == ["mine"]


def test_printed_hugging_face_and_lightning_lines_are_charted(tmp_path):
    lines = [l for f in ("hf_trainer.txt", "lightning.txt")
             for l in (FIXTURES / f).read_text().splitlines() if not l.startswith("#")]
    (tmp_path / "out.txt").write_text("\n".join(lines) + "\n")
    series = run(tmp_path, "p.py", "import sys\nsys.stdout.write(open('out.txt').read())\n"
                 "print('{\"metric\": \"loss\", \"value\": 9.0}')\n")
    assert series["eval_loss"]["source"] == "huggingface"
    assert 0.3461727797985077 in list(series["eval_loss"]["value"])
    assert series["val_loss"]["source"] == "lightning"
    # 'loss' was first printed by the Trainer: that source owns the name, the later Mo line is log
    assert series["loss"]["source"] == "huggingface" and 9.0 not in list(series["loss"]["value"])
