"""REST handlers for model records (mo/api/models): parse, call the models service, reply."""

from __future__ import annotations


def model_routes(api: str) -> list:
    return []
