"""The seeds' MNIST walkthrough end to end in the `cpu` image (TensorFlow CPU, Keras 3): the bundled
10,000-digit subset, `jobs/examples/mnist_cnn.py` run as a docker job on a 2-core / 4 GB machine
type for the full 12 epochs, its metric lines arriving live, and the saved model reloaded by a
the demo notebook `mnist_results.ipynb` run as a notebook job. ~2 minutes on 2 cores (plus ~75 s once to build the image)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from mo_jupyter.jobs.service import JobService

REPO = Path(__file__).resolve().parents[2]
CPU_IMAGE = "mo-jupyter/cpu:latest"
EPOCHS = 12
PER_EPOCH = ("loss", "accuracy", "val_loss", "val_accuracy", "epoch_time")



@pytest.fixture(scope="module")
def cpu_image(docker_client):
    """build_offline.sh is a no-op (well under a second) while the image matches its recipe; it builds
    it (~75 s with the wheels in pip's cache, more on a cold one) when missing or out of date."""
    subprocess.run(["bash", str(REPO / "jobs/images/build_offline.sh"), "cpu"], check=True, timeout=1200)
    return docker_client.images.get(CPU_IMAGE)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "datasets" / "mo-mnist").mkdir(parents=True)
    shutil.copy(REPO / "jobs/examples/mnist_cnn.py", root)
    shutil.copy(REPO / "mo_jupyter/catalog/builtin/datasets/mo/mnist/mnist.npz", root / "datasets/mo-mnist")
    shutil.copy(REPO / "mo_jupyter/templates/mnist/mnist_results.ipynb", root)
    return root


def test_the_seeds_cnn_as_a_docker_job_reaches_097_and_the_model_reloads(project, cpu_image):
    assert cpu_image.labels["mo.kind"] == "cpu"
    svc = JobService(project, backends={"docker": {"machines": {"cpu": {
        "image": CPU_IMAGE, "cpus": 2, "memory": "4g"}}}}, default_backend="docker")
    t0 = time.monotonic()
    job = svc.create({"path": "mnist_cnn.py", "machine": "cpu", "args": ["--epochs", str(EPOCHS)]})

    # live: while the job runs, some epochs' metrics are there and not yet all of them
    seen_live = set()
    while svc.get(job["id"])["state"] in ("queued", "running") and time.monotonic() - t0 < 600:
        epochs = {m["epoch"] for m in svc.metrics(job["id"]) if m["metric"] == "loss"}
        if svc.get(job["id"])["state"] == "running" and 0 < len(epochs) < EPOCHS:
            seen_live |= epochs
        time.sleep(0.5)
    done = svc.wait(job["id"], timeout=10)
    text = svc.read_log(job["id"])["text"]
    assert done["state"] == "completed" and done["exit_code"] == 0, (done, text[-3000:])
    assert seen_live, "no epoch's metrics were seen while the job was running"

    metrics = svc.metrics(job["id"])
    per_epoch = [m for m in metrics if "epoch" in m]
    # one line per metric per epoch, epochs 1..12 in order, each epoch's lines in the script's order
    assert [(m["epoch"], m["metric"]) for m in per_epoch] == \
        [(e, name) for e in range(1, EPOCHS + 1) for name in PER_EPOCH]
    series = {name: [m["value"] for m in per_epoch if m["metric"] == name] for name in PER_EPOCH}
    assert series["loss"][-1] < series["loss"][0] / 3  # it learns (~0.9 -> ~0.1)
    assert series["accuracy"][-1] > 0.95
    assert all(t > 0 for t in series["epoch_time"])
    final = {m["metric"]: m["value"] for m in metrics if "epoch" not in m}
    assert final["test_accuracy"] >= 0.97, final
    assert len(text.splitlines()) < 150  # verbose=0: no progress bars in the log
    print(f"\nMNIST job: {time.monotonic() - t0:.0f} s for {EPOCHS} epochs, test accuracy "
          f"{final['test_accuracy']:.4f}, mean epoch {sum(series['epoch_time']) / EPOCHS:.1f} s")

    model = project / "results" / "my_model.keras"
    assert model.is_file() and model.stat().st_size > 1_000_000

    # the notebook's side: the demo notebook, run as a notebook job in the same image, loads the model
    reload = svc.wait(svc.create({"path": "mnist_results.ipynb", "machine": "cpu"})["id"], timeout=180)
    assert reload["state"] == "completed", svc.read_log(reload["id"])["text"][-3000:]
    (reloaded,) = [m["value"] for m in svc.metrics(reload["id"]) if m["metric"] == "reloaded_test_accuracy"]
    assert reloaded >= 0.97 and abs(reloaded - final["test_accuracy"]) < 1e-3, (reloaded, final)
