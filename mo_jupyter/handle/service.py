"""The deploy wizard's service: the handle template, scanning a notebook or .py (parsing only,
never running it), and writing handler.py + app_spec.yml next to the notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat

from ..errors import BadRequest
from ..paths import resolve_in_root
from .codegen import generate_handler, write_deploy_files
from .parse import scan_notebook, scan_source
from .spec import validate
from .template import HANDLE_TEMPLATE
from .uses import existing_files

MAX_SOURCE_BYTES = 32 * 1024 * 1024


class HandleService:
    def __init__(self, root: Path | str):
        self.root = Path(root)

    def template(self) -> dict:
        return {"source": HANDLE_TEMPLATE}

    def _read(self, rel: str) -> tuple[Path, str, dict | str]:
        path, rel = resolve_in_root(self.root, rel)
        if path.suffix not in (".ipynb", ".py") or not path.is_file():
            raise BadRequest(f"'{rel}' is neither a .ipynb notebook nor a .py file")
        if path.stat().st_size > MAX_SOURCE_BYTES:
            raise BadRequest(f"'{rel}' is larger than {MAX_SOURCE_BYTES // 2**20} MiB")
        if path.suffix == ".py":
            return path, rel, path.read_text(encoding="utf-8", errors="replace")
        try:
            nb = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
        except Exception as exc:  # nbformat raises many kinds; all mean "not a notebook"
            raise BadRequest(f"'{rel}' is not a readable notebook: {exc}") from None
        return path, rel, nb

    def scan(self, rel: str, cells: list[int] | None = None, source: str | None = None) -> dict:
        """Scan the notebook or .py at ``rel``; with ``source`` (handler.py as edited in the wizard),
        scan that text instead, reading the files it names relative to ``rel``'s folder."""
        path, rel, content = self._read(rel)
        if source is not None:
            if cells:
                raise BadRequest("'cells' and 'source' do not go together")
            out = scan_source(source, "handler.py")
        elif isinstance(content, str):
            if cells:
                raise BadRequest("'cells' only goes with a notebook")
            out = scan_source(content, path.name)
        else:
            out = scan_notebook(content, cells)
        folder = Path(rel).parent.as_posix()
        files = existing_files(self.root, "" if folder == "." else folder, out.pop("path_literals"))
        return {"path": rel, **out, "files": [f for f in files if f != rel]}

    def generate(self, notebook: str, cells: list[int] | None = None, handler: str | None = None,
                 spec: dict | None = None, overwrite: bool = False) -> dict:
        path, rel, nb = self._read(notebook)
        if isinstance(nb, str):
            raise BadRequest(f"'{rel}' is a .py file; generate needs the notebook")
        # an edited handler.py is what gets written: its problems, not the cells', are the ones that count
        scanned = scan_notebook(nb, cells) if handler is None else scan_source(handler, "handler.py")
        scanned.pop("path_literals")
        errors = [p for p in scanned["problems"] if p["severity"] == "error"]
        if spec is None and errors:
            raise BadRequest("the handle function has problems:\n" + "\n".join(
                f"- {p['message']}" + (f" (cell {p['cell'] + 1}, line {p['line']})" if p.get("cell") is not None else "")
                for p in errors))
        final_spec = validate(spec if spec is not None else scanned["spec"])
        if handler is None:
            selected = cells if cells is not None else [c["index"] for c in scanned["cells"] if c["selected"]]
            handler = generate_handler(nb, selected)
        written = write_deploy_files(path.parent, handler, final_spec, overwrite)
        folder = Path(rel).parent.as_posix()
        return {"folder": "" if folder == "." else folder, "written": written, "spec": final_spec,
                "problems": scanned["problems"]}
