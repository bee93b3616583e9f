"""Hostile catalogs and racing writers (issue 9, sections 2, 3 and 5): a spec that expands without end
is a listed problem, metadata is refused before it is written when it would not load again, a write
through an inserted dataset file never goes unnoticed, and imports and uploads are atomic for readers
and for each other."""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import stat
import tempfile
import threading
import time
from pathlib import Path

import pytest

from mo_jupyter.catalog import locks, manifest
from mo_jupyter.catalog.copying import reflink
from mo_jupyter.catalog.specs import dump_yaml
from mo_jupyter.errors import BadRequest, Conflict, MoError, NotFound, TooLarge

from .catalog_fixtures import make_service, svc, write_dataset  # noqa: F401  (svc: a fixture)
from .test_catalog_datasets import zip_bytes
from .test_loaders import anchor_bomb

A = {"a/1.txt": "a1", "a/2.txt": "a2", "b/1.txt": "b1"}
B = {"c/1.txt": "c1", "d/1.txt": "d1", "d/2.txt": "d2", "d/3.txt": "d3"}


# ---- 2. nothing a file says can crash or stall the server -------------------------------------
def test_an_anchor_bomb_in_any_catalog_is_a_listed_problem(svc):
    user, shared = svc.catalogs.roots[0].path, svc.catalogs.roots[1].path
    bomb_module = user / "modules/alice/bomb/1.0.0"
    bomb_module.mkdir(parents=True)
    (bomb_module / "module_spec.yml").write_text("name: bomb\nversion: 1.0.0\n" + anchor_bomb())
    bomb_dataset = shared / "datasets/bob/bomb"
    bomb_dataset.mkdir(parents=True)
    (bomb_dataset / "dataset.yml").write_text(anchor_bomb())
    deep = user / "datasets/alice/deep"
    deep.mkdir(parents=True)
    (deep / "dataset.yml").write_text("name: deep\nx: " + "[" * 100_000 + "]" * 100_000 + "\n")
    t0 = time.perf_counter()
    svc.index.refresh()
    assert time.perf_counter() - t0 < 5.0
    problems = svc.index.problems
    assert "expands to more than" in problems[str(bomb_module / "module_spec.yml")]
    assert "expands to more than" in problems[str(bomb_dataset / "dataset.yml")]
    assert "more than 64 deep" in problems[str(deep / "dataset.yml")]
    assert [m["id"] for m in svc.modules.list("")["items"]] == ["alice/echo"]  # the rest is still there
    assert [d["id"] for d in svc.datasets.list("")["items"]] == ["alice/reviews"]


def test_metadata_that_would_not_load_again_is_refused_before_writing(svc):
    folder = svc.catalogs.user.path / "datasets/alice"
    huge = "x" * (1024 * 1024 + 100 * 1024)  # 1.1 MiB, as in the issue
    with pytest.raises(BadRequest, match="description"):
        svc.datasets.create({"name": "big", "purpose": "other", "format": "csv", "description": huge})
    assert not (folder / "big").exists()
    with pytest.raises(BadRequest, match="description"):
        svc.datasets.update("alice", "reviews", {"description": huge})
    with pytest.raises(BadRequest, match="tags"):
        svc.datasets.update("alice", "reviews", {"tags": ["t" * 101]})
    assert svc.datasets.get("alice", "reviews")["description"] == "reviews data"  # still reachable
    with pytest.raises(TooLarge, match="larger than 1024 KiB"):  # what the schema would let through
        dump_yaml({"a": "y" * 60_000, **{f"k{i}": "z" * 60_000 for i in range(20)}}, "dataset.yml")


def test_long_names_in_messages_are_cut(svc):
    long = "n" * 50_000
    with pytest.raises(NotFound) as err:
        svc.datasets.find("alice", long)
    assert len(err.value.message) < 1200
    with pytest.raises(MoError) as err:
        svc.uploads.create(long + ".rar", 10)
    assert len(err.value.message) < 1200


