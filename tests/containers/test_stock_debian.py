"""The README's demo command on a stock Debian 12, as a newcomer runs it.

A clean container from `mo-jupyter/rootfs:bookworm` (the debootstrap minbase root file system the job
images are made from) with python3-venv removed, as on a fresh machine: Debian's python3 (externally
managed, no pip, no venv), apt, no Node. As root the setup only adds sudo and a user `newcomer`;
`bash .ci/demo` itself must do the rest (python3-venv through sudo apt, Node from PyPI, the .venv,
mo_jupyter with its examples' framework). The repository is copied as a user has it (`git ls-files
-co --exclude-standard`, no node_modules, no .venv, no .git). The server must answer on 127.0.0.1
with the extension enabled, and a second run must reuse the venv without rebuilding.

The container reaches deb.debian.org, PyPI and registry.npmjs.org with this machine's network; the
host's CA bundle is mounted read-only for TLS (a proxy may sign it), nothing else of the host is."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import tarfile
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

ROOTFS = "mo-jupyter/rootfs:bookworm"
HOST_CA = "/etc/ssl/certs/ca-certificates.crt"
USER_HOME = "/home/newcomer"
CHECKOUT = f"{USER_HOME}/mo_jupyter"
PORT = 18888
TOKEN = uuid.uuid4().hex
FIRST_RUN_S = 900   # measured ~5 min on a 2-core machine (labextension build + TensorFlow install)
SECOND_RUN_S = 120

# The host's Yarn mirror, when it has one, seeds the user's (a cache: it saves downloads, not steps).
YARN_MIRROR = Path(os.environ.get("YARN_GLOBAL_FOLDER") or Path.home() / ".yarn/berry") / "cache"

SETUP = """set -e
export DEBIAN_FRONTEND=noninteractive
apt-get purge -y -qq python3-venv python3.11-venv >/dev/null
! python3 -m venv /tmp/probe >/dev/null 2>&1 || { echo 'python3 -m venv still works'; exit 1; }
apt-get update -qq
apt-get install -y -qq --no-install-recommends sudo >/dev/null
useradd -m -s /bin/bash newcomer
echo 'newcomer ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/newcomer
if [ -d /mo-host-yarn-mirror ]; then
  mkdir -p /home/newcomer/.yarn/berry/cache
  cp -a /mo-host-yarn-mirror/. /home/newcomer/.yarn/berry/cache/
  chown -R newcomer: /home/newcomer/.yarn
fi
"""


@pytest.fixture(scope="module")
def engine():
    try:
        import docker

        client = docker.from_env(timeout=120)
        client.ping()
    except Exception as exc:
        pytest.skip(f"no Docker engine here ({exc}): the stock-Debian demo test runs `bash .ci/demo` in a "
                    "container; `bash .ci/test` installs and starts one")
    try:
        client.images.get(ROOTFS)
    except docker.errors.ImageNotFound:  # made on the way to the base image, as the other container tests do
        subprocess.run(["bash", str(REPO / "jobs/images/build_offline.sh"), "base"], check=True)
    return client


def checkout_tar() -> bytes:
    """The repository as a user has it: tracked and untracked-not-ignored files only."""
    names = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in sorted(n for n in names if n and (REPO / n).is_file()):
            tar.add(REPO / name, arcname=f"mo_jupyter/{name}")
    return buf.getvalue()


def network_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.lower() in ("http_proxy", "https_proxy", "no_proxy")}
    if os.path.isfile(HOST_CA):
        for key in ("PIP_CERT", "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
            env[key] = "/mo-host-ca.crt"
    return env


def mounts() -> dict:
    found = {}
    if os.path.isfile(HOST_CA):
        found[HOST_CA] = {"bind": "/mo-host-ca.crt", "mode": "ro"}
    if YARN_MIRROR.is_dir():
        found[str(YARN_MIRROR)] = {"bind": "/mo-host-yarn-mirror", "mode": "ro"}
    return found


class Box:
    def __init__(self, container):
        self.c = container
        self.api = container.client.api

    def sh(self, script: str, user: str = "newcomer", check: bool = True) -> str:
        code, out = self.c.exec_run(["bash", "-c", script], user=user, environment=network_env())
        text = out.decode(errors="replace")
        if check:
            assert code == 0, f"{script!r} exited {code}:\n{text[-4000:]}"
        return text

    def start_demo(self, log: str) -> str:
        """`bash .ci/demo` in the checkout, in its own session (so it can be stopped as a group)."""
        cmd = (f"cd {CHECKOUT} && exec setsid -w bash -c 'echo $$ >~/demo.pid; "
               f"exec bash .ci/demo --IdentityProvider.token={TOKEN}' >~/{log} 2>&1")
        env = dict(network_env(), PORT=str(PORT), MO_DEMO_DIR=f"{USER_HOME}/mo-demo")
        exec_id = self.api.exec_create(self.c.id, ["bash", "-c", cmd], user="newcomer", environment=env)["Id"]
        self.api.exec_start(exec_id, detach=True)
        return exec_id

    def get(self, path: str) -> tuple[int, str]:
        probe = ("import sys, urllib.request, urllib.error\n"
                 "try:\n r = urllib.request.urlopen(sys.argv[1], timeout=10); print(r.status); print(r.read().decode())\n"
                 "except urllib.error.HTTPError as e: print(e.code)\n"
                 "except OSError: print(0)\n")
        code, out = self.c.exec_run(["python3", "-c", probe, f"http://127.0.0.1:{PORT}{path}"], user="newcomer")
        status, _, body = out.decode(errors="replace").partition("\n")
        return int(status or 0), body

    def wait_served(self, exec_id: str, log: str, deadline_s: float) -> float:
        """Polls until the server answers; prints when each of the script's own lines appeared."""
        start = time.monotonic()
        seen: list[str] = []
        while time.monotonic() - start < deadline_s:
            said = [line for line in self.sh(f"cat ~/{log}").splitlines() if line.startswith("[mo]")]
            for line in said[len(seen):]:
                print(f"  {time.monotonic() - start:5.0f} s  {line[:100]}")
            seen = said
            status, _ = self.get(f"/mo/api/config?token={TOKEN}")
            if status == 200:
                print(f"  {time.monotonic() - start:5.0f} s  served")
                return time.monotonic() - start
            if not self.api.exec_inspect(exec_id)["Running"]:
                pytest.fail(f"`bash .ci/demo` ended before serving:\n{self.sh(f'tail -60 ~/{log}')}")
            time.sleep(3)
        pytest.fail(f"no answer within {deadline_s} s:\n{self.sh(f'tail -60 ~/{log}')}")

    def stop_demo(self, exec_id: str):
        self.sh("kill -TERM -- -$(cat ~/demo.pid)")
        deadline = time.monotonic() + 60
        while self.api.exec_inspect(exec_id)["Running"] and time.monotonic() < deadline:
            time.sleep(1)
        assert not self.api.exec_inspect(exec_id)["Running"], "the demo did not stop on SIGTERM"


