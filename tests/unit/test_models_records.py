"""Model records without jobs: versions per name (never twice, never reused), framework detection,
files copied with their hashes, links and paths outside the project refused, hostile record files
skipped, the size limit, the zip, and the services guard read from real service records."""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import threading
import zipfile
from pathlib import Path

import pytest

from mo_jupyter.errors import BadRequest, Conflict, NotFound, TooLarge
from mo_jupyter.models.files import Limits
from mo_jupyter.models.lineage import summarize_metrics
from mo_jupyter.models.records import detect_framework, make_name, parse_ref
from mo_jupyter.models.service import ModelService


@pytest.fixture
def root(tmp_path) -> Path:
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "model.npz").write_bytes(b"n" * 1000)
    return tmp_path


def test_versions_count_up_per_name_and_a_deleted_one_is_never_given_again(root):
    svc = ModelService(root)
    assert [svc.register_path("results/model.npz")["id"] for _ in range(3)] == ["model:1", "model:2", "model:3"]
    assert svc.register_path("results/model.npz", name="other")["id"] == "other:1"
    svc.delete("model", 3)
    assert svc.register_path("results/model.npz")["version"] == 4
    svc.delete("model", 4)
    svc.delete("model", 2)
    svc2 = ModelService(root)  # the counter is on disk, not in the object
    assert svc2.register_path("results/model.npz")["version"] == 5
    listed = {m["name"]: [v["version"] for v in m["versions"]] for m in svc2.list()["models"]}
    assert listed == {"model": [5, 1], "other": [1]}


def test_a_record_holds_the_copied_files_with_their_hashes_and_survives_the_original(root):
    data = os.urandom(5000)
    (root / "results" / "model.npz").write_bytes(data)
    svc = ModelService(root)
    record = svc.register_path("results/model.npz", description="first try")
    assert record["files"] == [{"path": "model.npz", "size": 5000, "sha256": hashlib.sha256(data).hexdigest(),
                                "source": "results/model.npz"}]
    assert record["size"] == 5000 and record["framework"] == "numpy" and record["source"] == "manual"
    assert record["description"] == "first try" and record["lineage"]["job"] is None
    (root / "results" / "model.npz").unlink()
    copy = root / ".mo" / "models" / "model" / "1" / "files" / "model.npz"
    assert copy.read_bytes() == data and not copy.is_symlink()
    assert svc.get("model", "1") == record


def _register_many(root: str, n: int, out) -> None:
    svc = ModelService(root)
    for _ in range(n):
        out.put(svc.register_path("results/model.npz")["version"])


def test_concurrent_registrations_get_distinct_versions(root):
    svc = ModelService(root)
    got, errors = [], []

    def one():
        try:
            got.append(svc.register_path("results/model.npz")["version"])
        except Exception as exc:  # pragma: no cover - the failure is the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(got) == list(range(1, 13))
    # and across processes (the CLI and a server at once)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_register_many, args=(str(root), 4, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    versions = sorted(queue.get(timeout=60) for _ in range(12))
    for p in procs:
        p.join(60)
    assert versions == list(range(13, 25))
    assert [v["version"] for v in svc.list()["models"][0]["versions"]] == list(range(24, 0, -1))


@pytest.mark.parametrize("files,framework", [
    (["m.keras"], "keras"), (["m.h5"], "keras"), (["w.pt"], "pytorch"), (["w.PTH"], "pytorch"),
    (["clf.joblib"], "sklearn"), (["clf.pkl"], "sklearn"), (["w.npz"], "numpy"), (["m.onnx"], "onnx"),
    (["bayes.json"], "json"), (["weights.bin"], "unknown"), ([], "unknown"),
    (["history.json", "m.keras"], "keras"), (["labels.json", "w.npz"], "numpy"),
])
def test_framework_is_detected_from_the_files(files, framework):
    assert detect_framework(files) == framework


