#!/usr/bin/env bash
# Makes the Docker engine ready for the portal's tests and its Swarm manager, idempotently: installs docker.io
# (and busybox-static, debootstrap for the test and base images) when missing, starts dockerd when it is not
# answering, initialises a single-node swarm when the engine is not in one, and builds the notebook base image
# (or brings it up to date: seconds when nothing changed). Stops nothing it did not start; prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "Not root: assuming dockerd runs and the swarm is initialised (docker.io, busybox-static and debootstrap installed)." >&2
    exit 0
fi

need=()
command -v dockerd >/dev/null || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
    say "apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
    say "Starting dockerd (log: /tmp/dockerd.log)"
    nohup dockerd >/tmp/dockerd.log 2>&1 &
    for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -n 30 /tmp/dockerd.log >&2; echo "dockerd did not become ready within 60 s." >&2; exit 1; }
fi
echo "dockerd $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"

if [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" != "active" ]; then
    say "docker swarm init --advertise-addr 127.0.0.1"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
fi
echo "swarm $(docker info --format '{{.Swarm.LocalNodeState}}'), $(docker info --format '{{.Swarm.Nodes}}') node(s)"

# Seconds when nothing changed (the root filesystem and the build cache are reused); a few minutes the first time
# on a machine, or when the image's package list changed.
say "portal/notebook-base:latest (deploy/images/notebook-base/build.sh)"
deploy/images/notebook-base/build.sh
