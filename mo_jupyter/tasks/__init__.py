"""Training tasks (seed 003 §2.3): a catalog module's train(conf) on a dataset, as a job. See service.py."""

from .service import TaskService

__all__ = ["TaskService"]
