"""``jupyter mo model list | show | register | delete | download``"""

from __future__ import annotations


def add_parser(nouns) -> None:
    nouns.add_parser("model", help="model records: what jobs trained, with their lineage")