# ---- 3. a write through an inserted file never changes the catalog unnoticed -------------------
def test_a_write_through_an_inserted_dataset_file(svc):
    done = svc.datasets.insert("alice", "reviews", "nb.ipynb")
    inserted = svc.root / "datasets/alice-reviews/pos/a.txt"
    original = svc.catalogs.user.path / "datasets/alice/reviews/pos/a.txt"
    assert not inserted.stat().st_mode & 0o222 and not original.stat().st_mode & 0o222
    try:
        with open(inserted, "a") as f:  # what a job does to a file it did not mean to share
            f.write(" and changed")
    except PermissionError:
        assert os.geteuid() != 0  # read-only holds for everyone but root
    if done["mode"] == "reflink" or original.read_text() == "good":
        assert original.read_text() == "good"  # a clone: the catalog never sees the write
        return
    # A hard link written as root (a docker job): the original changed; the catalog says so and
    # refuses to hand the changed files out again, until its owner accepts them.
    assert done["mode"] == "link" and os.geteuid() == 0
    detail = svc.datasets.get("alice", "reviews")
    assert not detail["check"]["ok"]
    assert any("files changed since" in p and "pos/a.txt" in p for p in detail["check"]["problems"])
    (svc.root / "other").mkdir()
    with pytest.raises(Conflict) as err:
        svc.datasets.insert("alice", "reviews", "other")
    assert err.value.reason == "changed"
    svc.datasets.update("alice", "reviews", {"status": "online"})  # the owner accepts them
    assert svc.datasets.insert("alice", "reviews", "other")["mode"] == "link"


def test_a_reflink_is_a_clone_or_nothing(tmp_path):
    source, target = tmp_path / "src.bin", tmp_path / "dst.bin"
    source.write_bytes(b"original")
    if reflink(source, target):  # btrfs, XFS with reflink...: a write to the clone stays there
        target.chmod(0o644)
        target.write_bytes(b"changed!")
        assert source.read_bytes() == b"original"
    else:  # ext4, tmpfs...: nothing is left behind, and insertion goes on with links or copies
        assert not target.exists()


def test_files_added_by_the_owner_are_not_a_change(svc):
    svc.datasets.insert("alice", "reviews", "nb.ipynb")
    (svc.catalogs.user.path / "datasets/alice/reviews/pos/new.txt").write_text("new")
    assert svc.datasets.insert("alice", "reviews", "nb.ipynb")["mode"] in ("link", "reflink")
    assert "pos/new.txt" in manifest.recorded(svc.catalogs.user.path / "datasets/alice/reviews")


def test_the_builtin_catalog_is_never_shared_by_inode(tmp_path):
    svc = make_service(tmp_path, builtin=None)
    builtin = tmp_path / "builtin"
    write_dataset(builtin, "mo", "tiny")
    from mo_jupyter.catalog.service import CatalogService
    svc = CatalogService(svc.root, [str(svc.catalogs.user.path)], owner="alice", builtin=builtin)
    done = svc.datasets.insert("mo", "tiny", "nb.ipynb")
    assert done["mode"] in ("copy", "reflink")
    source, copy = builtin / "datasets/mo/tiny/pos/a.txt", svc.root / "datasets/mo-tiny/pos/a.txt"
    assert os.stat(source).st_ino != os.stat(copy).st_ino
    assert not list((builtin / "datasets/mo").glob(".*"))  # no lock or manifest left in it


