#!/usr/bin/env bash
# Builds portal/notebook-base:latest without Docker Hub: a Debian root filesystem made by debootstrap from
# this host's own apt mirror, imported as portal/notebook-rootfs:bookworm, then the Dockerfile beside this
# script adds the toolkit. Needs root, debootstrap and a running dockerd. Reuses the root filesystem image
# when it exists (pass --rebuild to make it again).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
rootfs_image="portal/notebook-rootfs:bookworm"
image="${1:-portal/notebook-base:latest}"
[ "${1:-}" = "--rebuild" ] && { image="portal/notebook-base:latest"; rebuild=1; } || rebuild=0
packages="python3 python3-nbclient python3-nbconvert python3-ipykernel python3-pandas python3-sklearn jupyter-notebook ca-certificates"

mirror() {
    # The first Debian mirror this host's apt uses (deb822 .sources or the classic list); never a hard-coded host.
    local uri
    uri="$(grep -h -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')"
    [ -z "$uri" ] && uri="$(grep -h -E '^deb ' /etc/apt/sources.list 2>/dev/null | grep -v security | head -n1 | awk '{print $2}')"
    [ -n "$uri" ] || { echo "No Debian mirror found in /etc/apt/sources.list(.d)." >&2; exit 1; }
    echo "$uri"
}

# The root filesystem is reused while it was made with the same package list (kept as a label on the image).
made_with="$(docker image inspect --format '{{index .Config.Labels "io.mlops-portal.packages"}}' "$rootfs_image" 2>/dev/null || true)"
if [ "$rebuild" = 1 ] || [ "$made_with" != "$packages" ]; then
    [ "$(id -u)" -eq 0 ] || { echo "debootstrap needs root: run this script as root." >&2; exit 1; }
    command -v debootstrap >/dev/null || { echo "debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
    dir="$(mktemp -d /tmp/notebook-rootfs.XXXXXX)"
    log="/tmp/notebook-rootfs.log"
    cleanup() { umount "$dir/proc" 2>/dev/null || true; rm -rf "$dir"; }
    trap cleanup EXIT
    m="$(mirror)"
    echo "==> debootstrap --variant=minbase bookworm from $m (log: $log)"
    debootstrap --variant=minbase bookworm "$dir" "$m" >"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; echo "debootstrap failed (log: $log)" >&2; exit 1; }
    # apt inside the new root orders the configuration of many packages better than debootstrap's --include.
    echo "deb $m bookworm main" > "$dir/etc/apt/sources.list"
    mount -t proc proc "$dir/proc"
    echo "==> apt-get install in the root filesystem: $packages"
    { chroot "$dir" apt-get update -qq && DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get install -y -qq --no-install-recommends $packages; } >>"$log" 2>&1 \
        || { tail -n 30 "$log" >&2; echo "installing Python packages failed (log: $log)" >&2; exit 1; }
    umount "$dir/proc"
    chroot "$dir" apt-get clean
    rm -rf "$dir"/var/lib/apt/lists/*
    echo "==> docker import $rootfs_image"
    tar -C "$dir" -c . | docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        -c "LABEL io.mlops-portal.packages=\"$packages\"" - "$rootfs_image" >/dev/null
fi

echo "==> docker build $image"
docker build -q --build-arg ROOTFS="$rootfs_image" -t "$image" "$here" >/dev/null
docker run --rm "$image" python3 -c "import nbclient, sklearn; print('notebook-base ready: nbclient', nbclient.__version__, 'scikit-learn', sklearn.__version__)"
