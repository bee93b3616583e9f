#!/usr/bin/env bash
# Builds a mo_jupyter job image on a machine that reaches no container registry:
#   1. debootstrap a minimal Debian bookworm root file system with Python 3.11,
#   2. `docker import` it as mo-jupyter/rootfs:bookworm (cached: skipped when present),
#   3. download the kind's wheels on the host (pip, PyPI), then install them inside a container
#      with the network off (--no-index), and `docker commit` the result.
# Usage: build_offline.sh KIND [TAG]     KIND: base | cpu (requirements-KIND.txt beside this file)
# Root is needed (debootstrap, dockerd). Prints one progress line per step.
set -euo pipefail
kind="${1:?usage: build_offline.sh base|cpu [TAG]}"
tag="${2:-mo-jupyter/$kind:latest}"
here="$(cd "$(dirname "$0")" && pwd)"
reqs="$here/requirements-$kind.txt"
[ -f "$reqs" ] || { echo "no recipe for '$kind' ($reqs)" >&2; exit 2; }
rootfs_tag="mo-jupyter/rootfs:bookworm"
work="$(mktemp -d)"
cid=""
trap 'rm -rf "$work"; [ -z "$cid" ] || docker rm -f "$cid" >/dev/null 2>&1' EXIT
step() { printf '[%s] %s\n' "$(date +%T)" "$*"; }

# The recipe's fingerprint: an image already built from the same recipe is kept as it is.
recipe_hash="$( (cat "$reqs"; cat "$0") | sha256sum | cut -c1-16)"
if [ "$(docker image inspect -f '{{ index .Config.Labels "mo.recipe" }}' "$tag" 2>/dev/null)" = "$recipe_hash" ]; then
  step "$tag is up to date (recipe $recipe_hash)"
  exit 0
fi

if ! docker image inspect "$rootfs_tag" >/dev/null 2>&1; then
  mirror="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  step "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase --include=python3,python3-venv,python3-distutils,ca-certificates \
    bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  step "docker import as $rootfs_tag"
  tar -C "$work/rootfs" -c . | docker import -c 'ENV LANG=C.UTF-8 PYTHONUNBUFFERED=1' - "$rootfs_tag" >/dev/null
  rm -rf "$work/rootfs"
fi

step "downloading wheels for $kind (host, PyPI)"
mkdir -p "$work/wheels"
python3 -m pip download -q --only-binary=:all: --python-version 3.11 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  --platform any -d "$work/wheels" pip -r "$reqs"

step "installing them in a container with the network off"
cid="$(docker create --network none -v "$work/wheels:/wheels:ro" "$rootfs_tag" sh -c '
  set -e
  python3 -m venv --without-pip /opt/venv
  /opt/venv/bin/python3 /wheels/$(cd /wheels && ls pip-*.whl | head -1)/pip install -q --no-index --find-links /wheels pip
  /opt/venv/bin/pip install -q --no-index --find-links /wheels -r /wheels/requirements.txt
  rm -rf /root/.cache')"
cp "$reqs" "$work/wheels/requirements.txt"
docker start -a "$cid"
step "docker commit as $tag"
docker commit -c 'ENV PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV LANG=C.UTF-8 PYTHONUNBUFFERED=1' -c 'WORKDIR /workspace' -c 'CMD ["python3"]' \
  -c "LABEL mo.recipe=$recipe_hash mo.kind=$kind" "$cid" "$tag" >/dev/null
docker rm "$cid" >/dev/null
cid=""
step "built $tag: $(docker image inspect -f '{{ .Size }}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')"