# ---- a reader of the catalog cannot stall its datasets --------------------------------------------
def _lock_as_another_user(lock: Path) -> tuple[str, int, int]:
    """A child process of uid 12345 (read access only) tries to flock ``lock`` as the reviewer's did;
    returns what it got and the pipe that keeps it alive (close it to let the child end)."""
    result_r, result_w = os.pipe()
    hold_r, hold_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(hold_w)  # or the read below never sees the parent close it
            os.close(result_r)
            os.setgroups([])
            os.setgid(12345)
            os.setuid(12345)
            got = "no lock"
            for flags in (os.O_RDONLY, os.O_RDWR):
                try:
                    fd = os.open(lock, flags)
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    got = "held"
                    break
                except OSError:
                    continue
            os.write(result_w, got.encode())
            os.read(hold_r, 1)  # holds the lock (if any) until the test is done
        finally:
            os._exit(0)
    os.close(result_w)
    os.close(hold_r)
    got = os.read(result_r, 100).decode()
    os.close(result_r)
    return got, pid, hold_w


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run a process as another user")
def test_a_user_with_read_access_cannot_stall_a_datasets_readers():
    base = Path(tempfile.mkdtemp(prefix="mo-lockdos-"))
    try:
        base.chmod(0o755)  # another user can read the catalog, but write none of it
        svc = make_service(base)
        write_dataset(svc.catalogs.user.path, "alice", "reviews")
        svc.index.refresh()
        svc.datasets.get("alice", "reviews")  # makes the lock files
        lock = svc.catalogs.user.path / "datasets/alice/.reviews.lock"
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600  # the folder is not group-writable
        got, pid, hold = _lock_as_another_user(lock)
        try:
            t0 = time.monotonic()
            assert svc.datasets.get("alice", "reviews")["check"]["ok"]
            assert time.monotonic() - t0 < locks.READ_WAIT
            assert got == "no lock"
        finally:
            os.close(hold)
            os.waitpid(pid, 0)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_lock_files_are_for_those_who_can_write_the_catalog(svc):
    folder = svc.catalogs.user.path / "datasets/alice"
    lock = folder / ".reviews.lock"
    lock.write_text("")
    lock.chmod(0o644)  # e.g. made under a umask of 022: readable, so lockable, by everyone
    folder.chmod(0o2775)  # a team catalog: the group writes it
    svc.datasets.get("alice", "reviews")
    assert stat.S_IMODE(lock.stat().st_mode) == 0o660
    assert stat.S_IMODE((folder / ".reviews.gate").stat().st_mode) == 0o660
    folder.chmod(0o755)
    svc.datasets.get("alice", "reviews")
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600


def test_a_reader_waits_for_a_swap_only_briefly(svc):
    entry = svc.datasets.find("alice", "reviews")
    with locks.swapping(entry.path, entry.id):  # an import stuck in its swap
        for read in (lambda: svc.datasets.get("alice", "reviews"),
                     lambda: svc.datasets.insert("alice", "reviews", "nb.ipynb")):
            t0 = time.monotonic()
            with pytest.raises(Conflict) as err:
                read()
            assert locks.READ_WAIT <= time.monotonic() - t0 < locks.READ_WAIT + 1.5 <= 5
            assert "being replaced; try again" in err.value.message
    assert svc.datasets.get("alice", "reviews")["check"]["ok"]


# ---- 5. imports are atomic for readers and for each other --------------------------------------
def _files(detail: dict) -> set[str]:
    return {f["path"] for f in detail["files"]}


def test_readers_never_see_half_an_import(svc, tmp_path):
    archives = {"A": tmp_path / "a.zip", "B": tmp_path / "b.zip"}
    archives["A"].write_bytes(zip_bytes(A))
    archives["B"].write_bytes(zip_bytes(B))
    svc.datasets.create({"name": "live", "purpose": "other", "format": "dir"})
    svc.datasets.import_archive("alice", "live", archives["A"])
    svc.datasets.update("alice", "live", {"status": "online"})
    stop, seen, errors = threading.Event(), set(), []

    def read(n: int):
        (svc.root / f"nb{n}").mkdir()
        while not stop.is_set():
            try:
                detail = svc.datasets.get("alice", "live")
                files = _files(detail)
                assert files in (set(A), set(B)) and detail["check"]["ok"], (files, detail["check"])
                seen.add(frozenset(files))
                done = svc.datasets.insert("alice", "live", f"nb{n}")
                folder = svc.root / done["target"]
                got = {p.relative_to(folder).as_posix() for p in folder.rglob("*.txt")}
                assert got in (set(A), set(B)), got
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
                return

    readers = [threading.Thread(target=read, args=(n,)) for n in range(3)]
    for t in readers:
        t.start()
    try:
        for i in range(16):
            svc.datasets.import_archive("alice", "live", archives["AB"[i % 2]])
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    assert len(seen) >= 1
    assert svc.datasets.get("alice", "live")["status"] == "online"


