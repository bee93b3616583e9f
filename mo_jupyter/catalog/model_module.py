"""Publish a trained model to the catalog (发布到共享中心, seed 003 §2.4): a new version of the module it
was trained from, under the user's name, that carries the model's weights in place of the shipped ones
and says where they come from in its README.

The module's spec names its shipped weights (``training.shipped_model``, e.g. ``results/mnist_cnn.keras``);
the model's first file replaces that file, its other files go beside it. The version is the next patch
version of the user's own module of that name (1.0.0 for the first). The folder is made in a hidden
staging folder of the project, checked and published as any module folder is (``ModuleCatalog.publish``),
then removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path, PurePosixPath

import yaml

from ..errors import BadRequest, cut
from .index import MODULE_SPEC
from .modules import IGNORED
from .roots import semver_key
from .specs import load_yaml

STAGING_PREFIX = ".mo-publish-"


def shipped_model(spec: dict) -> PurePosixPath | None:
    """The module's shipped weights (``training.shipped_model``), a relative path inside it, or None."""
    training = spec.get("training") if isinstance(spec.get("training"), dict) else {}
    value = training.get("shipped_model")
    if not isinstance(value, str) or not value:
        return None
    path = PurePosixPath(value)
    if path.is_absolute() or ".." in path.parts or "\\" in value:
        return None
    return path


def next_version(modules, owner: str, name: str) -> str:
    modules.index.refresh()
    entry = modules.index.modules().get(f"{owner}/{name}")
    if not entry:
        return "1.0.0"
    major, minor, patch = (int(x) for x in max((v.version.split("-")[0].split("+")[0] for v in entry.versions),
                                                  key=semver_key).split("."))
    return f"{major}.{minor}.{patch + 1}"


def lineage_text(model: dict) -> str:
    """The README section that says where the weights come from."""
    lineage = model.get("lineage") or {}
    lines = [f"## Weights: model {model['name']} version {model['version']}", "",
             "Published from mo_jupyter's model registry. The weights in this version were trained by:", ""]
    job = lineage.get("job") or {}
    if job:
        lines.append(f"- job `{job.get('id')}` ({job.get('name', '')}), code `{job.get('path', '')}` "
                     f"sha256 `{str(job.get('code_sha256', ''))[:16]}`")
    module = lineage.get("module") or {}
    if module:
        lines.append(f"- module `{module.get('id')}` {module.get('version', '')}")
    for ds in lineage.get("datasets") or []:
        lines.append(f"- dataset `{ds.get('id')}` {ds.get('version', '')}")
    if lineage.get("conf"):
        conf = ", ".join(f"{k}={cut(repr(v), 80)}" for k, v in sorted(lineage["conf"].items()))
        lines.append(f"- train(conf): {cut(conf, 2000)}")
    metrics = lineage.get("metrics") or {}
    if metrics:
        lines.append("- final metrics: " + ", ".join(
            f"{k} {v.get('last')}" for k, v in sorted(metrics.items()) if isinstance(v, dict)))
    return "\n".join(lines) + "\n"


def publish_model(modules, root: Path | str, model: dict, model_files: list[Path],
                  permission: str = "private") -> dict:
    """Publish ``model`` (a model record: name, version, lineage with the module it was trained from)
    whose files are ``model_files`` as the next version of the user's module of the same name. Returns
    the published module's view."""
    module = (model.get("lineage") or {}).get("module") or {}
    if not module.get("id"):
        raise BadRequest(f"model {model['name']} version {model['version']} was not trained from a catalog "
                         "module: publish a module folder instead (Publish Module…)")
    if not model_files:
        raise BadRequest(f"model {model['name']} version {model['version']} has no files")
    owner, _, name = module["id"].partition("/")
    _entry, v = modules.find(owner, name, module.get("version"))
    target = shipped_model(v.spec)
    if target is None:
        raise BadRequest(f"module '{module['id']}' does not name its shipped weights (training.shipped_model); "
                         "it cannot carry new ones")
    me = modules.catalogs.owner
    version = next_version(modules, me, name)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    try:
        folder = staging / name
        shutil.copytree(v.path, folder, symlinks=False, ignore=IGNORED)
        spec = load_yaml(folder / MODULE_SPEC)
        spec.pop("owner", None)
        spec["version"] = version
        spec["permission"] = permission
        (folder / MODULE_SPEC).write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True), encoding="utf-8")
        weights = folder / target
        weights.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(model_files[0], weights)
        for extra in model_files[1:]:
            shutil.copyfile(extra, weights.parent / extra.name)
        readme = folder / "README.md"
        old = readme.read_text(encoding="utf-8", errors="replace") if readme.is_file() else f"# {name}\n"
        readme.write_text(old.rstrip("\n") + "\n\n" + lineage_text(model), encoding="utf-8")
        return modules.publish(Path(os.path.relpath(folder, root)).as_posix(), permission)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
