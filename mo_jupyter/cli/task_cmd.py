"""``jupyter mo task create | start | list | show | delete``"""

from __future__ import annotations


def add_parser(nouns) -> None:
    nouns.add_parser("task", help="training tasks: a catalog module's train() on a dataset, as a job")
