"""The help documents of the Help menu (issue 10, §5): Markdown files shipped in the package, one
per name and language (``help/<lang>/<name>.md``). Only the names in DOCS are ever read: a request
names a document, never a path."""

from __future__ import annotations

from pathlib import Path

from ..errors import NotFound, cut

HERE = Path(__file__).resolve().parent
DOCS = ("memory", "dataset-formats")
"""The documents, in the order of the Help menu."""
LANGUAGES = ("en", "zh_CN")


def language(lang: str | None) -> str:
    """``zh``, ``zh-CN``, ``zh_Hans``... -> ``zh_CN``; anything else (or nothing) -> ``en``."""
    return "zh_CN" if (lang or "")[:40].lower().replace("-", "_").split("_")[0] == "zh" else "en"


def document(name: str, lang: str | None = None) -> dict:
    """``{"name", "lang", "title", "markdown"}`` of the document ``name`` in ``lang`` (English when
    the language has none); NotFound for a name that is not in DOCS."""
    if name not in DOCS:
        raise NotFound(f"no help document '{cut(name, 100)}' (there are: {', '.join(DOCS)})")
    chosen = language(lang)
    path = HERE / chosen / f"{name}.md"
    if not path.is_file():
        chosen, path = "en", HERE / "en" / f"{name}.md"
    text = path.read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), name)
    return {"name": name, "lang": chosen, "title": title, "markdown": text}
