"""Atomic writes (records, dataset.yml, exports, handler.py): readers see the old file or the new
one; concurrent writers never share a temporary file; files get the umask's mode (a catalog shared
with a team stays readable); a failed write leaves nothing behind."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from mo_jupyter.atomic import write_atomic
from mo_jupyter.catalog.datasets import write_spec


def test_mode_follows_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "a.txt", "new")
        write_spec(tmp_path, {"name": "d", "owner": "me"})
    finally:
        os.umask(old)
    for name in ("a.txt", "dataset.yml"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name


def test_concurrent_writers_never_mix(tmp_path):
    target = tmp_path / "status.json"
    payloads = [bytes([65 + i]) * 200_000 for i in range(8)]
    seen = set()
    stop = threading.Event()

    def read():
        while not stop.is_set():
            try:
                seen.add(target.read_bytes())
            except FileNotFoundError:
                pass

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=lambda p=p: [write_atomic(target, p) for _ in range(20)]) for p in payloads]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    stop.set()
    reader.join()
    assert seen and seen <= set(payloads)  # never a torn or mixed file
    assert target.read_bytes() in payloads
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "handler.py"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 42)  # not bytes or text
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["handler.py"]


def test_a_link_at_the_temporary_name_is_not_followed(tmp_path):
    from mo_jupyter.atomic import temp_path

    target = tmp_path / "dataset.yml"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    os.symlink(victim, temp_path(target))  # planted by someone sharing the folder
    write_atomic(target, "name: d\n")
    assert victim.read_text() == "keep me" and target.read_text() == "name: d\n"
    assert not target.is_symlink()
