"""Regression tests from a review of the catalog services: hostile or broken catalogs, links in the
project, races between writers. Each would fail on the code before its fix."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import zipfile

import numpy as np
import pytest
import yaml

from mo_jupyter.catalog.roots import Catalogs
from mo_jupyter.errors import BadRequest, Conflict, NotFound

from .catalog_fixtures import svc, write_dataset, write_module  # noqa: F401  (svc: a fixture)


def test_an_archive_cannot_replace_the_dataset_metadata(svc, tmp_path):
    svc.datasets.create({"name": "s", "purpose": "other", "format": "csv"})
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("x.txt", "x")
        zf.writestr("dataset.yml", "name: s\nowner: alice\nversion: 1.0.0\npurpose: other\nformat: csv\n"
                                   "permission: preset\nstatus: online\n")
    detail = svc.datasets.import_archive("alice", "s", evil)
    assert (detail["status"], detail["permission"]) == ("offline", "private")
    assert [f["path"] for f in detail["files"]] == ["x.txt"]


def test_a_folder_or_fifo_named_like_a_spec_does_not_break_the_index(svc):
    user = svc.catalogs.user.path
    (user / "modules/alice/dir_spec/1.0.0/module_spec.yml").mkdir(parents=True)
    fifo = user / "modules/alice/fifo_spec/1.0.0"
    fifo.mkdir(parents=True)
    os.mkfifo(fifo / "module_spec.yml")
    svc.index.refresh()  # would raise IsADirectoryError or block on the fifo
    assert [m["id"] for m in svc.modules.list("")["items"]] == ["alice/echo"]
    assert sum("not a regular file" in p for p in svc.index.problems.values()) == 2


@pytest.mark.parametrize("kind", ["modules", "datasets"])
def test_a_symlinked_container_in_the_project_is_refused(svc, tmp_path, kind):
    outside = tmp_path / "outside"
    (outside / "echo").mkdir(parents=True)
    (outside / "echo/precious.txt").write_text("keep me")
    (outside / "alice-reviews").mkdir()
    (outside / "alice-reviews/precious.txt").write_text("keep me")
    os.symlink(outside, svc.root / kind)
    with pytest.raises(BadRequest, match="symbolic link"):
        if kind == "modules":
            svc.modules.insert("alice", "echo", None, "nb.ipynb", replace=True)
        else:
            svc.datasets.insert("alice", "reviews", "nb.ipynb", replace=True)
    assert sorted(p.name for p in outside.iterdir()) == ["alice-reviews", "echo"]
    assert (outside / "echo/precious.txt").read_text() == "keep me"


def test_a_file_where_the_folder_goes_is_a_conflict(svc):
    (svc.root / "modules").write_text("not a folder")
    with pytest.raises(Conflict, match="is a file"):
        svc.modules.insert("alice", "echo", None, "nb.ipynb")


def _my_module(svc, name="pub", version="1.0.0"):
    folder = svc.root / name
    folder.mkdir()
    (folder / "module_spec.yml").write_text(f"name: {name}\nversion: {version}\ninput:\n  run: {{}}\n")
    (folder / "main.py").write_text(f"class {name.capitalize()}:\n    def run(self, conf):\n        return 1\n")
    (folder / "README.md").write_text("# x")
    return folder


def test_publish_never_follows_links_out_of_the_folder(svc, tmp_path):
    folder = _my_module(svc)
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    os.symlink(secret, folder / "leak.txt")
    with pytest.raises(BadRequest, match="leak.txt: symbolic links are not published"):
        svc.modules.publish("pub")
    assert not list(svc.catalogs.user.path.rglob("leak.txt"))


def test_publish_refuses_a_folder_that_holds_the_catalog(tmp_path):
    project = tmp_path / "project"
    (project / "catalog").mkdir(parents=True)
    from mo_jupyter.catalog.service import CatalogService

    svc = CatalogService(project, [str(project / "catalog")], owner="alice", builtin=None)
    _my_module(svc, "top")
    os.replace(project / "top/module_spec.yml", project / "module_spec.yml")
    os.replace(project / "top/main.py", project / "main.py")
    os.replace(project / "top/README.md", project / "README.md")
    (project / "module_spec.yml").write_text("name: top\nversion: 1.0.0\ninput:\n  run: {}\n")
    with pytest.raises(BadRequest, match="holds your catalog"):
        svc.modules.publish(".")


def test_publish_never_replaces_a_version_already_on_disk(svc):
    _my_module(svc)
    svc.index.refresh()
    other = write_module(svc.catalogs.user.path, "alice", "pub", "1.0.0", description="published by the CLI",
                         spec={"input": {"run": {}}, "output": {}},
                         main="class {cls}:\n    def run(self, conf):\n        return 2\n")
    # this service's index has not seen it yet (no refresh): publish must still refuse
    with pytest.raises(Conflict, match="already published"):
        svc.modules.publish("pub")
    assert "published by the CLI" in (other / "module_spec.yml").read_text()


def test_privacy_is_decided_per_version(svc):
    shared = svc.catalogs.roots[1].path
    write_module(shared, "bob", "m", "1.0.0", description="private draft")
    (shared / "modules/bob/m/1.0.0/.mo_meta.json").write_text('{"permission": "private"}')
    write_module(shared, "bob", "m", "2.0.0")
    write_module(shared, "bob", "n", "1.0.0")
    write_module(shared, "bob", "n", "2.0.0")
    (shared / "modules/bob/n/2.0.0/.mo_meta.json").write_text('{"permission": "private"}')
    svc.index.refresh()
    assert svc.modules.get("bob", "m")["versions"] == ["2.0.0"]
    with pytest.raises(NotFound):
        svc.modules.insert("bob", "m", "1.0.0", "nb.ipynb")
    assert svc.modules.get("bob", "n")["version"] == "1.0.0"  # the public older version stays usable


def test_spec_values_json_cannot_carry_are_refused(svc):
    bad = svc.catalogs.user.path / "modules/alice/binary/1.0.0"
    bad.mkdir(parents=True)
    (bad / "module_spec.yml").write_text("name: binary\nversion: 1.0.0\ninput:\n  predict:\n"
                                         "    x: {value_type: str, default_value: !!binary aGVsbG8=}\n")
    svc.index.refresh()
    assert "alice/binary" not in {m["id"] for m in svc.modules.list("")["items"]}
    assert any("JSON cannot carry" in p for p in svc.index.problems.values())


def test_create_over_a_broken_dataset_folder_is_a_conflict(svc):
    broken = svc.catalogs.user.path / "datasets/alice/broken"
    broken.mkdir(parents=True)
    (broken / "dataset.yml").write_text("[not, a, mapping]\n")
    svc.index.refresh()
    with pytest.raises(Conflict, match="already exists"):
        svc.datasets.create({"name": "broken", "purpose": "other", "format": "dir"})


def test_concurrent_metadata_changes_lose_nothing(svc):
    errors = []

    def change(i):
        try:
            svc.datasets.update("alice", "reviews", {"tags": [f"t{i}"], "description": f"d{i}"})
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=change, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    folder = svc.catalogs.user.path / "datasets/alice/reviews"
    meta = yaml.safe_load((folder / "dataset.yml").read_text())
    assert meta["name"] == "reviews" and meta["description"].startswith("d")
    assert not [p for p in folder.iterdir() if p.name.startswith(".dataset.yml")]


def test_a_file_added_to_a_dataset_is_linked_on_the_next_insert(svc):
    svc.datasets.insert("alice", "reviews", "nb.ipynb")
    (svc.catalogs.user.path / "datasets/alice/reviews/pos/new.txt").write_text("new")
    done = svc.datasets.insert("alice", "reviews", "nb.ipynb")
    assert done["mode"] == "link" and (svc.root / "datasets/alice-reviews/pos/new.txt").is_file()


def test_npz_keys_that_clash_with_the_cell_are_not_unpacked(svc):
    buf = io.BytesIO()
    np.savez(buf, data=np.arange(3), x=np.ones(2), **{"class": np.zeros(1)})
    write_dataset(svc.catalogs.user.path, "alice", "clash", format="npz", files={"d.npz": buf.getvalue()})
    svc.index.refresh()
    cell = svc.datasets.insert("alice", "clash", "nb.ipynb")["cell"]
    out = subprocess.run([sys.executable, "-c", cell + "\nprint(x.tolist(), data['data'].tolist())"],
                         cwd=svc.root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "[1.0, 1.0] [0, 1, 2]" in out.stdout


def test_catalog_names_are_unique_and_the_user_catalog_is_flagged(tmp_path):
    paths = [tmp_path / "a/user", tmp_path / "b/user", tmp_path / "c/builtin"]
    for p in paths:
        p.mkdir(parents=True)
    cats = Catalogs([str(p) for p in paths], owner="alice")
    assert [(r.name, r.kind) for r in cats.roots] == [("user", "user"), ("user-2", "shared"),
                                                      ("builtin-2", "shared"), ("builtin", "builtin")]
    assert cats.user.path == paths[0]
