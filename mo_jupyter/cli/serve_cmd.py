"""``jupyter mo serve DIR [options]``: the app server's own command line (mo_jupyter/serve/cli.py)
as a noun of `jupyter mo`."""

from __future__ import annotations


def add_parser(nouns) -> None:
    from ..serve.cli import add_arguments, run

    p = nouns.add_parser("serve", help="serve a deployed app (app_spec.yml + handler.py) over HTTP")
    add_arguments(p)
    p.set_defaults(func=run)