@pytest.fixture(scope="module")
def box(engine):
    container = engine.containers.run(
        ROOTFS, ["sleep", "infinity"], detach=True, init=True, name=f"mo-stock-debian-{uuid.uuid4().hex[:8]}",
        volumes=mounts(),
        labels={"mo.test": "stock-debian"})
    try:
        b = Box(container)
        b.sh(SETUP, user="root")
        assert container.put_archive(USER_HOME, checkout_tar())
        b.sh(f"chown -R newcomer: {CHECKOUT}", user="root")
        yield b
    finally:
        container.remove(force=True)


def test_the_readme_demo_command_serves_the_extension_then_reuses_its_venv(box):
    first = box.start_demo("demo1.log")
    took = box.wait_served(first, "demo1.log", FIRST_RUN_S)
    log = box.sh("cat ~/demo1.log")
    print(f"first run: served after {took:.0f} s")
    # what it did, each said in one line
    assert "installing python3-venv" in log and "installing Node 22 into .venv" in log
    assert "installing mo_jupyter[examples] into .venv" in log and "~300 MB" in log
    # the URL to open, with its token, on 127.0.0.1 only
    assert "Open this URL (with its token)" in log and f"http://127.0.0.1:{PORT}/lab?token={TOKEN}" in log
    assert box.get("/mo/api/config")[0] == 403  # no token, no answer
    listen = box.sh("cat /proc/net/tcp")
    assert f"0100007F:{PORT:04X}" in listen and f"00000000:{PORT:04X}" not in listen

    # the extension, enabled: server side, prebuilt labextension, and in the page JupyterLab serves
    venv = f"{CHECKOUT}/.venv/bin"
    servers = box.sh(f"{venv}/jupyter server extension list 2>&1")
    assert any("mo_jupyter" in line and "OK" in line for line in servers.splitlines()), servers
    labs = box.sh(f"{venv}/jupyter labextension list 2>&1")
    assert any("mo_jupyter" in line and "enabled" in line and "OK" in line for line in labs.splitlines()), labs
    status, page = box.get(f"/lab?token={TOKEN}")
    config = json.loads(re.search(r'<script id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert status == 200 and "mo_jupyter" in [e["name"] for e in config["federated_extensions"]]
    assert "mo_jupyter" not in json.dumps(config.get("disabledExtensions", []))
    # the demo project from the mnist template (MNIST subset inserted) and TensorFlow for its tutorial
    box.sh(f"cd {USER_HOME}/mo-demo && test -f .mo_project.json -a -f coding_here.ipynb -a -d datasets/mo-mnist")
    box.sh(f"{venv}/python -c 'import keras, tensorflow'")
    # never the system interpreter
    box.sh("! python3 -c 'import mo_jupyter' 2>/dev/null")

    box.stop_demo(first)
    built = box.sh(f"stat -c %Y {CHECKOUT}/mo_jupyter/labextension/package.json")
    second = box.start_demo("demo2.log")
    took = box.wait_served(second, "demo2.log", SECOND_RUN_S)
    log = box.sh("cat ~/demo2.log")
    print(f"second run: served after {took:.0f} s")
    assert "reusing the project's virtual environment .venv" in log
    assert "is up to date with the sources (no rebuild)" in log and "installing" not in log, log
    assert box.sh(f"stat -c %Y {CHECKOUT}/mo_jupyter/labextension/package.json") == built
    box.stop_demo(second)