def test_a_folder_is_registered_with_its_files_under_its_name_and_links_left_out(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("secret")
    saved = root / "results" / "saved"
    (saved / "variables").mkdir(parents=True)
    (saved / "saved_model.pb").write_bytes(b"pb")
    (saved / "variables" / "v.index").write_bytes(b"vv")
    (saved / "leak.txt").symlink_to(outside / "secret.txt")
    (saved / "leakdir").symlink_to(outside)
    record = ModelService(root).register_path("results/saved")
    assert record["name"] == "saved"
    assert sorted(f["path"] for f in record["files"]) == ["saved/saved_model.pb", "saved/variables/v.index"]


def test_links_paths_outside_and_missing_files_are_refused(root, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "w.npz").write_bytes(b"w")
    (root / "results" / "out.npz").symlink_to(outside / "w.npz")
    (root / "results" / "in.npz").symlink_to(root / "results" / "model.npz")
    (root / "linkdir").symlink_to(root / "results")
    svc = ModelService(root)
    for path, says in (("results/out.npz", "link"), ("results/in.npz", "link"), ("linkdir/model.npz", "link"),
                       ("../x.npz", "outside"), (str(outside / "w.npz"), "outside"), ("results/nope.npz", "no such"),
                       ("", "path"), ("results/model.npz/x", "")):
        with pytest.raises(BadRequest) as caught:
            svc.register_path(path)
        assert says in caught.value.message
    with pytest.raises(BadRequest):
        svc.register_path("results/model.npz", name="../evil")
    assert svc.list()["models"] == []
    assert not (root / ".mo" / "models").exists() or not any(
        p.name.isdigit() for p in (root / ".mo" / "models").rglob("*"))


def test_files_over_the_size_limit_are_refused_and_leave_nothing(root):
    (root / "results" / "big.npz").write_bytes(b"b" * 2000)
    svc = ModelService(root, limits=Limits(max_bytes=1500))
    with pytest.raises(TooLarge):
        svc.register_path("results/big.npz")
    assert svc.list()["models"] == []
    assert [p.name for p in (root / ".mo" / "models" / "big").iterdir() if not p.name.startswith(".")] == []
    assert svc.register_path("results/model.npz")["id"] == "model:1"
    with pytest.raises(TooLarge):
        ModelService(root, limits=Limits(max_files=1)).register_path("results")


def test_the_zip_holds_every_file_with_its_size_and_bytes(root):
    (root / "results" / "sub").mkdir()
    (root / "results" / "sub" / "a.json").write_text(json.dumps({"w": list(range(1000))}))
    (root / "results" / "sub" / "b.pt").write_bytes(os.urandom(70_000))
    svc = ModelService(root)
    record = svc.register_path("results/sub")
    name, archive = svc.zip("sub", 1)
    assert name == "sub-1.zip"
    with archive, zipfile.ZipFile(io.BytesIO(archive.read())) as z:
        members = {i.filename: i.file_size for i in z.infolist()}
        assert members == {f["path"]: f["size"] for f in record["files"]}
        for f in record["files"]:
            assert hashlib.sha256(z.read(f["path"])).hexdigest() == f["sha256"]
    with pytest.raises(NotFound):
        svc.zip("sub", 2)


HOSTILE = {
    "garbage": b"{not json",
    "list": b"[1, 2]",
    "deep": b"[" * 5000 + b"]" * 5000,
    "wrong-type": json.dumps({"name": "m", "version": 7, "id": "m:7", "framework": "keras", "files": "x",
                              "size": 1, "created": 1, "source": "job", "lineage": {}}).encode(),
    "escaping-file": json.dumps({"name": "m", "version": 7, "id": "m:7", "framework": "keras",
                                 "files": [{"path": "../../../etc/passwd", "size": 1, "sha256": "0" * 64}],
                                 "size": 1, "created": 1, "source": "job", "lineage": {}}).encode(),
    "other-name": json.dumps({"name": "zz", "version": 7, "id": "zz:7", "framework": "keras", "files": [],
                              "size": 1, "created": 1, "source": "job", "lineage": {}}).encode(),
    "huge": b'{"name": "' + b"m" * (5 * 1024 * 1024) + b'"}',
}


@pytest.mark.parametrize("kind", sorted(HOSTILE) + ["link", "fifo"])
def test_a_hostile_record_is_skipped_and_never_served(root, kind, tmp_path_factory, caplog):
    svc = ModelService(root)
    svc.register_path("results/model.npz", name="m")
    bad = root / ".mo" / "models" / "m" / "7.json"
    if kind == "link":
        target = tmp_path_factory.mktemp("elsewhere") / "r.json"
        target.write_text(json.dumps({**svc.get("m", 1), "version": 7, "id": "m:7"}))
        bad.symlink_to(target)
    elif kind == "fifo":
        os.mkfifo(bad)
    else:
        bad.write_bytes(HOSTILE[kind])
    listed = svc.list()["models"]
    assert [(m["name"], [v["version"] for v in m["versions"]]) for m in listed] == [("m", [1])]
    assert "7" in caplog.text and "skipped" in caplog.text
    with pytest.raises(NotFound):
        svc.get("m", 7)
    with pytest.raises(NotFound):
        svc.zip("m", 7)
    assert svc.register_path("results/model.npz", name="m")["version"] == 8  # 7 stays taken


def test_names_and_references():
    assert make_name("my model (final)") == "my-model-final" and make_name("...") == "model"
    assert parse_ref("bayes:3") == ("bayes", 3) and parse_ref("bayes") == ("bayes", None)
    for bad in ("bayes:x", "bayes:0", "bayes:-1"):
        with pytest.raises(NotFound):
            parse_ref(bad)
    with pytest.raises(BadRequest):
        parse_ref("../x:1")


def test_metrics_are_summed_up_as_last_best_and_steps():
    metrics = [{"metric": "loss", "value": v, "step": i} for i, v in enumerate([0.9, 0.3, 0.5])]
    metrics += [{"metric": "accuracy", "value": v} for v in (0.5, 0.8, 0.7)]
    metrics += [{"metric": "val_error", "value": None, "nonfinite": "NaN"}, {"metric": "note", "value": "done"}]
    assert summarize_metrics(metrics) == {
        "loss": {"last": 0.5, "best": 0.3, "steps": 3},
        "accuracy": {"last": 0.7, "best": 0.8, "steps": 3},
        "val_error": {"last": None, "best": None, "steps": 1},
        "note": {"last": "done", "best": None, "steps": 1},
    }


def _service_record(root: Path, sid: str, model) -> None:
    folder = root / ".mo" / "services" / sid
    folder.mkdir(parents=True)
    record = {"id": sid, "name": sid.rsplit("-", 1)[0], "version": sid.rsplit("-", 1)[1], "backend": "local",
              "port": 20000, "replicas": 0}
    if model is not None:
        record["model"] = model
    (folder / "service.json").write_text(json.dumps(record))


def test_a_model_a_service_serves_is_not_deleted_and_names_the_service(root):
    svc = ModelService(root)
    svc.register_path("results/model.npz")
    svc.register_path("results/model.npz")
    _service_record(root, "digits-dev", {"name": "model", "version": 1})
    _service_record(root, "other-prod", None)
    (root / ".mo" / "services" / "broken-dev").mkdir()
    (root / ".mo" / "services" / "broken-dev" / "service.json").write_text('{"model": {"name": "model", "version": 2}')
    assert svc.get("model", 1)["services"] == ["digits-dev"] and svc.get("model", 2)["services"] == []
    with pytest.raises(Conflict) as caught:
        svc.delete("model", 1)
    assert "digits-dev" in caught.value.message
    svc.delete("model", 2)  # a broken record names no service
    assert [v["version"] for v in svc.list()["models"][0]["versions"]] == [1]


def test_a_model_folder_that_is_a_link_is_not_served(root, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    svc = ModelService(root)
    svc.register_path("results/model.npz", name="real")
    os.rename(root / ".mo" / "models" / "real", elsewhere / "real")
    (root / ".mo" / "models" / "real").symlink_to(elsewhere / "real")
    assert svc.list()["models"] == []
    for call in (svc.get, svc.zip, svc.delete):
        with pytest.raises(NotFound):
            call("real", 1)
    with pytest.raises(Conflict):
        svc.register_path("results/model.npz", name="real")
