"""Datasets: management (seed 003, 2.1), format checks, import of archives, insertion as links."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import yaml

from mo_jupyter.errors import BadRequest, Conflict, Forbidden, NotFound

from .catalog_fixtures import make_service, write_dataset


def zip_bytes(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()


@pytest.fixture
def svc(tmp_path):
    svc = make_service(tmp_path)
    shared = svc.catalogs.roots[1].path
    write_dataset(shared, "bob", "reviews", description="movie reviews 影评", tags=["text"])
    write_dataset(shared, "bob", "hidden", permission="private")
    write_dataset(shared, "bob", "draft", status="offline")
    buf = io.BytesIO()
    np.savez(buf, x_train=np.zeros((3, 2)), y_train=np.arange(3))
    write_dataset(shared, "bob", "digits", format="npz", purpose="image_classification",
                  files={"digits.npz": buf.getvalue()})
    write_dataset(shared, "bob", "flowers", format="csv", purpose="tabular",
                  files={"iris.csv": "a,b,species\n1,2,x\n3,4,y\n"})
    svc.index.refresh()
    return svc


def test_others_see_only_public_online_datasets(svc):
    ids = {d["id"] for d in svc.datasets.list("")["items"]}
    assert ids == {"bob/reviews", "bob/digits", "bob/flowers"}
    for hidden in ("hidden", "draft"):
        with pytest.raises(NotFound):
            svc.datasets.get("bob", hidden)


def test_search_and_summary(svc):
    found = svc.datasets.list("影评")
    assert [d["id"] for d in found["items"]] == ["bob/reviews"]
    item = found["items"][0]
    assert (item["file_count"], item["size"], item["writable"], item["status"]) == (2, 7, False, "online")
    assert [d["id"] for d in svc.datasets.list("tabular")["items"]] == ["bob/flowers"]


def test_details_list_files_split_and_check(svc):
    detail = svc.datasets.get("bob", "reviews")
    assert [f["path"] for f in detail["files"]] == ["neg/b.txt", "pos/a.txt"]
    assert detail["test_set"] == 0.8 and detail["check"] == {"ok": True, "problems": []}
    assert detail["truncated"] is False and detail["archives"] == []


def test_create_edit_online_offline_delete(svc):
    created = svc.datasets.create({"name": "faces", "purpose": "image_classification", "format": "dir",
                                   "test_set": "independent", "status": "online"})
    assert (created["owner"], created["status"], created["permission"], created["writable"]) == \
        ("alice", "offline", "private", True)
    with pytest.raises(Conflict, match="already exists"):
        svc.datasets.create({"name": "faces", "purpose": "other", "format": "dir"})
    with pytest.raises(Conflict) as err:
        svc.datasets.update("alice", "faces", {"status": "online"})
    assert "no files yet" in err.value.message
    edited = svc.datasets.update("alice", "faces", {"description": "明星脸", "permission": "public"})
    assert edited["description"] == "明星脸" and edited["permission"] == "public"
    on_disk = yaml.safe_load((svc.catalogs.user.path / "datasets/alice/faces/dataset.yml").read_text())
    assert on_disk["description"] == "明星脸"
    with pytest.raises(BadRequest, match="'name' cannot change"):
        svc.datasets.update("alice", "faces", {"name": "other"})
    with pytest.raises(Forbidden, match="preset"):
        svc.datasets.update("alice", "faces", {"permission": "preset"})
    svc.datasets.delete("alice", "faces")
    with pytest.raises(NotFound):
        svc.datasets.get("alice", "faces")
    assert not (svc.catalogs.user.path / "datasets/alice/faces").exists()


def test_create_lists_every_schema_problem(svc):
    with pytest.raises(BadRequest) as err:
        svc.datasets.create({"name": "x y", "purpose": "dreams", "format": "rar", "test_set": 1.5})
    for word in ("name", "purpose", "format", "test_set"):
        assert word in err.value.message


def test_datasets_of_others_and_read_only_catalogs_cannot_be_changed(svc, tmp_path):
    with pytest.raises(Forbidden, match="belongs to 'bob'"):
        svc.datasets.update("bob", "reviews", {"description": "mine now"})
    with pytest.raises(Forbidden):
        svc.datasets.delete("bob", "reviews")


def test_import_checks_the_dir_format_and_goes_online(svc, tmp_path):
    svc.datasets.create({"name": "sentiment", "purpose": "text_classification", "format": "dir"})
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_bytes({"sentiment/a.txt": "loose file", "sentiment/pos/1.txt": "good"}))
    detail = svc.datasets.import_archive("alice", "sentiment", bad)
    assert not detail["check"]["ok"]
    assert any("outside a class folder: a.txt" in p for p in detail["check"]["problems"])
    assert any("1 class folder" in p for p in detail["check"]["problems"])
    good = tmp_path / "good.zip"
    good.write_bytes(zip_bytes({"sentiment/pos/1.txt": "good", "sentiment/neg/1.txt": "bad", "sentiment/neg/2.txt": "awful"}))
    detail = svc.datasets.import_archive("alice", "sentiment", good)
    assert detail["check"]["ok"], detail["check"]
    assert [f["path"] for f in detail["files"]] == ["neg/1.txt", "neg/2.txt", "pos/1.txt"]  # the old files are gone
    assert svc.datasets.update("alice", "sentiment", {"status": "online"})["status"] == "online"


def test_a_refused_archive_changes_nothing(svc, tmp_path):
    svc.datasets.create({"name": "s", "purpose": "other", "format": "dir"})
    good = tmp_path / "good.zip"
    good.write_bytes(zip_bytes({"pos/1.txt": "good", "neg/1.txt": "bad"}))
    svc.datasets.import_archive("alice", "s", good)
    evil = tmp_path / "evil.zip"
    evil.write_bytes(zip_bytes({"pos/2.txt": "fine", "../escape.txt": "evil"}))
    with pytest.raises(BadRequest, match=r"\.\./escape\.txt"):
        svc.datasets.import_archive("alice", "s", evil)
    folder = svc.catalogs.user.path / "datasets/alice/s"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["dataset.yml", "neg", "pos"]
    assert not (tmp_path / "escape.txt").exists() and not (folder.parent / "escape.txt").exists()


def test_independent_test_set_goes_to_its_own_folder(svc, tmp_path):
    svc.datasets.create({"name": "t", "purpose": "other", "format": "dir", "test_set": "independent"})
    arch = tmp_path / "a.zip"
    arch.write_bytes(zip_bytes({"a/1.txt": "x", "b/1.txt": "y"}))
    svc.datasets.import_archive("alice", "t", arch, "train")
    assert any("test/: the folder is missing" in p for p in svc.datasets.get("alice", "t")["check"]["problems"])
    detail = svc.datasets.import_archive("alice", "t", arch, "test")
    assert detail["check"]["ok"] and {f["path"] for f in detail["files"]} >= {"train/a/1.txt", "test/b/1.txt"}
    with pytest.raises(BadRequest, match="no independent test set"):
        svc.datasets.create({"name": "u", "purpose": "other", "format": "dir"}) and \
            svc.datasets.import_archive("alice", "u", arch, "test")


@pytest.mark.parametrize("fmt,files,problem", [
    ("npz", {"x.npz": b"not a zip"}, "not a valid .npz"),
    ("csv", {"x.csv": "a,b\n1,2,3\n"}, "line 2: 3 columns"),
    ("json", {"x.json": "{nope"}, "not valid JSON"),
    ("brat_ann", {"x.ann": "T1"}, ".ann without its .txt"),
    ("single_text", {"x.bin": "?"}, "no .txt file"),
])
def test_format_checks_name_the_problem(svc, fmt, files, problem):
    write_dataset(svc.catalogs.user.path, "alice", f"f-{fmt}", format=fmt, status="offline", files=files)
    svc.index.refresh()
    problems = svc.datasets.get("alice", f"f-{fmt}")["check"]["problems"]
    assert any(problem in p for p in problems), problems


def test_insert_links_read_only_files_and_never_twice(svc):
    done = svc.datasets.insert("bob", "reviews", "nb.ipynb")
    assert (done["target"], done["mode"]) == ("datasets/bob-reviews", "link")
    linked = svc.root / "datasets/bob-reviews/pos/a.txt"
    source = svc.catalogs.roots[1].path / "datasets/bob/reviews/pos/a.txt"
    assert os.stat(linked).st_ino == os.stat(source).st_ino  # no copy
    assert not os.access(linked, os.W_OK) or os.geteuid() == 0
    assert not (os.stat(linked).st_mode & 0o222)
    assert svc.datasets.insert("bob", "reviews", "nb.ipynb")["mode"] == "existing"
    out = subprocess.run([sys.executable, "-c", done["cell"]], cwd=svc.root, capture_output=True, text=True, check=True)
    assert "2 samples in 2 classes: ['neg', 'pos']" in out.stdout


def test_insert_refuses_offline_datasets(svc):
    write_dataset(svc.catalogs.user.path, "alice", "wip", status="offline")
    svc.index.refresh()
    with pytest.raises(Conflict, match="offline"):
        svc.datasets.insert("alice", "wip", "nb.ipynb")
    assert not (svc.root / "datasets").exists()


def test_cells_load_npz_and_csv(svc):
    npz = svc.datasets.insert("bob", "digits", "nb.ipynb")["cell"]
    assert "x_train = data['x_train']" in npz
    out = subprocess.run([sys.executable, "-c", npz + "\nprint(x_train.shape, y_train.tolist())"], cwd=svc.root,
                         capture_output=True, text=True, check=True).stdout
    assert "(3, 2) [0, 1, 2]" in out
    csv_cell = svc.datasets.insert("bob", "flowers", "nb.ipynb")["cell"]
    out = subprocess.run([sys.executable, "-c", csv_cell], cwd=svc.root, capture_output=True, text=True, check=True).stdout
    assert "2 rows; columns: ['a', 'b', 'species']" in out


def test_a_changed_dataset_is_relinked(svc):
    svc.datasets.insert("bob", "reviews", "nb.ipynb")
    write_dataset(svc.catalogs.user.path, "alice", "mine", files={"p/1.txt": "1", "q/1.txt": "2"})
    svc.index.refresh()
    svc.datasets.insert("alice", "mine", "nb.ipynb")
    arch = svc.root / "more.zip"
    arch.write_bytes(zip_bytes({"p/1.txt": "1", "q/1.txt": "2", "r/1.txt": "3"}))
    svc.datasets.import_archive("alice", "mine", arch)
    done = svc.datasets.insert("alice", "mine", "nb.ipynb")
    assert done["mode"] == "link" and (svc.root / "datasets/alice-mine/r/1.txt").is_file()


def test_extract_into_the_project(svc):
    arch = svc.root / "datasets" / "star-face.zip"
    arch.parent.mkdir()
    arch.write_bytes(zip_bytes({"star-face/a/1.jpg": "x"}))
    done = svc.datasets.extract("datasets/star-face.zip")
    assert done == {"dest": "datasets/star-face", "files": 1, "bytes": 1}
    with pytest.raises(Conflict):
        svc.datasets.extract("datasets/star-face.zip")
    with pytest.raises(BadRequest, match="outside the project root"):
        svc.datasets.extract("datasets/star-face.zip", "../out")
