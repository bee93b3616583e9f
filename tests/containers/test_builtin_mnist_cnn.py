"""The built-in mo/mnist_cnn module in a real container of the `cpu` image (TensorFlow CPU, Keras 3),
used the way an inserted cell uses it: the module copied to <project>/modules/mnist_cnn/, the
built-in mo/mnist dataset to <project>/datasets/mo-mnist/, `from modules.mnist_cnn.main import
MnistCnn` with the project as cwd. The shipped weights predict; one epoch of retraining saves a
model on the host and predicts with it. ~30 s."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from mo_jupyter.jobs.metrics import parse_line

REPO = Path(__file__).resolve().parents[2]
BUILTIN = REPO / "mo_jupyter" / "catalog" / "builtin"
CPU_IMAGE = "mo-jupyter/cpu:latest"

SCRIPT = textwrap.dedent("""
    import json
    import numpy as np
    from modules.mnist_cnn.main import MnistCnn

    with np.load("datasets/mo-mnist/mnist.npz") as f:
        x, y = f["x_test"][:10], f["y_test"][:10]
    shipped = MnistCnn()
    shipped_digits = [shipped.predict({"img": x[i]})["digit"] for i in range(10)]
    sample = shipped.predict({"img": "modules/mnist_cnn/samples/digit_7.png"})

    m = MnistCnn()
    report = m.train({"epochs": 1, "batch_size": 128, "data_path": "datasets/mo-mnist/mnist.npz",
                      "model_save_path": "my_model.keras"})
    trained = m.predict({"img": x[0].tolist()})
    reloaded = MnistCnn().predict({"img": x[1], "model_path": "my_model.keras"})
    print("RESULT " + json.dumps({"labels": y.tolist(), "shipped": shipped_digits, "sample": sample,
                                  "report": report, "trained": trained, "reloaded": reloaded}))
""")


@pytest.fixture(scope="module")
def docker_cpu(docker_client):
    """The engine of conftest's docker_client, with the cpu image (TensorFlow) present."""
    import docker

    try:
        docker_client.images.get(CPU_IMAGE)
    except docker.errors.ImageNotFound:
        pytest.fail(f"{CPU_IMAGE} is missing: build it with `bash jobs/images/build_offline.sh cpu`")
    return docker_client


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    shutil.copytree(BUILTIN / "modules/mo/mnist_cnn/1.0.0", root / "modules" / "mnist_cnn")
    (root / "datasets" / "mo-mnist").mkdir(parents=True)
    shutil.copy(BUILTIN / "datasets/mo/mnist/mnist.npz", root / "datasets" / "mo-mnist")
    (root / "cell.py").write_text(SCRIPT)
    return root


def test_builtin_mnist_cnn_predicts_and_retrains_in_the_cpu_image(docker_cpu, project):
    container = docker_cpu.containers.run(
        CPU_IMAGE, ["python", "cell.py"], working_dir="/w", detach=True, network_disabled=True,
        volumes={str(project): {"bind": "/w", "mode": "rw"}}, user=f"{os.getuid()}:{os.getgid()}",
        environment={"HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1", "TF_CPP_MIN_LOG_LEVEL": "3",
                     "PYTHONUNBUFFERED": "1"},
        nano_cpus=2_000_000_000, mem_limit="3g")
    try:
        status = container.wait(timeout=90)
        log = container.logs().decode("utf-8", "replace")
    finally:
        container.remove(force=True)
    assert status["StatusCode"] == 0, log[-4000:]
    result = json.loads(next(l for l in log.splitlines() if l.startswith("RESULT "))[len("RESULT "):])

    # the shipped weights (results/mnist_cnn.keras) know their digits
    hits = sum(p == t for p, t in zip(result["shipped"], result["labels"]))
    assert hits >= 8, result
    assert result["sample"]["digit"] == 7 and len(result["sample"]["probabilities"]) == 10

    # retraining (二次训练) saved a model on the host; both the trained and the reloaded one predict digits
    saved = project / "my_model.keras"
    assert saved.is_file() and saved.stat().st_size > 10_000
    assert result["report"]["epochs"] == 1 and result["report"]["test_accuracy"] > 0.9
    for key in ("trained", "reloaded"):
        assert result[key]["digit"] in range(10)
        assert abs(sum(result[key]["probabilities"]) - 1) < 1e-2
    assert result["trained"]["digit"] == result["labels"][0]

    # one epoch's metric lines, in the project's format
    metrics = [m.metric for m in (parse_line(l.encode()) for l in log.splitlines()) if m.metric]
    per_epoch = [(m["epoch"], m["metric"]) for m in metrics if "epoch" in m]
    assert per_epoch == [(1, n) for n in ("loss", "accuracy", "val_loss", "val_accuracy", "epoch_time")]
    assert {m["metric"] for m in metrics if "epoch" not in m} == {"test_loss", "test_accuracy"}
