"""Fixtures of the archive tests: no extractall anywhere, no reads, readers that lie about sizes."""

import tarfile
import zipfile

import pytest

from mo_jupyter.catalog import archives


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
