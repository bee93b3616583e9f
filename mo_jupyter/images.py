"""Job images: where their recipes are, building them (offline or from a registry), listing them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .containers import engine, engine_errors
from .errors import BadRequest, NotFound, Unavailable

_HERE = Path(__file__).resolve().parent
# An installed wheel carries jobs/images as mo_jupyter/images; a checkout has it at the top.
RECIPE_DIRS = (_HERE / "images", _HERE.parent / "jobs" / "images")


def recipes_dir() -> Path:
    for folder in RECIPE_DIRS:
        if (folder / "build_offline.sh").is_file():
            return folder
    raise NotFound(f"no image recipes found (looked in {', '.join(map(str, RECIPE_DIRS))})")


def kinds() -> list[str]:
    return sorted(p.stem.split("-", 1)[1] for p in recipes_dir().glob("requirements-*.txt"))


def build(kind: str, offline: bool, tag: str | None = None) -> int:
    """Build an image, streaming the build's progress to this process's output; return its exit code."""
    folder = recipes_dir()
    tag = tag or f"mo-jupyter/{kind}:latest"
    if offline:
        if kind not in kinds():
            raise BadRequest(f"no recipe for '{kind}' (known: {', '.join(kinds())})")
        command = ["bash", str(folder / "build_offline.sh"), kind, tag]
    else:
        dockerfile = folder / f"Dockerfile.{kind}"
        if not dockerfile.is_file():
            raise BadRequest(f"no Dockerfile for '{kind}' in {folder}")
        command = ["docker", "build", "--force-rm", "-f", str(dockerfile), "-t", tag, str(folder)]
    try:
        return subprocess.run(command, stdout=sys.stdout, stderr=sys.stderr).returncode
    except FileNotFoundError as exc:
        raise Unavailable(f"cannot build images here: {exc.filename} is not installed") from None


def list_images(config: dict | None = None) -> list[dict]:
    """The mo-jupyter images of the engine (``config``: a docker backend's ``base_url``, ``timeout``)."""
    try:
        images = engine(config).images.list()
    except Unavailable:
        raise
    except engine_errors() as exc:
        raise Unavailable(f"the Docker engine did not list its images: {str(exc)[:200]}") from None
    out = []
    for image in images:
        tags = [t for t in image.tags if t.startswith("mo-jupyter/")]
        if not tags:
            continue
        labels = image.labels or {}
        out.append({"tags": tags, "kind": labels.get("mo.kind", ""), "recipe": labels.get("mo.recipe", ""),
                    "size": image.attrs.get("Size", 0), "created": image.attrs.get("Created", "")})
    return sorted(out, key=lambda i: i["tags"][0])
