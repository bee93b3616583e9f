"""The one container builder's writable mounts: only a real folder inside the project is ever
mounted read-write; links (out of the project, inside it, dangling, or on the way), `..`, absolute
paths and files are refused with a 400 before any container is made. Real files and links."""

from __future__ import annotations

import os

import pytest

from mo_jupyter.containers import WORKSPACE, app_container, job_container, writable_folder, writable_mounts
from mo_jupyter.errors import BadRequest


@pytest.fixture
def root(tmp_path):
    (tmp_path / "proj").mkdir()
    (tmp_path / "outside").mkdir()
    return tmp_path / "proj"


def test_a_real_folder_is_mounted_read_write_and_a_missing_one_is_made(root):
    assert writable_folder(root, "results") is None  # checking makes nothing
    assert not (root / "results").exists()
    (mount,) = writable_mounts(root, ["results"], WORKSPACE, create=True)
    assert (root / "results").is_dir() and not (root / "results").is_symlink()
    assert (mount.source, mount.target, mount.read_only) == (os.path.realpath(root / "results"), "/workspace/results", False)


@pytest.mark.parametrize("plant", ["out", "inside", "dangling", "through", "file"])
def test_links_and_files_are_refused(root, plant):
    outside = root.parent / "outside"
    rel = "results"
    if plant == "out":
        (root / "results").symlink_to(outside)
    elif plant == "inside":
        (root / "real").mkdir()
        (root / "results").symlink_to(root / "real")
    elif plant == "dangling":
        (root / "results").symlink_to(outside / "not-yet")
    elif plant == "through":
        (root / "out").symlink_to(outside)
        (outside / "results").mkdir()
        rel = "out/results"
    else:
        (root / "results").write_text("x")
    for create in (False, True):
        with pytest.raises(BadRequest) as err:
            writable_mounts(root, [rel], WORKSPACE, create=create)
        assert len(err.value.message) < 300
    assert list(outside.iterdir()) in ([], [outside / "results"])  # nothing made outside


@pytest.mark.parametrize("rel", ["../outside", "/tmp", "results/../../outside"])
def test_paths_out_of_the_project_are_refused(root, rel):
    with pytest.raises(BadRequest, match="not inside the project"):
        writable_folder(root, rel, create=True)
    assert not (root.parent / "outside" / "results").exists()


def test_a_project_reached_through_a_link_is_mounted_by_its_real_path(root, tmp_path):
    (tmp_path / "alias").symlink_to(root)
    spec = {"id": "j1", "name": "n", "cwd": str(tmp_path / "alias"), "command": ["python3", "x.py"]}
    container = job_container(spec, {"image": "img", "cpus": 1, "memory": "64m"})
    sources = {m.target: (m.source, m.read_only) for m in container.mounts}
    assert sources[WORKSPACE] == (str(root.resolve()), True)
    assert sources[f"{WORKSPACE}/results"] == (str((root / "results").resolve()), False)
    assert container.memory == 64 * 1024**2 and container.user == f"{os.getuid()}:{os.getgid()}"


def test_a_service_key_goes_to_the_environment_only(root):
    folder = root / ".mo" / "services" / "s-dev"
    (folder / "app").mkdir(parents=True)
    record = {"protected": True, "key": "k" * 32}
    spec = app_container(folder, record, {"image": "img"}, ["serve"], {"mo.service": "s-dev"})
    assert spec.env["MO_SERVICE_KEY"] == "k" * 32
    kwargs = spec.to_docker_run_kwargs()
    assert "k" * 32 not in repr((kwargs["command"], kwargs["labels"]))
    assert "MO_SERVICE_KEY" not in app_container(folder, {**record, "protected": False}, {"image": "img"},
                                                 ["serve"], {}).env