def test_two_imports_of_one_dataset_at_once(svc, tmp_path):
    svc.datasets.create({"name": "race", "purpose": "other", "format": "dir"})
    paths = []
    for n, files in enumerate((A, B)):
        path = tmp_path / f"{n}.zip"
        path.write_bytes(zip_bytes({**files, **{f"pad/{i}.txt": "x" * 1000 for i in range(300)}}))
        paths.append(path)
    results, start = [], threading.Barrier(2)

    def run(path):
        start.wait()
        try:
            results.append(_files(svc.datasets.import_archive("alice", "race", path)))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failures = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(f, Conflict) and f.reason == "busy" for f in failures), failures
    assert len(failures) < 2
    final = _files(svc.datasets.get("alice", "race")) - {f"pad/{i}.txt" for i in range(300)}
    assert final in (set(A), set(B))


def test_racing_chunks_of_one_upload_are_never_lost_or_doubled(svc):
    data = os.urandom(64 * 1024)
    chunk = 1024
    upload = svc.uploads.create("x.zip", len(data))["id"]
    errors = []

    def client():
        offset = 0
        while offset < len(data):
            try:
                offset = svc.uploads.append(upload, offset, data[offset:offset + chunk])["received"]
            except Conflict as exc:  # another client sent that chunk: go on from what was received
                if exc.reason != "offset":
                    errors.append(exc)
                    return
                offset = int(re.search(r"the (\d+) bytes received", exc.message).group(1))
            except Exception as exc:  # noqa: BLE001 - collected for the assertion
                errors.append(exc)
                return

    clients = [threading.Thread(target=client) for _ in range(4)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    assert errors == []
    with svc.uploads.claimed(upload) as part:
        assert part.read_bytes() == data


def test_an_upload_is_imported_once(svc):
    svc.datasets.create({"name": "up", "purpose": "other", "format": "dir"})
    data = zip_bytes(A)
    upload = svc.uploads.create("a.zip", len(data))["id"]
    svc.uploads.append(upload, 0, data)
    results, start = [], threading.Barrier(3)

    def run():
        start.wait()
        try:
            results.append(_files(svc.import_into("alice", "up", {"upload": upload})))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r for r in results if isinstance(r, set)] == [set(A)]
    assert all(isinstance(r, (Conflict, NotFound)) for r in results if not isinstance(r, set)), results
    with pytest.raises(NotFound):
        svc.uploads.append(upload, 0, b"x")


def test_a_failed_import_gives_the_upload_back(svc):
    svc.datasets.create({"name": "up", "purpose": "other", "format": "dir"})
    bad = b"not a zip at all"
    upload = svc.uploads.create("star-face.zip", len(bad))["id"]
    svc.uploads.append(upload, 0, bad)
    with pytest.raises(BadRequest, match="not a readable archive") as err:
        svc.import_into("alice", "up", {"upload": upload})
    # the error names the user's file, never the name the upload is kept under
    assert "star-face.zip" in err.value.message and "data.zip" not in err.value.message, err.value.message
    svc.uploads.delete(upload)  # still there to delete


# ---- 6. no 500 for what a user names -----------------------------------------------------------
def test_extraction_under_a_file_or_with_a_long_name_is_a_clear_error(svc):
    (svc.root / "a.zip").write_bytes(zip_bytes(A))
    (svc.root / "file.txt").write_text("I am a file")
    with pytest.raises(BadRequest, match="is a file"):
        svc.datasets.extract("a.zip", "file.txt/sub/dest")
    with pytest.raises(MoError) as err:
        svc.datasets.extract("a.zip", "x" * 300 + "/dest")
    assert err.value.status == 400 and len(err.value.message) < 400
    assert sorted(p.name for p in svc.root.iterdir()) == ["a.zip", "file.txt", "nb.ipynb"]
