"""Safe archive extraction: good archives, and the refusal rules for names, duplicates, entry kinds
and formats (the size limits and all-or-nothing writes: test_limits.py)."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile

import pytest

from mo_jupyter.catalog.archives import ARCHIVE_SUFFIXES, Extracted, archive_stem, extract, is_archive

from .helpers import leftovers, make_tar, make_zip, refused, tar_info


# ---- good archives -------------------------------------------------------------------


def test_good_zip(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("a.txt", b"hello"), ("sub/", b""), ("sub/b.bin", b"xy" * 10)])
    out = extract(z, tmp_path / "out")
    assert out == Extracted(tmp_path / "out", files=2, bytes=25)
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"hello"
    assert (tmp_path / "out" / "sub" / "b.bin").read_bytes() == b"xy" * 10
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "out" / "sub").stat().st_mode) == 0o755
    assert leftovers(tmp_path) == []


def test_good_tar_gz(tmp_path):
    t = make_tar(tmp_path / "d.tar.gz", [
        (tar_info("./", tarfile.DIRTYPE), None),  # tar -C dir . style
        ("./x/one.csv", b"1,2\n"), ("./x/deep/two.csv", b"3,4,5\n"), ("top.txt", b"")])
    out = extract(t, tmp_path / "out")
    assert (out.files, out.bytes) == (3, 10)
    assert (tmp_path / "out" / "x" / "deep" / "two.csv").read_bytes() == b"3,4,5\n"
    assert (tmp_path / "out" / "top.txt").read_bytes() == b""


@pytest.mark.parametrize("suffix,mode", [(".tar", "w"), (".tgz", "w:gz"), (".tar.bz2", "w:bz2"),
                                         (".txz", "w:xz")])
def test_other_tar_formats(tmp_path, suffix, mode):
    t = make_tar(tmp_path / f"d{suffix}", [("a", b"abc")], mode)
    assert extract(t, tmp_path / "out").bytes == 3


def test_is_archive_and_stem():
    assert all(is_archive("X" + s.upper()) for s in ARCHIVE_SUFFIXES)
    assert not is_archive("a.7z") and not is_archive("a.gz") and not is_archive("zip")
    assert archive_stem("a/star-face.tar.gz") == "star-face"
    assert archive_stem("C:\\up\\mnist.ZIP") == "mnist"
    assert archive_stem("b.tbz2") == "b" and archive_stem("notes.txt") == "notes.txt"


def test_chinese_names_utf8_flag(tmp_path):
    z = make_zip(tmp_path / "cn.zip", [("数据/图片一.txt", b"ok")])
    with zipfile.ZipFile(z) as zf:
        assert zf.infolist()[0].flag_bits & 0x800
    extract(z, tmp_path / "out")
    assert (tmp_path / "out" / "数据" / "图片一.txt").read_bytes() == b"ok"


def test_chinese_names_without_flag_read_as_utf8(tmp_path):
    raw = bytearray(make_zip(tmp_path / "cn.zip", [("图片.txt", b"ok")]).read_bytes())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # clear the UTF-8 flag
        at = raw.index(sig) + off
        raw[at + 1] &= ~0x08
    (tmp_path / "cn.zip").write_bytes(bytes(raw))
    with zipfile.ZipFile(tmp_path / "cn.zip") as zf:
        assert not zf.infolist()[0].flag_bits & 0x800
    extract(tmp_path / "cn.zip", tmp_path / "out")
    assert (tmp_path / "out" / "图片.txt").read_bytes() == b"ok"


# ---- names ---------------------------------------------------------------------------


@pytest.mark.parametrize("name,match", [
    ("../evil.txt", "'../evil.txt' leaves the destination folder"),
    ("a/../../evil.txt", "leaves the destination"),
    ("/etc/x", "absolute"),
    ("C:\\x", "absolute"),
    ("C:/x", "absolute"),
    ("\\\\server\\share\\x", "absolute"),
    ("a\\b.txt", "backslash"),
    ("a\nb.txt", "control character"),
    ("a\x7fb.txt", "control character"),
    ("a//b.txt", "empty path segment"),
    ("a/./b.txt", "unsafe path segment '.'"),
    ("x/.../b.txt", "unsafe path segment '...'"),
    ("dir//", "empty path segment"),
])
def test_bad_names_zip(tmp_path, name, match):
    z = make_zip(tmp_path / "b.zip", [("ok.txt", b"1"), (name, b"evil")])
    refused(z, tmp_path / "out", match)
    assert not (tmp_path / "evil.txt").exists()


def test_nul_in_name_tar(tmp_path):
    ti = tarfile.TarInfo("ab.txt")
    ti.pax_headers = {"path": "a\x00b.txt"}
    t = make_tar(tmp_path / "n.tar", [(ti, b"")], "w")
    refused(t, tmp_path / "out", "control character")


def test_long_segment(tmp_path):
    t = make_tar(tmp_path / "n.tar", [("x" * 256, b"")], "w")
    refused(t, tmp_path / "out", "longer than 255 bytes")


def test_tar_dotdot(tmp_path):
    t = make_tar(tmp_path / "e.tar.gz", [("../evil.txt", b"x")])
    refused(t, tmp_path / "out", "'../evil.txt' leaves the destination folder")
    assert not (tmp_path / "evil.txt").exists()


# ---- duplicates ----------------------------------------------------------------------


def test_duplicate_entries(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("a.txt", b"1"), ("a.txt", b"2")])
    refused(z, tmp_path / "out", "'a.txt' and 'a.txt' map to the same path")


def test_case_and_unicode_duplicates(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("Data/A.txt", b"1"), ("data/a.TXT", b"2")])
    refused(z, tmp_path / "out", "same path")
    z = make_zip(tmp_path / "u.zip", [("caf\u00e9", b"1"), ("cafe\u0301", b"2")])
    refused(z, tmp_path / "out", "same path")


def test_file_used_as_folder(tmp_path):
    z = make_zip(tmp_path / "d.zip", [("a/b.txt", b"1"), ("a", b"2")])
    refused(z, tmp_path / "out", "'a/b.txt' sits under 'a', which is a file")


def test_repeated_folder_entries_merge(tmp_path):
    t = make_tar(tmp_path / "d.tar", [(tar_info("a", tarfile.DIRTYPE), None), ("a/x", b"1"),
                                      (tar_info("a", tarfile.DIRTYPE), None)], "w")
    assert extract(t, tmp_path / "out").files == 1


# ---- entry kinds ---------------------------------------------------------------------


@pytest.mark.parametrize("ti,match", [
    (tar_info("link", tarfile.SYMTYPE, linkname="../../etc/passwd"), "'link' is a symbolic link"),
    (tar_info("inside", tarfile.SYMTYPE, linkname="a.txt"), "'inside' is a symbolic link"),
    (tar_info("hard", tarfile.LNKTYPE, linkname="a.txt"), "'hard' is a hard link"),
    (tar_info("dev", tarfile.CHRTYPE, devmajor=1, devminor=3), "'dev' is a device file"),
    (tar_info("blk", tarfile.BLKTYPE, devmajor=8, devminor=0), "'blk' is a device file"),
    (tar_info("pipe", tarfile.FIFOTYPE), "'pipe' is a fifo"),
])
def test_tar_special_entries(tmp_path, ti, match):
    t = make_tar(tmp_path / "s.tar.gz", [("a.txt", b"a"), (ti, None)])
    refused(t, tmp_path / "out", match)


@pytest.mark.parametrize("mode,match", [
    (stat.S_IFLNK | 0o777, "'l' is a symbolic link"),
    (stat.S_IFIFO | 0o644, "'l' is a fifo"),
    (stat.S_IFCHR | 0o644, "'l' is a device file"),
])
def test_zip_special_entries(tmp_path, mode, match):
    z = make_zip(tmp_path / "s.zip", [("a.txt", b"a"), ("l", (b"../../etc/passwd", mode))])
    refused(z, tmp_path / "out", match)


def test_modes_dropped(tmp_path):
    ti = tarfile.TarInfo("run.sh")
    ti.size, ti.mode = 2, 0o6777
    d = tar_info("d", tarfile.DIRTYPE, mode=0o777)
    t = make_tar(tmp_path / "m.tar", [(d, None), (ti, b"hi")], "w")
    extract(t, tmp_path / "out")
    assert stat.S_IMODE((tmp_path / "out" / "run.sh").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out" / "d").stat().st_mode) == 0o755
    z = make_zip(tmp_path / "m.zip", [("run.sh", (b"hi", stat.S_IFREG | 0o4755))])
    extract(z, tmp_path / "zout")
    assert stat.S_IMODE((tmp_path / "zout" / "run.sh").stat().st_mode) == 0o644


def test_encrypted_zip_entry(tmp_path):
    raw = bytearray(make_zip(tmp_path / "e.zip", [("s.txt", b"secret")]).read_bytes())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        raw[raw.index(sig) + off] |= 0x01
    (tmp_path / "e.zip").write_bytes(bytes(raw))
    refused(tmp_path / "e.zip", tmp_path / "out", "'s.txt' is encrypted")



# ---- formats and corrupt archives ----------------------------------------------------


@pytest.mark.parametrize("name", ["d.7z", "d.rar", "d.gz"])
def test_unsupported_format(tmp_path, name):
    (tmp_path / name).write_bytes(b"whatever")
    e = refused(tmp_path / name, tmp_path / "out", "unsupported archive format")
    assert ".zip" in e.message and ".tar.gz" in e.message


@pytest.mark.parametrize("name,data", [
    ("g.zip", b"this is not a zip at all"),
    ("g.tar.gz", b"\x1f\x8bgarbage"),
    ("g.tar", b"x" * 1024),
])
def test_corrupt_archive(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    refused(tmp_path / name, tmp_path / "out", f"'{name}' is (not a readable archive|corrupt)")


def test_truncated_tar_gz(tmp_path):
    t = make_tar(tmp_path / "t.tar.gz", [("a", os.urandom(200_000))])
    t.write_bytes(t.read_bytes()[:50_000])
    refused(t, tmp_path / "out", "'t.tar.gz' is corrupt")


def test_name_not_utf8(tmp_path):
    with tarfile.open(tmp_path / "l.tar", "w", format=tarfile.USTAR_FORMAT, encoding="latin-1") as tf:
        ti = tarfile.TarInfo("caf\u00e9.txt")
        tf.addfile(ti, io.BytesIO(b""))
    refused(tmp_path / "l.tar", tmp_path / "out", "not valid UTF-8")
