"""Paths inside the project root. Everything a user names is resolved here, once."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import BadRequest, NotFound


def resolve_in_root(root: Path | str, relative: str, *, must_exist: bool = True) -> tuple[Path, str]:
    """Return (absolute real path, path relative to root in POSIX form).

    Refuses absolute paths and anything whose real path (symlinks followed) leaves the root,
    including a sibling folder whose name starts like the root's (``/p/proj`` vs ``/p/proj2``).
    """
    if not isinstance(relative, str) or not relative.strip():
        raise BadRequest("a path is required")
    if "\x00" in relative:
        raise BadRequest("the path contains a NUL character")
    real_root = Path(os.path.realpath(root))
    candidate = Path(relative)
    if candidate.is_absolute():
        # Accept an absolute path only when it already points inside the root.
        target = Path(os.path.realpath(candidate))
    else:
        target = Path(os.path.realpath(real_root / candidate))
    if os.path.commonpath([real_root, target]) != str(real_root):
        raise BadRequest(f"'{relative}' is outside the project root")
    if must_exist and not target.exists():
        raise NotFound(f"no such file in the project: '{relative}'")
    return target, target.relative_to(real_root).as_posix()
