"""`jupyter mo image build|list` against the real engine (the base image is built by .ci/test)."""

from __future__ import annotations

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def mo(*args):
    env = dict(os.environ, PYTHONPATH=REPO)
    return subprocess.run([sys.executable, "-m", "mo_jupyter.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=600)


def test_list_shows_the_built_image_with_its_recipe(docker_client):
    out = mo("image", "list")
    assert out.returncode == 0
    line = next(l for l in out.stdout.splitlines() if l.startswith("mo-jupyter/base:latest"))
    image = docker_client.images.get("mo-jupyter/base:latest")
    assert image.labels["mo.kind"] == "base" and image.labels["mo.recipe"] in line


def test_an_unchanged_recipe_is_not_rebuilt(docker_client):
    before = docker_client.images.get("mo-jupyter/base:latest").id
    out = mo("image", "build", "base", "--offline")
    assert out.returncode == 0 and "is up to date" in out.stdout
    assert docker_client.images.get("mo-jupyter/base:latest").id == before


def test_unknown_kind_is_one_clear_line():
    out = mo("image", "build", "tpu", "--offline")
    assert out.returncode == 2 and out.stderr.startswith("error: no recipe for 'tpu'")
