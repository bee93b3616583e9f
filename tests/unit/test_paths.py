"""Paths a user names stay inside the project root."""

import os

import pytest

from mo_jupyter.errors import BadRequest, NotFound
from mo_jupyter.paths import resolve_in_root


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "proj"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "a.py").write_text("")
    sibling = tmp_path / "proj2"
    sibling.mkdir()
    (sibling / "evil.py").write_text("")
    os.symlink(sibling / "evil.py", root / "link.py")
    os.symlink(root / "sub" / "a.py", root / "inner.py")
    return root, sibling


def test_relative_path_inside(tree):
    root, _ = tree
    path, rel = resolve_in_root(root, "sub/a.py")
    assert rel == "sub/a.py" and path == (root / "sub" / "a.py").resolve()
    assert resolve_in_root(root, "./sub/../sub/a.py")[1] == "sub/a.py"


@pytest.mark.parametrize("given", ["../proj2/evil.py", "sub/../../proj2/evil.py", "link.py", "/etc/passwd", ".."])
def test_escapes_are_refused(tree, given):
    root, _ = tree
    with pytest.raises(BadRequest, match="outside the project root"):
        resolve_in_root(root, given)


def test_sibling_with_same_prefix_given_absolute(tree):
    root, sibling = tree
    with pytest.raises(BadRequest):
        resolve_in_root(root, str(sibling / "evil.py"))


def test_absolute_inside_and_symlink_inside_are_fine(tree):
    root, _ = tree
    assert resolve_in_root(root, str(root / "sub" / "a.py"))[1] == "sub/a.py"
    assert resolve_in_root(root, "inner.py")[1] == "sub/a.py"


def test_missing_and_empty(tree):
    root, _ = tree
    with pytest.raises(NotFound):
        resolve_in_root(root, "nope.py")
    for bad in ("", "  ", "a\x00b"):
        with pytest.raises(BadRequest):
            resolve_in_root(root, bad)


@pytest.mark.parametrize("given,message", [
    ("a" * 256 + ".py", "a name in the path is too long"),
    ("sub/" + "é" * 128, "a name in the path is too long"),  # 256 bytes in UTF-8
    ("x/" * 2100, "the path is too long"),
    ("\udcff\ud800.py", "not valid UTF-8"),
])
def test_over_long_or_undecodable_paths_are_refused_before_the_file_system(tree, given, message):
    root, _ = tree
    with pytest.raises(BadRequest, match=message) as caught:
        resolve_in_root(root, given)
    assert len(caught.value.message) < 200


def test_a_name_of_255_bytes_is_fine(tree):
    root, _ = tree
    with pytest.raises(NotFound):
        resolve_in_root(root, "a" * 255)
