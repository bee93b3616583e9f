"""Archives built in the tests, and the refusal check they share."""

import io
import os
import stat
import tarfile
import warnings
import zipfile

import pytest

from mo_jupyter.catalog.archives import extract
from mo_jupyter.errors import BadRequest


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


def refused(archive, dest, match, **kw):
    with pytest.raises(BadRequest, match=match) as info:
        extract(archive, dest, **kw)
    assert not os.path.lexists(dest)
    assert leftovers(dest.parent) == []
    return info.value
