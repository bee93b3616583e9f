"""A project folder holding a deployable app (handler.py + app_spec.yml), for the services tests."""

from __future__ import annotations

from pathlib import Path

HANDLE = "def handle(conf):\n    return {'y': 1}  # value_type: int\n"
SPEC = "input: {}\noutput:\n  y: {value_type: int}\n"


def app_project(tmp_path: Path, handle: str = HANDLE, spec: str = SPEC) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "handler.py").write_text(handle)
    (root / "app_spec.yml").write_text(spec)
    return root
