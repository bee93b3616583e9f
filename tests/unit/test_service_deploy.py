"""What a deploy copies: the snapshot of handler.py, app_spec.yml and the picked files, with links
inside picked folders either copied as the file they point to (inside the project) or refused by
name before anything is written (outside the project, to a folder, broken). Replicas 0: no process."""

from __future__ import annotations

import os

import pytest

from mo_jupyter.errors import BadRequest
from mo_jupyter.services.manager import ServiceManager

HANDLE = "def handle(conf):\n    return {'y': 1}  # value_type: int\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    (root / "results").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "handler.py").write_text(HANDLE)
    (root / "app_spec.yml").write_text("input: {}\noutput:\n  y: {value_type: int}\n")
    (root / "results" / "model.json").write_text('{"w": 1}')
    (root / "data" / "labels.txt").write_text("cat\ndog\n")
    os.symlink("../data/labels.txt", root / "results" / "labels.txt")
    (tmp_path / "secret.txt").write_text("not for the app")
    return root


def test_a_link_to_a_file_in_the_project_is_copied_as_that_file(project):
    mgr = ServiceManager(project)
    view = mgr.deploy("", "app", "dev", ["results"], "local", 0)
    app = project / ".mo/services/app-dev/app"
    assert view["state"] == "stopped" and view["files"] == ["results"]
    assert not (app / "results/labels.txt").is_symlink()
    assert (app / "results/labels.txt").read_text() == "cat\ndog\n"
    assert (app / "results/model.json").read_text() == '{"w": 1}'


@pytest.mark.parametrize("make, message", [
    (lambda p: os.symlink(p.parent / "secret.txt", p / "results/secret.txt"),
     "'results/secret.txt' links outside the project"),
    (lambda p: os.symlink("../data", p / "results/data"), "'results/data' links to a folder: pick 'data' itself"),
    (lambda p: os.symlink("gone.bin", p / "results/weights.bin"), "'results/weights.bin' is a broken link"),
])
def test_other_links_are_refused_and_nothing_is_written(project, make, message):
    mgr = ServiceManager(project)
    mgr.deploy("", "app", "dev", ["results"], "local", 0)
    before = sorted(p.relative_to(project).as_posix() for p in (project / ".mo/services").rglob("*"))
    make(project)
    with pytest.raises(BadRequest) as err:
        mgr.deploy("", "app", "dev", ["results"], "local", 0)
    assert message in err.value.message
    assert sorted(p.relative_to(project).as_posix() for p in (project / ".mo/services").rglob("*")) == before
