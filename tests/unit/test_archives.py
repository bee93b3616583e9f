"""Safe archive extraction: every refusal rule, the limits, and all-or-nothing writes."""

import io
import os
import stat
import tarfile
import warnings
import zipfile

import pytest

from mo_jupyter.catalog import archives
from mo_jupyter.catalog.archives import (
    ARCHIVE_SUFFIXES, Extracted, Limits, archive_stem, extract, is_archive)
from mo_jupyter.errors import BadRequest, Conflict

MiB = 1024 * 1024


def make_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    """entries: name -> bytes, or name -> (bytes, external mode) ; a name ending in / is a dir."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on duplicate names
        with zipfile.ZipFile(path, "w", compression) as zf:
            for name, data in entries:
                mode = None
                if isinstance(data, tuple):
                    data, mode = data
                zi = zipfile.ZipInfo(name)
                zi.compress_type = compression
                zi.external_attr = ((mode if mode is not None else
                                     (stat.S_IFDIR | 0o755 if name.endswith("/")
                                      else stat.S_IFREG | 0o644)) << 16)
                zf.writestr(zi, data)
    return path


def make_tar(path, entries, mode="w:gz"):
    """entries: TarInfo (with data or None) pairs, or name -> bytes for plain files."""
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as tf:
        for item in entries:
            if isinstance(item[0], tarfile.TarInfo):
                ti, data = item
            else:
                ti, data = tarfile.TarInfo(item[0]), item[1]
                ti.size = len(data)
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
    return path


def tar_info(name, type_, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = type_
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def leftovers(parent):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".mo-extract-"))


@pytest.fixture(autouse=True)
def no_extractall(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("extractall must not be used")
    monkeypatch.setattr(tarfile.TarFile, "extractall", boom)
    monkeypatch.setattr(zipfile.ZipFile, "extractall", boom)


@pytest.fixture
def no_reads(monkeypatch):
    """Fail if any entry's data is opened: the refusal must come from the declared sizes."""
    def fail(self, ref):
        raise AssertionError("entry data was read")
    for cls in (archives._ZipReader, archives._TarReader):
        monkeypatch.setattr(cls, "open", fail)


def refused(archive, dest, match, **kw):
    with pytest.raises(BadRequest, match=match) as info:
        extract(archive, dest, **kw)
    assert not os.path.lexists(dest)
    assert leftovers(dest.parent) == []
    return info.value


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


# ---- limits (real bytes, when the declared sizes lie) --------------------------------


@pytest.fixture
def lying(monkeypatch):
    """Make both readers declare every file as 1 byte and count what is read back."""
    read = {"bytes": 0}
    for cls in (archives._ZipReader, archives._TarReader):
        orig_members, orig_open = cls.members, cls.open

        def members(self, _orig=orig_members):
            for e in _orig(self):
                if e.kind == "file":
                    e.size = 1
                yield e

        def open_(self, ref, _orig=orig_open):
            src = _orig(self, ref)
            real = src.read

            def counted(n=-1):
                data = real(n)
                read["bytes"] += len(data)
                return data
            src.read = counted
            return src
        monkeypatch.setattr(cls, "members", members)
        monkeypatch.setattr(cls, "open", open_)
    return read


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
