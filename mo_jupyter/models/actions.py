"""What a model record leads to: a running service (deploy) and a new module version in the catalog
(publish, 发布到共享中心). Both need a model trained from a catalog module: its ``predict(conf)`` says
how to serve it (no handle to write), its spec says where its weights go.

Deploy writes the app folder ``model_apps/<name>-v<version>/`` in the project (an ordinary deployable
folder: handler.py, app_spec.yml, the module, the model's files; see handle/model_app.py) and deploys it
as ``<name>-v<version>`` (or the name given); the service's record names the model, so the model shows
its services and cannot be deleted while one serves it. A model without such a module is refused
with the reason ``wizard``: the front end then opens the deploy wizard with the model's files copied
into that folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from ..atomic import write_atomic
from ..catalog.model_module import publish_model
from ..errors import BadRequest, Conflict
from ..handle.model_app import MODEL_DIR, NOTEBOOK, handle_notebook, write_model_app
from ..paths import resolve_in_root
from ..services.manager import default_name

APPS = "model_apps"


def app_folder(record: dict) -> str:
    return f"{APPS}/{record['name']}-v{record['version']}"


def record_files(models, record: dict) -> list[Path]:
    files_dir = models.store.files_dir(record["name"], record["version"])
    found = [files_dir / f["path"] for f in record.get("files") or []]
    missing = [p.name for p in found if not p.is_file()]
    if missing:
        raise Conflict(f"the files of model {record['id']} are missing ({', '.join(missing[:3])}); "
                       "delete this version")
    return found


def copy_for_wizard(root: Path, models, record: dict) -> str:
    """The model's files copied to ``model_apps/<name>-v<version>/model/``, beside a notebook whose
    handle loads them (kept once written: it is the user's to edit), for the deploy wizard."""
    target, rel = resolve_in_root(root, app_folder(record), must_exist=False)
    model_dir = target / MODEL_DIR
    for path in (target, model_dir):
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise BadRequest(f"'{path.relative_to(Path(root).resolve()).as_posix()}' is in the way (not a folder)")
    model_dir.mkdir(parents=True, exist_ok=True)
    files = record_files(models, record)
    for f in files:
        shutil.copyfile(f, model_dir / f.name)
    notebook = target / NOTEBOOK
    if not notebook.exists() and not notebook.is_symlink():  # the user's edits are kept
        import nbformat

        write_atomic(notebook, nbformat.writes(handle_notebook(record, files[0].name)))
    return rel


def deploy(models, catalog, services, name: str, version, service_name: str | None = None,
           backend: str = "local", machine: str = "cpu") -> dict:
    """Deploy the model ``name:version``; the service's view."""
    record = models.get(name, version)
    module = (record.get("lineage") or {}).get("module")
    if not module or not module.get("id"):
        folder = copy_for_wizard(models.root, models, record)
        raise Conflict(f"model {record['id']} was not trained from a catalog module, so nothing says how it "
                       f"predicts: its files are in '{folder}/{MODEL_DIR}'; write its handle in "
                       f"'{folder}/{NOTEBOOK}' and deploy with the wizard", reason="wizard")
    made = write_model_app(models.root, app_folder(record), catalog.modules, module, record,
                           record_files(models, record))
    service_name = service_name or default_name(f"{record['name']}-v{record['version']}")
    return services.deploy(made["folder"], service_name, "dev", made["files"], backend, 1, machine,
                           model={"name": record["name"], "version": record["version"]})


def publish(models, catalog, name: str, version, permission: str = "private") -> dict:
    """Publish the model ``name:version`` as the next version of my module of that name; its view."""
    record = models.get(name, version)
    return publish_model(catalog.modules, models.root, record, record_files(models, record), permission)
