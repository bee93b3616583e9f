"""Small catalogs built in a test's tmp_path: modules and datasets written the way users write them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from mo_jupyter.catalog.cells import class_name
from mo_jupyter.catalog.service import CatalogService

ECHO_MAIN = '''
class {cls}:
    def __init__(self):
        self.trained = None

    def train(self, conf):
        self.trained = dict(conf)
        return {{"trained_with": sorted(conf)}}

    def predict(self, conf):
        return {{"echo": conf, "trained": self.trained is not None, "version": "{version}"}}
'''


def write_module(catalog: Path, owner: str, name: str, version: str = "1.0.0", *, spec: dict | None = None,
                 description: str = "An echo module", tags=("echo",), main: str | None = None) -> Path:
    folder = catalog / "modules" / owner / name / version
    folder.mkdir(parents=True)
    data = {
        "name": name, "version": version, "description": description, "tags": list(tags),
        "input": {
            "predict": {"text": {"value_type": "str", "default_value": "hello", "des": "what to echo"},
                        "times": {"value_type": "int", "default_value": 2, "value_range": [1, 5]}},
            "train": {"epochs": {"value_type": "int", "default_value": 1},
                      "data_path": {"value_type": "str", "default_value": "datasets/x"}},
        },
        "output": {"predict": {"echo": {"value_type": "str"}}},
    }
    if spec is not None:
        data = {**data, **spec}
    (folder / "module_spec.yml").write_text(yaml.safe_dump(data, allow_unicode=True))
    (folder / "main.py").write_text(textwrap.dedent(main or ECHO_MAIN).format(cls=class_name(name), version=version))
    (folder / "README.md").write_text(f"# {name}\n\n{description}\n")
    return folder


def write_dataset(catalog: Path, owner: str, name: str, *, files: dict[str, bytes | str] | None = None,
                  **meta) -> Path:
    folder = catalog / "datasets" / owner / name
    folder.mkdir(parents=True)
    spec = {"name": name, "owner": owner, "version": "1.0.0", "description": f"{name} data",
            "purpose": "text_classification", "format": "dir", "test_set": 0.8,
            "permission": "public", "status": "online", **meta}
    (folder / "dataset.yml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    for rel, content in (files if files is not None else {"pos/a.txt": "good", "neg/b.txt": "bad"}).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
    return folder


def make_service(tmp_path: Path, owner: str = "alice", builtin=None, **kw) -> CatalogService:
    """A project root and a user catalog (plus a read-only shared one) under tmp_path."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "nb.ipynb").write_text("{}")
    user = tmp_path / "user-catalog"
    shared = tmp_path / "shared-catalog"
    user.mkdir(exist_ok=True)
    shared.mkdir(exist_ok=True)
    return CatalogService(project, [str(user), str(shared)], owner=owner, builtin=builtin, **kw)


@pytest.fixture
def svc(tmp_path):
    """A catalog service whose user catalog holds alice's module `echo` and dataset `reviews`."""
    svc = make_service(tmp_path)
    write_module(svc.catalogs.user.path, "alice", "echo")
    write_dataset(svc.catalogs.user.path, "alice", "reviews")
    svc.index.refresh()
    return svc
