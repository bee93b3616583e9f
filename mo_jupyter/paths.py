"""Paths inside the project root. Everything a user names is resolved here, once."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BadRequest, NotFound, cut

NAME_MAX = 255
"""The longest file name (one path segment) in bytes, as Linux file systems have it."""
PATH_MAX = 4096
"""The longest path in bytes."""


def check_path_text(relative: str) -> None:
    """Refuse, before the file system sees it, a path it would answer with an error: a NUL, a name
    over NAME_MAX bytes, a path over PATH_MAX bytes, text that is not UTF-8 (lone surrogates)."""
    if "\x00" in relative:
        raise BadRequest("the path contains a NUL character")
    try:
        encoded = os.fsencode(relative)
    except UnicodeError:
        raise BadRequest("the path is not valid UTF-8 text") from None
    if len(encoded) > PATH_MAX:
        raise BadRequest(f"the path is too long ({len(encoded)} bytes; at most {PATH_MAX})")
    for part in encoded.split(b"/"):
        if len(part) > NAME_MAX:
            raise BadRequest(f"a name in the path is too long ({len(part)} bytes; at most {NAME_MAX}): "
                             f"'{cut(os.fsdecode(part), 60)}'")


def resolve_in_root(root: Path | str, relative: str, *, must_exist: bool = True) -> tuple[Path, str]:
    """Return (absolute real path, path relative to root in POSIX form).

    Refuses absolute paths and anything whose real path (symlinks followed) leaves the root,
    including a sibling folder whose name starts like the root's (``/p/proj`` vs ``/p/proj2``).
    """
    if not isinstance(relative, str) or not relative.strip():
        raise BadRequest("a path is required")
    check_path_text(relative)
    real_root = Path(os.path.realpath(root))
    candidate = Path(relative)
    if candidate.is_absolute():
        # Accept an absolute path only when it already points inside the root.
        target = Path(os.path.realpath(candidate))
    else:
        target = Path(os.path.realpath(real_root / candidate))
    if os.path.commonpath([real_root, target]) != str(real_root):
        raise BadRequest(f"'{cut(relative, 300)}' is outside the project root")
    if must_exist and not os.path.exists(target):
        raise NotFound(f"no such file in the project: '{cut(relative, 300)}'")
    return target, target.relative_to(real_root).as_posix()
