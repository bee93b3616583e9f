"""REST handlers for training tasks (mo/api/tasks): parse, call the tasks service, reply."""

from __future__ import annotations


def task_routes(api: str) -> list:
    return []
