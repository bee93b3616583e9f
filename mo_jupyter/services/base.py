"""The service-backend interface: how a deployed app's replicas are started, counted, stopped and
found. The manager (records, ports, the snapshot) knows nothing of processes or engines; a backend
knows nothing of HTTP. ``folder`` is the service's ``<root>/.mo/services/<id>/``; ``record`` its
service.json."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Optional


class ServiceBackend(ABC):
    name: str = ""

    @classmethod
    def from_config(cls, config: dict) -> "ServiceBackend":
        """The backend for the settings of ``MoJupyterApp.backends[name]`` (``{}`` when it has none)."""
        return cls(config)

    def check(self, machine: str) -> None:
        """Raise a MoError when ``machine`` cannot serve here (unknown type, image not built)."""

    @abstractmethod
    def scale(self, folder: Path, record: dict, replicas: int) -> None:
        """Run ``replicas`` replicas of the app in ``folder/app`` on ``record['port']`` (0: none)."""

    @abstractmethod
    def stop(self, folder: Path) -> None:
        """End every replica (a redeploy or a delete)."""

    @abstractmethod
    def replicas(self, folder: Path) -> list[dict]:
        """The replicas alive now."""

    def serves_on(self, folder: Path, port: int) -> bool:
        """Whether a live replica of this service, started by this backend, holds 127.0.0.1:``port``
        now (checked on every proxied request: a stopped service's port may meanwhile belong to
        another program, even another user's)."""
        return False

    def counts(self, folder: Path) -> tuple[int, int]:
        """(running, starting) replicas, from one look."""
        return len(self.replicas(folder)), 0

    def problem(self, folder: Path) -> Optional[str]:
        """Why replicas that should run do not, in the backend's words (None: unknown)."""
        return None

    @abstractmethod
    def started_at(self, folder: Path) -> float:
        """When the current replicas started (0.0: none)."""

    def logs(self, folder: Path) -> Optional[bytes]:
        """The app's output when the backend keeps it (an engine's log); None: the manager reads
        ``folder/output.log``."""
        return None
