"""Safe archive extraction: the limits (declared sizes, and the real bytes when an archive lies),
all-or-nothing writes, conflicts, replace, strip_single_root."""

from __future__ import annotations

import os
import zipfile

import pytest

from mo_jupyter.catalog import archives
from mo_jupyter.catalog.archives import Limits, extract
from mo_jupyter.errors import BadRequest, Conflict

from .helpers import MiB, leftovers, make_tar, make_zip, refused


# ---- limits (declared sizes) ---------------------------------------------------------


def test_max_entries(tmp_path):
    z = make_zip(tmp_path / "n.zip", [(f"f{i}", b"") for i in range(11)])
    refused(z, tmp_path / "out", "'f10' is past the limit of 10 entries", limits=Limits(max_entries=10))
    assert extract(z, tmp_path / "ok", Limits(max_entries=11)).files == 11


def test_max_bytes_declared(tmp_path, no_reads):
    z = make_zip(tmp_path / "b.zip", [("a", os.urandom(1000)), ("b", os.urandom(1000)),
                                      ("c", os.urandom(1000))])
    refused(z, tmp_path / "out", "'c' brings the total past 2,500 bytes",
            limits=Limits(max_bytes=2500))


def test_entry_ratio_zip_bomb(tmp_path, no_reads):
    # one 5 MiB entry of zeros (about 1000x) beside incompressible data: the whole archive
    # stays under 200x, so only the per-entry rule catches it
    z = make_zip(tmp_path / "b.zip", [("noise", os.urandom(MiB)), ("bomb.bin", bytes(5 * MiB))])
    assert os.path.getsize(z) * 200 > 6 * MiB
    refused(z, tmp_path / "out", r"refused: 'bomb.bin' expands \d+x \(limit 200x\)")


def test_whole_archive_ratio(tmp_path, no_reads):
    # many entries under 1 MiB each, so no per-entry check, but 10 MiB of zeros in all
    z = make_zip(tmp_path / "b.zip", [(f"z{i}", bytes(512 * 1024)) for i in range(20)])
    refused(z, tmp_path / "out", r"'b.zip' \(at entry 'z\d+'\) expands \d+x \(limit 200x\)")


def test_tar_gz_bomb(tmp_path, no_reads):
    t = make_tar(tmp_path / "b.tar.gz", [("zeros", bytes(20 * MiB))])
    refused(t, tmp_path / "out", r"'b.tar.gz' \(at entry 'zeros'\) expands \d+x")


def test_small_archives_skip_ratio(tmp_path):
    z = make_zip(tmp_path / "s.zip", [("zeros", bytes(512 * 1024))])
    assert extract(z, tmp_path / "out").bytes == 512 * 1024



@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_real_bytes_past_max_bytes(tmp_path, lying, kind):
    entries = [("first", os.urandom(MiB // 2)), ("big", os.urandom(6 * MiB)), ("after", b"x")]
    a = (make_zip(tmp_path / "l.zip", entries) if kind == "zip"
         else make_tar(tmp_path / "l.tar.gz", entries))
    refused(a, tmp_path / "out", "'big' brings the total past 2,097,152 bytes",
            limits=Limits(max_bytes=2 * MiB))
    assert lying["bytes"] <= 2 * MiB + archives._CHUNK  # stopped early, not after 6 MiB


def test_real_bytes_entry_ratio(tmp_path, lying):
    z = make_zip(tmp_path / "l.zip", [("noise", os.urandom(MiB)), ("bomb.bin", bytes(50 * MiB))])
    with zipfile.ZipFile(z) as zf:
        csize = zf.getinfo("bomb.bin").compress_size
    refused(z, tmp_path / "out", r"'bomb.bin' expands \d+x \(limit 200x\)")
    assert lying["bytes"] <= MiB + csize * 200 + archives._CHUNK < 50 * MiB


def test_real_bytes_whole_ratio(tmp_path, lying):
    z = make_zip(tmp_path / "l.zip", [(f"z{i}", bytes(512 * 1024)) for i in range(100)])
    refused(z, tmp_path / "out", r"'l.zip' \(at entry 'z\d+'\) expands \d+x")
    assert lying["bytes"] <= os.path.getsize(z) * 200 + archives._CHUNK < 50 * MiB


# ---- atomicity, conflicts, replace ---------------------------------------------------


def test_refused_mid_write_leaves_nothing(tmp_path, lying):
    z = make_zip(tmp_path / "l.zip", [(f"ok{i}", os.urandom(1000)) for i in range(5)]
                 + [("big", os.urandom(3 * MiB))])
    refused(z, tmp_path / "out", "'big'", limits=Limits(max_bytes=MiB))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.zip"]


def test_corrupt_crc_mid_write_leaves_nothing(tmp_path):
    raw = bytearray(make_zip(tmp_path / "c.zip", [("a", b"A" * 100), ("b", b"B" * 100)],
                             zipfile.ZIP_STORED).read_bytes())
    raw[raw.index(b"B" * 100) + 50] = ord("C")
    (tmp_path / "c.zip").write_bytes(bytes(raw))
    refused(tmp_path / "c.zip", tmp_path / "out", "'c.zip' is corrupt at entry 'b'")


def test_conflict_when_dest_not_empty(tmp_path, no_reads):
    z = make_zip(tmp_path / "d.zip", [("new.txt", b"n")])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("o")
    with pytest.raises(Conflict, match="'out' already exists"):
        extract(z, tmp_path / "out")
    assert (tmp_path / "out" / "old.txt").exists() and not (tmp_path / "out" / "new.txt").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(Conflict):
        extract(z, tmp_path / "file")


def test_empty_dest_folder_is_used(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("new.txt", b"n")])
    (tmp_path / "out").mkdir()
    extract(z, tmp_path / "out")
    assert (tmp_path / "out" / "new.txt").read_bytes() == b"n"


def test_replace(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("new.txt", b"n")])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("o")
    extract(z, tmp_path / "out", replace=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.zip", "out"]


def test_replace_keeps_old_when_refused(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("../evil", b"n")])
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("o")
    with pytest.raises(BadRequest):
        extract(z, tmp_path / "out", replace=True)
    assert (tmp_path / "out" / "old.txt").read_text() == "o"
    assert leftovers(tmp_path) == []


def test_dest_parents_created(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("a", b"1")])
    extract(z, tmp_path / "x" / "y" / "out")
    assert (tmp_path / "x" / "y" / "out" / "a").exists()


# ---- strip_single_root ---------------------------------------------------------------


def test_strip_single_root(tmp_path):
    z = make_zip(tmp_path / "mnist.zip", [
        ("mnist/", b""), ("mnist/train/", b""), ("mnist/train/0.png", b"p"), ("mnist/labels.csv", b"l"),
        ("__MACOSX/", b""), ("__MACOSX/mnist/._labels.csv", b"junk")])
    out = extract(z, tmp_path / "out", strip_single_root=True)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["labels.csv", "train"]
    assert (tmp_path / "out" / "train" / "0.png").read_bytes() == b"p"
    assert out.files == 2
    extract(z, tmp_path / "kept")  # without the flag the root stays
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == ["mnist"]


def test_strip_single_root_needs_one_folder(tmp_path):
    z = make_zip(tmp_path / "two.zip", [("a/x", b"1"), ("b/y", b"2")])
    extract(z, tmp_path / "two", strip_single_root=True)
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == ["a", "b"]
    z = make_zip(tmp_path / "one.zip", [("only.txt", b"1")])
    extract(z, tmp_path / "one", strip_single_root=True)
    assert (tmp_path / "one" / "only.txt").exists()
