#!/usr/bin/env bash
# Installs what the OCI image tests of `publish --as image` (issue 21) use, from Debian:
#
# - `umoci` (Apache-2.0), which unpacks a pulled image into a root filesystem, file by file;
# - the static busybox of Debian's `busybox-static` package (GPL-2.0; source: the Debian
#   package `busybox`) for linux/amd64 and linux/arm64, the shell and `sleep` a KServe modelcar
#   image carries. Both .deb files are fetched with `apt-get download` (arm64 after
#   `dpkg --add-architecture arm64`) and unpacked with `dpkg-deb -x`, whatever the host's
#   architecture, into DIR/amd64/busybox and DIR/arm64/busybox.
#
#   scripts/ci/oci-image.sh [DIR]     # idempotent; prints DIR on its last line
#
# DIR defaults to $MODELCI_BUSYBOX_DIR, else target/busybox-static. The tests read it from
# MODELCI_BUSYBOX_DIR:  MODELCI_BUSYBOX_DIR="$(scripts/ci/oci-image.sh | tail -n 1)"
set -CeEuo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="${1:-${MODELCI_BUSYBOX_DIR:-${root}/target/busybox-static}}"

bail() {
    printf 'oci-image.sh: error: %s\n' "$*" >&2
    exit 1
}

export DEBIAN_FRONTEND=noninteractive
updated=0
update() {
    if ((updated == 0)); then
        apt-get update -qq >&2 || bail "apt-get update failed"
        updated=1
    fi
}

if ! command -v umoci >/dev/null 2>&1; then
    apt-get install -y -qq --no-install-recommends umoci >&2 \
        || { update && apt-get install -y -qq --no-install-recommends umoci >&2; } \
        || bail "apt-get install umoci failed"
fi
umoci --version >&2 || bail "umoci does not run"

if ! dpkg --print-foreign-architectures | grep -qx arm64 && [[ "$(dpkg --print-architecture)" != arm64 ]]; then
    dpkg --add-architecture arm64
    updated=0
fi
for arch in amd64 arm64; do
    if [[ -x "${dir}/${arch}/busybox" ]]; then
        continue
    fi
    work="$(mktemp -d)"
    (cd "${work}" && apt-get download "busybox-static:${arch}" >&2) \
        || { update && (cd "${work}" && apt-get download "busybox-static:${arch}" >&2); } \
        || bail "apt-get download busybox-static:${arch} failed"
    dpkg-deb -x "${work}"/busybox-static_*_"${arch}".deb "${work}/root" || bail "cannot unpack busybox-static:${arch}"
    mkdir -p "${dir}/${arch}"
    cp "${work}/root/bin/busybox" "${dir}/${arch}/busybox"
    cp "${work}/root/usr/share/doc/busybox-static/copyright" "${dir}/${arch}/copyright" 2>/dev/null || true
    rm -rf "${work}"
done
host="$(dpkg --print-architecture)"
if [[ -x "${dir}/${host}/busybox" ]]; then
    "${dir}/${host}/busybox" true || bail "${dir}/${host}/busybox does not run"
fi
printf '%s\n' "${dir}"
