"""The extension's configuration (traitlets) and the services it makes, without jupyter_server: the
server's extension app (app.py) has these traits, and the command line reads the same config files into
a ``MoSettings`` without importing the server (``jupyter mo job list`` starts in a fraction of a second)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from jupyter_core.paths import jupyter_data_dir
from traitlets import Dict, Float, Integer, List, Type, Unicode, default, validate
from traitlets.config import Configurable
from traitlets.utils.importstring import import_item

from .catalog.archives import Limits
from .catalog.roots import default_owner
from .jobs.backends import BUILTIN_BACKENDS, class_path

if TYPE_CHECKING:  # made when asked for (make_*): the command line imports only what it uses
    from .catalog.service import CatalogService
    from .jobs.service import JobService
    from .services.manager import ServiceManager

CONFIG_SECTION = "MoJupyterApp"
BUILTIN_CLASSES = {
    "job_backend_classes": {name: target.replace(":", ".") for name, target in BUILTIN_BACKENDS.items()},
    "service_backend_classes": {
        "local": "mo_jupyter.services.local.LocalServiceBackend",
        "docker": "mo_jupyter.services.docker.DockerServiceBackend",
        "swarm": "mo_jupyter.services.swarm.SwarmServiceBackend",
    },
}


class MoSettings(Configurable):
    """The extension's settings (the config section `MoJupyterApp`) and the services made from them."""

    jobs_dir = Unicode(
        ".mo/jobs",
        help="Where job records and output live; relative paths are inside the project root.",
    ).tag(config=True)
    default_backend = Unicode("local", help="The backend a job uses when it names none.").tag(config=True)
    backends = Dict(
        default_value={"local": {}},
        help="Enabled job backends and their settings, e.g. {'local': {'gpus': ['0']}}. A name enabled "
        "here that has a service backend class serves deployed apps too ('local' always does).",
    ).tag(config=True)
    job_backend_classes = Dict(
        key_trait=Unicode(),
        value_trait=Type(klass="mo_jupyter.jobs.backends.base.JobBackend"),
        default_value=BUILTIN_CLASSES["job_backend_classes"],
        help="The JobBackend class of each backend name, besides the built-in local, docker and swarm "
        "(a name given here replaces the built-in of that name); add one to offer another way of running jobs "
        "(a subclass of mo_jupyter.jobs.backends.base.JobBackend, built with its `backends` settings), "
        "e.g. {'slurm': 'mypkg.slurm.SlurmBackend'}. Its import path is recorded in each job, so the "
        "job's supervisor process builds the same class.",
    ).tag(config=True)
    service_backend_classes = Dict(
        key_trait=Unicode(),
        value_trait=Type(klass="mo_jupyter.services.base.ServiceBackend"),
        default_value=BUILTIN_CLASSES["service_backend_classes"],
        help="The ServiceBackend class of each backend name, besides the built-in local, docker and "
        "swarm (a name given here replaces the built-in of that name; a subclass of "
        "mo_jupyter.services.base.ServiceBackend), built with its `from_config(settings)` from the "
        "`backends` settings of its name.",
    ).tag(config=True)
    concurrency = Dict(
        default_value={},
        per_key_traits=None,
        help="Jobs that may run at once, per backend (default 1 each), e.g. {'local': 2}.",
    ).tag(config=True)
    stop_grace_seconds = Float(5.0, help="After SIGTERM, seconds before SIGKILL on stop.").tag(config=True)
    job_python = Unicode(help="The Python that runs .py and .ipynb jobs (default: this one).").tag(config=True)
    root_dir = Unicode("", help="The project root (default: the server's root_dir).").tag(config=True)
    max_log_chunk = Integer(1024 * 1024, help="Largest log slice one request returns, in bytes.").tag(config=True)

    catalogs = List(
        Unicode(),
        help="Catalog folders (modules/ and datasets/ trees). The first writable one is the user's; "
        "others are shared (e.g. on a network file system). The built-in read-only catalog comes last.",
    ).tag(config=True)
    catalog_owner = Unicode(help="Your owner name in the catalogs (default: the OS user name).").tag(config=True)
    catalog_rescan_seconds = Float(10.0, help="How old the catalog index may get before a background rescan.").tag(config=True)
    archive_max_bytes = Integer(4 * 1024**3, help="Largest total size an archive may extract to.").tag(config=True)
    archive_max_entries = Integer(100_000, help="Most entries an archive may hold.").tag(config=True)
    archive_max_ratio = Float(200.0, help="Highest compression ratio accepted (zip bombs exceed it).").tag(config=True)
    upload_max_bytes = Integer(4 * 1024**3, help="Largest file a browser upload may send.").tag(config=True)

    @validate("catalogs")
    def _catalog_list(self, proposal):
        # `--MoJupyterApp.catalogs='["a", "b"]'` reaches an extension as one string: accept it.
        out = []
        for item in proposal["value"]:
            if item.startswith("[") and item.endswith("]"):
                try:
                    out.extend(str(x) for x in json.loads(item))
                    continue
                except ValueError:
                    pass
            out.append(item)
        return out

    @validate("job_backend_classes", "service_backend_classes")
    def _with_builtins(self, proposal):
        # a configured dict adds to the built-ins (traitlets would replace the default as a whole)
        builtins = BUILTIN_CLASSES[proposal["trait"].name]
        return {**{name: import_item(target) for name, target in builtins.items()}, **proposal["value"]}

    @default("catalogs")
    def _default_catalogs(self):
        return [str(Path(jupyter_data_dir()) / "mo_jupyter" / "catalog")]

    @default("catalog_owner")
    def _default_owner(self):
        return default_owner()

    @default("job_python")
    def _default_python(self):
        return sys.executable

    def project_root(self) -> str:
        """The project root: ``root_dir`` (the server's root_dir when empty, see MoJupyterApp)."""
        return self.root_dir

    def job_backend_settings(self) -> dict[str, dict]:
        """The enabled job backends' settings, each with the import path of its class (the job's
        spec carries it to the supervisor, which builds the backend by it)."""
        unknown = sorted(set(self.backends) - set(self.job_backend_classes) - set(self.service_backend_classes))
        if unknown:
            raise ValueError(f"MoJupyterApp.backends names {unknown}, which no job_backend_classes or "
                             f"service_backend_classes entry has (known: {sorted(self.job_backend_classes)})")
        return {name: {**(config or {}), "backend_class": class_path(self.job_backend_classes[name])}
                for name, config in self.backends.items() if name in self.job_backend_classes}

    def make_job_service(self) -> "JobService":
        from .jobs.service import JobService

        root = self.project_root()
        return JobService(
            root,
            jobs_dir=self.jobs_dir,
            backends=self.job_backend_settings(),
            default_backend=self.default_backend,
            concurrency=self.concurrency,
            grace_seconds=self.stop_grace_seconds,
            python=self.job_python,
        )

    def make_catalog_service(self) -> "CatalogService":
        from .catalog.service import CatalogService

        root = self.project_root()
        return CatalogService(
            root,
            [os.path.join(root, os.path.expanduser(p)) for p in self.catalogs],  # relative: to the root
            owner=self.catalog_owner,
            rescan_seconds=self.catalog_rescan_seconds,
            limits=Limits(self.archive_max_bytes, self.archive_max_entries, self.archive_max_ratio),
            max_upload_bytes=self.upload_max_bytes,
        )

    def make_service_backend(self, name: str):
        cls = self.service_backend_classes[name]
        config = dict(self.backends.get(name) or {})
        return cls.from_config(config)

    def make_service_manager(self, jobs: "JobService") -> "ServiceManager":
        from .services.manager import ServiceManager

        root = self.project_root()
        # local always; docker (the job machines' images serve apps too), swarm (N replicas behind
        # a 127.0.0.1 gateway) and others when the backend is enabled
        names = ["local", *(n for n in self.backends if n != "local" and n in self.service_backend_classes)]
        backends = {name: self.make_service_backend(name) for name in names}
        return ServiceManager(root, backends, jobs=jobs)
